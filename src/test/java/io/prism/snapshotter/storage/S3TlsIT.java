package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.testing.SelfSignedCertificate;
import io.prism.snapshotter.util.TlsCaFile;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 store against an S3-compatible server on HTTPS with a private CA (S3Proxy's secure
 * endpoint, its certificate made here with the JDK's keytool), trusting the CA named by {@code
 * storage.s3.tls.ca.file} rather than the JVM's trust store; and the errors, not retried, when the
 * certificate is refused.
 */
class S3TlsIT {
  static final String BUCKET = "tls-bucket";
  static final String PASSWORD = "keystore-secret";

  @TempDir static Path dir;

  /** Its certificate names 127.0.0.1, the address it is reached at. */
  static S3Proxy server;

  /** Its certificate names 127.0.0.9 only, but it is reached at 127.0.0.1 too. */
  static S3Proxy misnamed;

  static Path serverCa;
  static Path misnamedCa;

  @BeforeAll
  static void startServers() throws Exception {
    serverCa = certificate("server", "ip:127.0.0.1");
    misnamedCa = certificate("misnamed", "ip:127.0.0.9");
    server = start("server");
    misnamed = start("misnamed");
  }

  @AfterAll
  static void stopServers() throws Exception {
    for (S3Proxy proxy : new S3Proxy[] {server, misnamed}) {
      if (proxy != null) {
        proxy.stop();
      }
    }
  }

  /** A keystore with a self-signed certificate for {@code san}; returns its certificate as PEM. */
  static Path certificate(String name, String san) throws Exception {
    return SelfSignedCertificate.create(dir, name, san, PASSWORD).pem();
  }

  static S3Proxy start(String name) throws Exception {
    BlobStore blobs = BlobStores.create("transient", new Properties());
    blobs.createContainer(BUCKET);
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(blobs)
            .secureEndpoint(URI.create("https://127.0.0.1:0"))
            .keyStore(dir.resolve(name + ".p12").toString(), PASSWORD)
            .awsAuthentication(
                AuthenticationType.AWS_V2_OR_V4, S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)
            .stopTimeout(0)
            .build();
    proxy.start();
    return proxy;
  }

  static S3Settings settings(S3Proxy proxy, Path ca) {
    return S3Settings.forBucket(BUCKET)
        .withEndpoint(URI.create("https://127.0.0.1:" + proxy.getSecurePort()), true)
        .withRegion("us-east-1")
        .withCredentials(
            S3ProxyServer.ACCESS_KEY,
            new org.apache.kafka.common.config.types.Password(S3ProxyServer.SECRET_KEY))
        .withTlsCa(ca == null ? null : TlsCaFile.load(ca));
  }

  static void put(ObjectStore store, String key, String content) {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    store.put(key, new ByteArrayInputStream(bytes), bytes.length, PutOptions.defaults());
  }

  @Test
  void withTheServersCaFileTheStoreWritesReadsAndListsOverHttps() throws Exception {
    try (ObjectStore store = S3ObjectStore.open(settings(server, serverCa))) {
      put(store, "pages/a.pb", "over tls");
      try (InputStream in = store.get("pages/a.pb")) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("over tls");
      }
      assertThat(store.list("pages/", 10, null).objects())
          .extracting(ObjectInfo::key)
          .containsExactly("pages/a.pb");
    }
  }

  @Test
  void withoutACaFileTheCertificateIsRefusedAsASettingToFixNotAnOutage() {
    try (ObjectStore store = S3ObjectStore.open(settings(server, null))) {
      assertThatThrownBy(() -> put(store, "k", "x"))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("not signed by a CA this connection trusts")
          .hasMessageContaining("storage.s3.tls.ca.file")
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
    }
  }

  @Test
  void aCaThatDidNotSignTheCertificateIsRefused() {
    try (ObjectStore store = S3ObjectStore.open(settings(server, misnamedCa))) {
      assertThatThrownBy(() -> store.list("", 10, null))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("not signed by a CA this connection trusts")
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
    }
  }

  @Test
  void aCertificateThatDoesNotNameTheEndpointsHostIsRefusedEvenWithItsCa() {
    try (ObjectStore store = S3ObjectStore.open(settings(misnamed, misnamedCa))) {
      assertThatThrownBy(() -> put(store, "k", "x"))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("does not name the host")
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
    }
  }
}
