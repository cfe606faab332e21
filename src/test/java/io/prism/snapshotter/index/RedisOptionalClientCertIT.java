package io.prism.snapshotter.index;

import static io.prism.snapshotter.index.PageIndexContract.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.testing.Poll;
import io.prism.snapshotter.testing.TestServices;
import io.prism.snapshotter.util.TlsCaFile;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Redis whose TLS asks clients for a certificate but does not require one ({@code
 * tls-auth-clients optional}), started by the test so that it can stop it. The index without a
 * certificate works there; and when the server goes away, the failure reads as an outage, not as a
 * certificate to configure (the index used to take "the server asked and got none" for the reason
 * of every later failure).
 */
class RedisOptionalClientCertIT {
  @TempDir Path dir;
  Process redis;
  int port;

  @AfterEach
  void stop() throws Exception {
    stopRedis();
  }

  void startRedis() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    startRedis("optional");
  }

  /** Starts it on {@link #port} with {@code tls-auth-clients} {@code authClients}. */
  void startRedis(String authClients) throws Exception {
    String cert = TestServices.tlsCa().toString();
    redis =
        new ProcessBuilder(
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                "0",
                "--tls-port",
                Integer.toString(port),
                "--tls-cert-file",
                cert,
                "--tls-key-file",
                TestServices.tlsKey().toString(),
                "--tls-ca-cert-file",
                cert,
                "--tls-auth-clients",
                authClients,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
  }

  void stopRedis() throws Exception {
    if (redis != null) {
      redis.destroy();
      redis.waitFor(10, TimeUnit.SECONDS);
      redis = null;
    }
  }

  RedisSettings settings() {
    return new RedisSettings(
        URI.create("rediss://127.0.0.1:" + port + "/0"),
        "optcert",
        null,
        0,
        TlsCaFile.load(TestServices.tlsCa()),
        null);
  }

  @Test
  void withoutACertificateTheIndexWorksAndALaterOutageIsNotTakenForAMissingCertificate()
      throws Exception {
    startRedis();
    IndexEntry page = entry("w", 1, 1_000, 2_000);
    awaitAnswering();
    try (RedisPageIndex index = RedisPageIndex.open(settings())) {
      index.publish(List.of(page));
      assertThat(index.entries("w", TimeRange.ALL)).containsExactly(page);

      stopRedis();
      for (int attempt = 0; attempt < 2; attempt++) {
        // The first call meets the connection the server closed, the second a refused one.
        assertThatThrownBy(() -> index.publish(List.of(page)))
            .isInstanceOf(IndexException.class)
            .hasMessageContaining("Cannot publish 1 entries in redis rediss://127.0.0.1:" + port)
            .hasMessageNotContaining("certificate")
            .hasMessageNotContaining(RedisSettings.TLS_CLIENT_CERT_SETTING);
      }
    }
  }

  /**
   * The server restarted on the same port with {@code tls-auth-clients yes}: it closes each
   * connection after the handshake, which looks like an outage; the failures say what to set.
   */
  @Test
  void aServerRestartedToRequireACertificateIsNamedAsSuchNotAsAnOutage() throws Exception {
    startRedis();
    awaitAnswering();
    IndexEntry page = entry("w", 1, 1_000, 2_000);
    try (RedisPageIndex index = RedisPageIndex.open(settings())) {
      index.publish(List.of(page));

      stopRedis();
      startRedis("yes");
      Poll.until("redis to listen again", Duration.ofSeconds(20), this::listens);
      for (int attempt = 0; attempt < 2; attempt++) {
        // The first call meets a pooled connection the old server closed, the second a new one.
        assertThatThrownBy(() -> index.publish(List.of(page)))
            .as("attempt %d", attempt)
            .isInstanceOf(IndexException.class)
            .hasMessageContaining("Cannot publish 1 entries in redis rediss://127.0.0.1:" + port)
            // Seen as an alert (certificate_required) or as a closed connection that the index's
            // own handshake then explains: either way, the same advice.
            .hasMessageContaining("the server asks for a TLS client certificate and")
            .hasMessageContaining(RedisSettings.TLS_CLIENT_CERT_SETTING);
      }
    }
  }

  private void awaitAnswering() throws Exception {
    Poll.until(
        "redis (optional client certificates) to answer",
        Duration.ofSeconds(20),
        () -> {
          try (RedisPageIndex index = RedisPageIndex.open(settings())) {
            index.ping();
            return true;
          } catch (IndexException notYet) {
            return false;
          }
        });
  }

  private boolean listens() {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }
}
