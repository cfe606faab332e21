package io.prism.snapshotter.util;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * One TLS handshake of our own, to learn whether a server wants a client certificate this
 * connection does not give, or refuses the one it gives. For clients that make their TLS themselves
 * (ClickHouse's), or whose server has answered without a certificate before (a Redis with
 * tls-auth-clients optional, restarted with yes): when their request fails with a closed
 * connection, that may be a server restarting, or a server that asked for a certificate and got
 * none (TLS 1.3 closes after the handshake), which no retry heals.
 */
public final class TlsProbe {
  private static final int TIMEOUT_MS = 5_000;

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
    byte[] request =
        ("HEAD /ping HTTP/1.1\r\nHost: " + url.getHost() + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    return clientCertificateProblem(
        url.getHost(),
        url.getPort() < 0 ? 443 : url.getPort(),
        request,
        ca,
        client,
        certKey,
        keyKey,
        closedWith);
  }

  /**
   * The same for a Redis server at {@code host:port} (TLS): it is asked {@code PING}, which it
   * answers (if only with -NOAUTH) once it has accepted the connection. An HTTP request would not
   * do: Redis takes one for an attack and hangs up.
   */
  public static Optional<String> redisClientCertificateProblem(
      String host,
      int port,
      TlsCaFile ca,
      TlsClientIdentity client,
      String certKey,
      String keyKey,
      String closedWith) {
    return clientCertificateProblem(
        host,
        port,
        "PING\r\n".getBytes(StandardCharsets.US_ASCII),
        ca,
        client,
        certKey,
        keyKey,
        closedWith);
  }

  /**
   * One handshake with {@code host:port}, then {@code request}: any answer means the server took
   * the connection.
   */
  private static Optional<String> clientCertificateProblem(
      String host,
      int port,
      byte[] request,
      TlsCaFile ca,
      TlsClientIdentity client,
      String certKey,
      String keyKey,
      String closedWith) {
    TlsContext tls = TlsContext.of(ca, client);
    String refusal = null;
    boolean handshaken = false;
    String closed = null;
    try (SSLSocket socket = (SSLSocket) tls.socketFactory().createSocket()) {
      socket.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
      socket.setSoTimeout(TIMEOUT_MS);
      socket.startHandshake();
      handshaken = true;
      // With TLS 1.3 a refusal comes after the handshake, as an alert or a closed connection, and
      // a server answers a request only once it has accepted the connection. So ask for something:
      // any answer means it took the certificate, or none was needed; a server that asks for one
      // but does not require it (ClickHouse's verificationMode relaxed, Redis's tls-auth-clients
      // optional) answers too.
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      if (socket.getInputStream().read() >= 0) {
        return Optional.empty();
      }
      closed = "it closed the connection";
    } catch (SocketTimeoutException slow) {
      // No answer in time: a slow server, unless it asked for a certificate and got none, which
      // a server that requires one refuses (a loaded one, late).
      if (!tls.refusedForWantOfACertificate()) {
        return Optional.empty();
      }
    } catch (SSLException e) {
      refusal = TlsFailures.clientCertificateRefused(e, certKey).orElse(null);
      if (handshaken) {
        closed = e.getMessage();
      }
    } catch (IOException e) {
      // A reset or a broken pipe, with no alert to say why: after the server asked for a
      // certificate, also while the handshake still sends (a server that refuses the certificate
      // hangs up before the client's last message, on a loaded machine).
      closed = e.getMessage();
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
    if (refusal == null && closed != null && tls.askedForCertificate()) {
      // It asked, got the certificate, and hung up without saying why.
      refusal =
          "the server asked for a TLS client certificate, got the one in "
              + certKey
              + ", and closed the connection during or right after the handshake ("
              + closed
              + "): it most likely does not accept it; give one signed by a CA the server accepts";
    }
    return Optional.ofNullable(refusal);
  }
}
