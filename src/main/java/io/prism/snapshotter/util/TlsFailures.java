package io.prism.snapshotter.util;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Says in a user's words why a TLS connection failed, and what to set. Clients wrap handshake
 * failures in their own exceptions (ClickHouse's says only "SSL Problem"); the reason is deep in
 * the causes, in JSSE's words ("PKIX path building failed").
 */
public final class TlsFailures {
  private TlsFailures() {}

  /**
   * The reason, when {@code failure} or one of its causes is a TLS failure: e.g. "the TLS handshake
   * failed: the server's certificate is not signed by a trusted CA (give its CA in
   * index.redis.tls.ca.file, PEM)". Empty for any other failure.
   *
   * @param caKey the setting that names the backend's CA file
   */
  public static Optional<String> explain(Throwable failure, String caKey) {
    return explain(failure, caKey, null);
  }

  /**
   * As {@link #explain(Throwable, String)}, and a server refusing the client certificate ({@code
   * unknown_ca}, {@code bad_certificate}, {@code certificate_unknown} alerts) names {@code
   * clientCertKey}, the setting that gives one.
   */
  public static Optional<String> explain(Throwable failure, String caKey, String clientCertKey) {
    Throwable tls =
        Causes.first(failure, t -> t instanceof SSLException || t instanceof CertificateException)
            .orElse(null);
    if (tls == null) {
      return Optional.empty();
    }
    String detail = deepestMessage(tls);
    if (Causes.has(tls, CertPathBuilderException.class)
        || Causes.has(tls, CertPathValidatorException.class)) {
      return Optional.of(
          "the TLS handshake failed: the server's certificate is not signed by a CA this"
              + " connection trusts ("
              + detail
              + "); give the server's CA certificate in "
              + caKey
              + " (PEM), or add it to the JVM's trust store");
    }
    if (clientCertKey != null) {
      Optional<String> refused = clientCertificateRefused(tls, clientCertKey);
      if (refused.isPresent()) {
        return refused;
      }
    }
    if (detail.contains("No subject alternative") || detail.contains("doesn't match")) {
      return Optional.of(
          "the TLS handshake failed: the server's certificate does not name the host connected to ("
              + detail
              + "); connect by a name its certificate holds");
    }
    return Optional.of(
        (tls instanceof SSLHandshakeException ? "the TLS handshake failed: " : "TLS failed: ")
            + detail
            + " (is it a TLS port? the CA setting is "
            + caKey
            + ")");
  }

  /**
   * Whether {@code failure} is the client refusing the server's certificate (an unknown CA, or a
   * certificate for another host): a setting to fix, which no retry heals, unlike a handshake cut
   * short by a server that is restarting.
   */
  public static boolean refusedCertificate(Throwable failure) {
    // Apache's HTTP client checks the host name itself: SSLPeerUnverifiedException.
    return Causes.first(
            failure,
            t ->
                t instanceof CertPathBuilderException
                    || t instanceof CertPathValidatorException
                    || t instanceof CertificateException
                    || t instanceof SSLPeerUnverifiedException)
        .isPresent();
  }

  /**
   * Why a server that asked for a client certificate, and got none, closed the connection (with TLS
   * 1.3 it does so after the handshake, and the client sees "Broken pipe"): what to set.
   *
   * @param asks who asks, e.g. "the server asks every client for a TLS certificate (Redis's
   *     tls-auth-clients)"
   * @param configured whether a certificate is set (then it is not signed by a CA the server named)
   */
  public static String certificateWanted(
      String asks, boolean configured, String certKey, String keyKey, String closedWith) {
    return asks
        + (configured
            ? " and the one in "
                + certKey
                + " is not signed by a CA the server accepts: give one that is"
            : " and none is set: give one in " + certKey + " and " + keyKey)
        + " (it closed the connection: "
        + closedWith
        + ")";
  }

  /**
   * The reason when {@code failure} (or a cause) is the server's alert refusing the client's
   * certificate, or its lack; empty otherwise.
   */
  static Optional<String> clientCertificateRefused(Throwable failure, String clientCertKey) {
    String detail = deepestMessage(failure);
    if (!refusedByServer(detail)) {
      return Optional.empty();
    }
    if (detail.contains("certificate_required")) {
      return Optional.of(
          "the TLS handshake failed: the server asks for a TLS client certificate and this"
              + " connection gave none ("
              + detail
              + "); give one signed by a CA the server accepts in "
              + clientCertKey
              + " (and its key)");
    }
    return Optional.of(
        "the TLS handshake failed: the server refused this connection's client certificate ("
            + detail
            + "); give one signed by a CA the server accepts in "
            + clientCertKey
            + " (and its key)");
  }

  /** The alerts a server sends when it cannot accept the client's certificate, or its lack. */
  private static boolean refusedByServer(String detail) {
    return detail.contains("fatal alert: unknown_ca")
        || detail.contains("fatal alert: bad_certificate")
        || detail.contains("fatal alert: certificate_unknown")
        || detail.contains("fatal alert: certificate_required");
  }

  /** The message of the innermost cause that has one: JSSE's own words. */
  private static String deepestMessage(Throwable t) {
    String message = String.valueOf(t.getMessage());
    for (Throwable c : Causes.chain(t)) {
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        message = c.getMessage();
      }
    }
    return message;
  }
}
