package io.prism.snapshotter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.testing.CapturedLogs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker's start when another process holds one of its ports. */
@Timeout(120)
class LocalBrokerTest {
  @TempDir Path data;

  @Test
  void aTakenBrokerPortIsOneSentenceNamingItAndKafkaLogsNoStackTrace() throws IOException {
    try (ServerSocket taken = listening();
        ServerSocket free = listening()) {
      int controllerPort = free.getLocalPort();
      free.close();
      LocalBroker broker =
          new LocalBroker(new LocalPaths(data), taken.getLocalPort(), controllerPort, false);
      try (CapturedLogs logs = CapturedLogs.capture()) {
        assertThatThrownBy(broker::start)
            .isInstanceOf(IOException.class)
            .hasMessage(
                "127.0.0.1:"
                    + taken.getLocalPort()
                    + " (local.kafka.port) is in use by another process");
        assertThat(logs.lines()).noneMatch(line -> line.contains("kafka"));
      } finally {
        broker.close();
      }
    }
  }

  /** Kafka itself halts the JVM when the controller's port is taken; here it is a sentence. */
  @Test
  void aTakenControllerPortIsOneSentenceNamingIt() throws IOException {
    try (ServerSocket taken = listening();
        ServerSocket free = listening()) {
      int port = free.getLocalPort();
      free.close();
      LocalBroker broker = new LocalBroker(new LocalPaths(data), port, taken.getLocalPort(), false);
      try {
        assertThatThrownBy(broker::start)
            .hasMessage(
                "127.0.0.1:"
                    + taken.getLocalPort()
                    + " (local.controller.port) is in use by another process");
      } finally {
        broker.close();
      }
    }
  }

  private static ServerSocket listening() throws IOException {
    return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
  }
}
