package io.prism.snapshotter.testing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A server certificate signed by itself (so it is its own CA), made with the JDK's keytool: a
 * PKCS12 keystore for the server, and the certificate as PEM for the client's CA file.
 *
 * @param keystore the PKCS12 keystore holding the key and the certificate
 * @param password the keystore's and the key's password
 * @param pem the certificate alone, PEM
 */
public record SelfSignedCertificate(Path keystore, String password, Path pem) {

  /**
   * Makes {@code dir/<name>.p12} and {@code dir/<name>-ca.pem}, valid two days, for {@code san}
   * (keytool's form, e.g. {@code ip:127.0.0.1} or {@code dns:localhost}).
   */
  public static SelfSignedCertificate create(Path dir, String name, String san, String password)
      throws Exception {
    Path keystore = dir.resolve(name + ".p12");
    Path pem = dir.resolve(name + "-ca.pem");
    keytool(
        "-genkeypair",
        "-alias",
        name,
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "2",
        "-dname",
        "CN=" + name,
        "-ext",
        "SAN=" + san,
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        password,
        "-keypass",
        password);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        name,
        "-keystore",
        keystore.toString(),
        "-storepass",
        password,
        "-file",
        pem.toString());
    return new SelfSignedCertificate(keystore, password, pem);
  }

  /** A TLS context for a server presenting this certificate. */
  public SSLContext serverContext() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, password.toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password.toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context;
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output;
    try (InputStream out = process.getInputStream()) {
      output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
    }
  }
}
