package io.prism.snapshotter.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;

/**
 * The certificate and private key a client presents when the server asks for one (mutual TLS):
 * Redis's TLS asks every client by default ({@code tls-auth-clients yes}).
 *
 * <p>Both are PEM files, as certificate tooling and Kubernetes secrets hand them out: the
 * certificate chain, and an unencrypted PKCS#8 key ({@code BEGIN PRIVATE KEY}, RSA or EC). A PKCS#1
 * key ({@code BEGIN RSA PRIVATE KEY}) or an encrypted one is refused with the command that converts
 * it. Read once, when the settings are made.
 */
public final class TlsClientIdentity {
  private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String PKCS8_END = "-----END PRIVATE KEY-----";

  private final Path certificateFile;
  private final Path keyFile;
  private final Certificate[] chain;
  private final PrivateKey key;

  private TlsClientIdentity(
      Path certificateFile, Path keyFile, Certificate[] chain, PrivateKey key) {
    this.certificateFile = certificateFile;
    this.keyFile = keyFile;
    this.chain = chain;
    this.key = key;
  }

  /**
   * @throws IllegalArgumentException naming the file that cannot be read or used
   */
  public static TlsClientIdentity load(Path certificateFile, Path keyFile) {
    return new TlsClientIdentity(certificateFile, keyFile, chain(certificateFile), key(keyFile));
  }

  private static Certificate[] chain(Path file) {
    return TlsCaFile.certificates(file, "a PEM certificate chain").toArray(Certificate[]::new);
  }

  private static PrivateKey key(Path file) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + " does not exist");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e);
    }
    int begin = pem.indexOf(PKCS8_BEGIN);
    int end = pem.indexOf(PKCS8_END);
    if (begin < 0 || end < begin) {
      String found =
          pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY")
              ? "a PKCS#1/SEC1 key"
              : pem.contains("BEGIN ENCRYPTED PRIVATE KEY") ? "an encrypted key" : "no key";
      throw new IllegalArgumentException(
          file
              + " holds "
              + found
              + ", not an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY); convert it with"
              + " `openssl pkcs8 -topk8 -nocrypt -in "
              + file.getFileName()
              + " -out key-pkcs8.pem`");
    }
    byte[] der;
    try {
      der =
          Base64.getMimeDecoder()
              .decode(pem.substring(begin + PKCS8_BEGIN.length(), end).replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + " holds a PEM key that is not base64: " + e);
    }
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // not this algorithm: try the next
      }
    }
    throw new IllegalArgumentException(file + " holds a key that is not RSA, EC or Ed25519");
  }

  /** The certificate chain presented, the client's own certificate first. */
  /** The files, for clients that read them themselves (ClickHouse's), after they were checked. */
  public Path certificateFile() {
    return certificateFile;
  }

  public Path keyFile() {
    return keyFile;
  }

  public List<X509Certificate> certificates() {
    List<X509Certificate> certificates = new ArrayList<>();
    for (Certificate c : chain) {
      certificates.add((X509Certificate) c);
    }
    return certificates;
  }

  /** Key managers that present this certificate and key. */
  public KeyManager[] keyManagers() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = new char[0];
      store.setKeyEntry("client", key, password, chain);
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, password);
      return factory.getKeyManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(
          "Cannot use the client certificate " + certificateFile + " with its key", e);
    }
  }

  @Override
  public String toString() {
    return certificateFile.toString();
  }
}
