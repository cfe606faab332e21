package io.prism.snapshotter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.testing.CapturedLogs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Exit;
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

  /**
   * Another process may take the controller's port between the check and Kafka's bind: Kafka then
   * halts the JVM (exit 1, no word of ours). Here it is the same sentence as for a port taken
   * before the check.
   */
  @Test
  void aControllerPortTakenAfterTheCheckIsOneSentenceNotAHaltedJvm() throws Exception {
    int port;
    int controllerPort;
    try (ServerSocket free = listening();
        ServerSocket freeToo = listening()) {
      port = free.getLocalPort();
      controllerPort = freeToo.getLocalPort();
    }
    List<ServerSocket> taken = new ArrayList<>();
    LocalBroker broker = new LocalBroker(new LocalPaths(data), port, controllerPort, false);
    broker.afterPortChecks(
        () -> {
          try {
            taken.add(new ServerSocket(controllerPort, 1, InetAddress.getLoopbackAddress()));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    try {
      assertThatThrownBy(broker::start)
          .isInstanceOf(IOException.class)
          .hasMessage(
              "127.0.0.1:"
                  + controllerPort
                  + " (local.controller.port) is in use by another process");
    } finally {
      broker.close();
      for (ServerSocket socket : taken) {
        socket.close();
      }
    }
    assertThat(taken).as("the hook ran").hasSize(1);
    // Kafka's default is back (not its reset's, which throws): a later halt ends the process.
    assertThat(exitField("haltProcedure")).isSameAs(KafkaExitTrap.HALT);
    assertThat(exitField("exitProcedure")).isSameAs(KafkaExitTrap.EXIT);
  }

  private static Object exitField(String name) throws ReflectiveOperationException {
    Field field = Exit.class.getDeclaredField(name);
    field.setAccessible(true);
    return field.get(null);
  }

  private static ServerSocket listening() throws IOException {
    return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
  }
}
