package io.prism.snapshotter.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The embedded Connect worker, started on an embedded broker. */
@Timeout(180)
class LocalConnectTest {
  @TempDir Path data;

  /**
   * The local stack's own shutdown hook stops the worker, after the front door and before the
   * broker; a second hook of Connect's, run at the same time, let the broker stop under the
   * stopping task.
   */
  @Test
  void theWorkerAddsNoShutdownHookOfItsOwn() throws Exception {
    List<String> hooksAdded = new CopyOnWriteArrayList<>();
    Exit.setShutdownHookAdder((name, hook) -> hooksAdded.add(name));
    LocalPaths paths = new LocalPaths(data);
    LocalBroker broker = new LocalBroker(paths, freePort(), freePort(), false);
    LocalConnect connect = null;
    try {
      broker.start();
      broker.createTopics(Map.of(LocalSettings.TOPIC, 1));
      connect = new LocalConnect(paths, broker.bootstrapServers(), freePort());
      connect.start(LocalSettings.assemble(Optional.empty(), Map.of(), paths).connector());

      assertThat(hooksAdded).doesNotContain(LocalConnect.CONNECT_SHUTDOWN_HOOK);
    } finally {
      if (connect != null) {
        connect.close();
      }
      broker.close();
      Exit.resetShutdownHookAdder();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
