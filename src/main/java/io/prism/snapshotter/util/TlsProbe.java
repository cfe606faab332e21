package io.prism.snapshotter.util;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * One HTTPS exchange of our own, to learn whether a server wants a client certificate this
 * connection does not give. For clients that make their TLS themselves (ClickHouse's): when their
 * request fails with a closed connection, that may be a server restarting, or a server that asked
 * for a certificate and got none (TLS 1.3 closes after the handshake), which no retry heals.
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
    TlsContext tls = TlsContext.of(ca, client);
    int port = url.getPort() < 0 ? 443 : url.getPort();
    String refusal = null;
    try (SSLSocket socket = (SSLSocket) tls.socketFactory().createSocket()) {
      socket.connect(new InetSocketAddress(url.getHost(), port), TIMEOUT_MS);
      socket.setSoTimeout(TIMEOUT_MS);
      socket.startHandshake();
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /ping HTTP/1.1\r\nHost: " + url.getHost() + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      in.read(); // the refusal, if any, comes here with TLS 1.3
    } catch (SSLException e) {
      refusal = TlsFailures.clientCertificateRefused(e, certKey).orElse(null);
    } catch (IOException | RuntimeException otherwise) {
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
    return Optional.ofNullable(refusal);
  }
}
