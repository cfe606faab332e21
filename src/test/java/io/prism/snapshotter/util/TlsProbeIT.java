package io.prism.snapshotter.util;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.testing.TestServices;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TlsProbe} against a TLS server of the test's own (bin/test's certificate for 127.0.0.1):
 * one that requires a client certificate and one that only asks for it. Only the first is a
 * problem; taking the second for one failed a ClickHouse index at open whenever a server with
 * optional client certificates was slow to answer.
 */
class TlsProbeIT {
  private SSLServerSocket server;
  private Thread acceptor;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
      acceptor.join(10_000);
    }
  }

  /** A server that asks for (want) or requires (need) a client certificate, and answers. */
  URI serve(boolean need) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(
        TlsClientIdentity.load(TestServices.tlsCa(), TestServices.tlsKey()).keyManagers(),
        TlsCaFile.load(TestServices.tlsCa()).trustManagers(),
        null);
    server =
        (SSLServerSocket)
            context
                .getServerSocketFactory()
                .createServerSocket(0, 10, InetAddress.getByName("127.0.0.1"));
    if (need) {
      server.setNeedClientAuth(true);
    } else {
      server.setWantClientAuth(true);
    }
    acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (SSLSocket client = (SSLSocket) server.accept()) {
                  client.startHandshake();
                  InputStream in = client.getInputStream();
                  if (in.read() >= 0) {
                    // What an HTTPS server that took the connection does with a request.
                    client
                        .getOutputStream()
                        .write("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    client.getOutputStream().flush();
                  }
                } catch (IOException refusedOrGone) {
                  // the next client, or the server closed
                }
              }
            },
            "tls-probe-it-server");
    acceptor.start();
    return URI.create("https://127.0.0.1:" + server.getLocalPort());
  }

  Optional<String> probe(URI url, TlsClientIdentity client) {
    return TlsProbe.clientCertificateProblem(
        url,
        TlsCaFile.load(TestServices.tlsCa()),
        client,
        "x.cert.file",
        "x.key.file",
        "Broken pipe");
  }

  @Test
  void aServerThatOnlyAsksForAClientCertificateIsNoProblemWithoutOne() throws Exception {
    assertThat(probe(serve(false), null)).isEmpty();
  }

  @Test
  void aServerThatRequiresAClientCertificateIsOneWithoutItAndNoneWithIt() throws Exception {
    URI url = serve(true);
    assertThat(probe(url, null))
        .hasValueSatisfying(
            reason ->
                assertThat(reason)
                    .contains("the server asks for a TLS client certificate")
                    .contains("x.cert.file"));
    assertThat(probe(url, TlsClientIdentity.load(TestServices.tlsCa(), TestServices.tlsKey())))
        .isEmpty();
  }
}
