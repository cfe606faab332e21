package io.prism.snapshotter.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsClientIdentityTest {
  @TempDir Path dir;

  static Path resource(String name) throws Exception {
    return Path.of(TlsClientIdentityTest.class.getResource("/tls/" + name).toURI());
  }

  @Test
  void aPemCertificateAndItsPkcs8KeyArePresented() throws Exception {
    TlsClientIdentity identity =
        TlsClientIdentity.load(resource("test-ca.pem"), resource("test-ca-key.pem"));

    X509KeyManager keys = (X509KeyManager) identity.keyManagers()[0];
    String alias = keys.chooseClientAlias(new String[] {"RSA"}, null, null);
    assertThat(alias).isNotNull();
    assertThat(keys.getCertificateChain(alias)[0].getSubjectX500Principal().getName())
        .contains("prism test CA");
    assertThat(keys.getPrivateKey(alias).getAlgorithm()).isEqualTo("RSA");
  }

  @Test
  void aPkcs1OrEncryptedKeyIsRefusedWithTheCommandThatConvertsIt() throws Exception {
    Path pkcs1 =
        Files.writeString(
            dir.resolve("rsa.pem"),
            "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
    Path encrypted =
        Files.writeString(
            dir.resolve("enc.pem"),
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");

    assertThatThrownBy(() -> TlsClientIdentity.load(resource("test-ca.pem"), pkcs1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(pkcs1 + " holds a PKCS#1/SEC1 key")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt -in rsa.pem");
    assertThatThrownBy(() -> TlsClientIdentity.load(resource("test-ca.pem"), encrypted))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("an encrypted key");
  }

  @Test
  void missingOrWrongFilesAreNamed() throws Exception {
    Path missing = dir.resolve("missing.pem");
    Path garbage =
        Files.writeString(
            dir.resolve("garbage.pem"),
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

    assertThatThrownBy(() -> TlsClientIdentity.load(missing, resource("test-ca-key.pem")))
        .hasMessage(missing + " does not exist");
    assertThatThrownBy(() -> TlsClientIdentity.load(resource("test-ca.pem"), missing))
        .hasMessage(missing + " does not exist");
    assertThatThrownBy(() -> TlsClientIdentity.load(resource("test-ca-key.pem"), garbage))
        .hasMessageContaining("test-ca-key.pem");
    assertThatThrownBy(() -> TlsClientIdentity.load(resource("test-ca.pem"), garbage))
        .hasMessageStartingWith(garbage.toString())
        .hasMessageContaining("not RSA, EC or Ed25519");
  }
}
