package io.prism.snapshotter.util;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * One TLS handshake of our own, to learn whether a server wants a client certificate this
 * connection does not give, or refuses the one it gives. For clients that make their TLS themselves
 * (ClickHouse's): when their request fails with a closed connection, that may be a server
 * restarting, or a server that asked for a certificate and got none (TLS 1.3 closes after the
 * handshake), which no retry heals.
 */
public final class TlsProbe {
  private static final int TIMEOUT_MS = 5_000;
  private static final int ALERT_WAIT_MS = 2_000;

  private TlsProbe() {}

  /**
   * What is wrong with this connection's client certificate as the server at {@code url} (https)
   * sees it: it asked for one and got none, or refused the one given. Empty when neither (it did
   * not ask, accepted it, or cannot be reached).
   *
   * @param certKey, keyKey the settings that give the certificate, for the reason
   * @param closedWith what the client that failed saw, for the reason
   */
  public static Optional<String> clientCertificateProblem(
      URI url,
      TlsCaFile ca,
      TlsClientIdentity client,
      String certKey,
      String keyKey,
      String closedWith) {
    TlsContext tls = TlsContext.of(ca, client);
    int port = url.getPort() < 0 ? 443 : url.getPort();
    String refusal = null;
    boolean handshaken = false;
    String closedAfterHandshake = null;
    try (SSLSocket socket = (SSLSocket) tls.socketFactory().createSocket()) {
      socket.connect(new InetSocketAddress(url.getHost(), port), TIMEOUT_MS);
      socket.setSoTimeout(TIMEOUT_MS);
      socket.startHandshake();
      handshaken = true;
      // With TLS 1.3 a refusal comes after the handshake, as an alert: read for it a little while.
      // Nothing in that time (a timeout) means the server took the certificate, or wanted none.
      socket.setSoTimeout(ALERT_WAIT_MS);
      if (socket.getInputStream().read() < 0) {
        closedAfterHandshake = "it closed the connection";
      }
    } catch (SocketTimeoutException quiet) {
      // it kept the connection: no refusal
    } catch (SSLException e) {
      refusal = TlsFailures.clientCertificateRefused(e, certKey).orElse(null);
      if (refusal == null && handshaken) {
        closedAfterHandshake = e.getMessage();
      }
    } catch (IOException e) {
      if (handshaken) {
        closedAfterHandshake = e.getMessage(); // a reset, with no alert to say why
      }
    } catch (RuntimeException otherwise) {
      // what the server did, if anything, is in tls
    }
    if (tls.refusedForWantOfACertificate()) {
      return Optional.of(
          TlsFailures.certificateWanted(
              "the server asks for a TLS client certificate",
              tls.presentsCertificate(),
              certKey,
              keyKey,
              closedWith));
    }
    if (refusal == null && closedAfterHandshake != null && tls.askedForCertificate()) {
      // It asked, got the certificate, and hung up at once without saying why.
      refusal =
          "the server asked for a TLS client certificate, got the one in "
              + certKey
              + ", and closed the connection right after the handshake ("
              + closedAfterHandshake
              + "): it most likely does not accept it; give one signed by a CA the server accepts";
    }
    return Optional.ofNullable(refusal);
  }
}
