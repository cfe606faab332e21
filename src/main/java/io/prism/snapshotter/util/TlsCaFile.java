package io.prism.snapshotter.util;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The CA certificates (a PEM file) that a TLS connection to one backend trusts, instead of the
 * JVM's default trust store.
 *
 * <p>Why a file per backend and not only the JVM's trust store: a Connect worker runs many
 * connectors, and a private CA for one index should not have to be trusted by the whole worker (nor
 * the worker restarted with a new {@code -Djavax.net.ssl.trustStore}). PEM because that is what
 * certificate tooling and Kubernetes secrets hand out.
 *
 * <p>The file is read once, when the settings are made, so a bad file is a configuration error
 * naming its key, not a failure at the first connection.
 */
public final class TlsCaFile {
  private final Path path;
  private final List<X509Certificate> certificates;

  private TlsCaFile(Path path, List<X509Certificate> certificates) {
    this.path = path;
    this.certificates = certificates;
  }

  /**
   * Refuses an endpoint these CAs would never be used for: one that is not {@code https://} ({@code
   * null}, the backend's default endpoint, is https).
   *
   * @throws IllegalArgumentException naming this file and the endpoint
   */
  public void requireHttps(URI endpoint) {
    if (endpoint != null && !"https".equalsIgnoreCase(endpoint.getScheme())) {
      throw new IllegalArgumentException(
          "a TLS CA file ("
              + this
              + ") is given but the endpoint "
              + endpoint
              + " is not https://");
    }
  }

  /**
   * Reads every certificate of a PEM (or DER) file.
   *
   * @throws IllegalArgumentException naming the file, if it cannot be read or holds no certificate
   */
  public static TlsCaFile load(Path path) {
    return new TlsCaFile(path, certificates(path, "a PEM file of CA certificates"));
  }

  /**
   * Every X.509 certificate of a PEM (or DER) file, at least one.
   *
   * @param expected what the file should be, for the error
   * @throws IllegalArgumentException naming the file, if it cannot be read or holds none
   */
  static List<X509Certificate> certificates(Path path, String expected) {
    List<X509Certificate> certificates = new ArrayList<>();
    try (InputStream in = Files.newInputStream(path)) {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      factory.generateCertificates(in).forEach(c -> certificates.add((X509Certificate) c));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(path + " does not exist");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + path + ": " + e);
    } catch (CertificateException e) {
      throw new IllegalArgumentException(path + " is not " + expected + ": " + e.getMessage());
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(path + " holds no certificate (expected PEM)");
    }
    return List.copyOf(certificates);
  }

  public Path path() {
    return path;
  }

  public List<X509Certificate> certificates() {
    return certificates;
  }

  /** Trust managers that trust these certificates and no others. */
  public TrustManager[] trustManagers() {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < certificates.size(); i++) {
        store.setCertificateEntry("ca-" + i, certificates.get(i));
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      return trust.getTrustManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("Cannot make trust managers for " + path, e);
    }
  }

  /** A TLS context that trusts these certificates and no others. */
  public SSLContext sslContext() {
    return TlsContext.of(this, null).sslContext();
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
