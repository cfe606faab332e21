package io.prism.snapshotter.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

/** A server that did not answer, told from one that refused (which must fail a task at once). */
class UnreachableTest {
  @Test
  void connectionFailuresAnywhereInTheChainAreUnreachable() {
    assertThat(Unreachable.causeOf(new IndexException("x", new ConnectException("refused"))))
        .isTrue();
    assertThat(
            Unreachable.causeOf(
                new IndexException(
                    "x", new RuntimeException(new SocketException("Connection reset")))))
        .as("a connection reset while the server restarts")
        .isTrue();
    assertThat(
            Unreachable.causeOf(new IndexException("x", new SocketTimeoutException("timed out"))))
        .isTrue();
    RuntimeException withSuppressed = new RuntimeException("all addresses failed");
    withSuppressed.addSuppressed(new ConnectException("refused"));
    assertThat(Unreachable.causeOf(withSuppressed))
        .as("Jedis keeps attempts as suppressed")
        .isTrue();
  }

  @Test
  void refusalsAreNot() {
    assertThat(Unreachable.causeOf(new IndexException("Code: 516, authentication failed", null)))
        .isFalse();
    assertThat(Unreachable.causeOf(new IndexException("x", new IOException("HTTP 500")))).isFalse();
  }

  @Test
  void aConnectionTheServerClosedIsToldFromOneItRefusedOrLeftUnanswered() {
    assertThat(
            Unreachable.closedByServer(
                new IndexException("x", new SocketException("Broken pipe (Write failed)"))))
        .isTrue();
    assertThat(
            Unreachable.closedByServer(
                new RuntimeException(
                    new redis.clients.jedis.exceptions.JedisConnectionException(
                        "Unexpected end of stream."))))
        .as("Jedis reading a reply from a closed connection")
        .isTrue();
    assertThat(Unreachable.closedByServer(new RuntimeException(new java.io.EOFException())))
        .isTrue();
    assertThat(Unreachable.closedByServer(new IndexException("x", new ConnectException("refused"))))
        .isFalse();
    assertThat(
            Unreachable.closedByServer(
                new IndexException("x", new SocketTimeoutException("Read timed out"))))
        .isFalse();
  }
}
