package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.testing.CapturedLogs;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** This worker's id, worked out from the worker config as Connect names the worker in states. */
class OwnWorkerIdTest {
  private static String id(Map<String, ?> config, int requestPort) {
    return OwnWorkerId.fromWorkerConfig(config, () -> "10.0.0.7").forRequestPort(requestPort);
  }

  private static Map<String, Object> config(String... keysAndValues) {
    Map<String, Object> config = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      config.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return config;
  }

  @Test
  void theAdvertisedHostAndPortWin() {
    assertThat(
            id(
                config(
                    "listeners", "http://0.0.0.0:8083",
                    "rest.advertised.host.name", "connect-1.connect.svc",
                    "rest.advertised.port", "18083"),
                8083))
        .isEqualTo("connect-1.connect.svc:18083");
  }

  @Test
  void elseTheListenersHostAndPort() {
    assertThat(id(config("listeners", "http://worker-3:8083"), 9999)).isEqualTo("worker-3:8083");
    // As Connect advertises it: a wildcard address as it is (every such worker shares the id).
    assertThat(id(config("listeners", "http://0.0.0.0:8083"), 0)).isEqualTo("0.0.0.0:8083");
    assertThat(id(config("listeners", "http://[::1]:8083"), 0)).isEqualTo("[::1]:8083");
  }

  @Test
  void aListenerWithoutAHostIsThisMachinesAddressAsJettyGivesIt() {
    assertThat(id(config("listeners", "http://:8083"), 0)).isEqualTo("10.0.0.7:8083");
    assertThat(id(config(), 0)).as("Connect's default listeners").isEqualTo("10.0.0.7:8083");
    assertThat(id(Map.of("listeners", List.of("http://:9000")), 0)).isEqualTo("10.0.0.7:9000");
  }

  @Test
  void theAdvertisedProtocolPicksTheListener() {
    String both = "http://plain:8083,https://secure:8443";
    assertThat(id(config("listeners", both), 0)).isEqualTo("plain:8083");
    assertThat(id(config("listeners", both, "rest.advertised.listener", "HTTPS"), 0))
        .isEqualTo("secure:8443");
    assertThat(id(config("listeners", "HTTPS://secure:8443"), 0)).isEqualTo("secure:8443");
  }

  /** The test kit's workers listen on port 0: the port is the one each request is sent to. */
  @Test
  void portZeroIsTakenFromTheRequest() {
    OwnWorkerId self =
        OwnWorkerId.fromWorkerConfig(config("listeners", "HTTP://localhost:0"), () -> "x");
    assertThat(self.forRequestPort(41234)).isEqualTo("localhost:41234");
    assertThat(self.forRequestPort(-1)).isNull();
  }

  /**
   * Connect has ignored rest.host.name and rest.port since 3.0 (checked in connect-runtime 3.0.2,
   * 3.7.2, 3.9.2 and 4.0.2: no code reads them, listeners defaults to http://:8083): a worker still
   * set up with them listens on that default and Connect names it so. The checks do the same, and
   * say why.
   */
  @Test
  void theSettingsListenersReplacedAreIgnoredAsConnectDoesWithAWarning() {
    try (CapturedLogs logs = CapturedLogs.capture()) {
      assertThat(id(config("rest.host.name", "old-style-host", "rest.port", "18399"), 0))
          .isEqualTo("10.0.0.7:8083");
      assertThat(logs.lines())
          .filteredOn(line -> line.contains("rest.host.name and rest.port"))
          .singleElement()
          .asString()
          .startsWith("WARN")
          .contains("ignored since 3.0", "listeners 'http://:8083' (Connect's default)");
    }
    assertThat(id(config("listeners", "http://w:9000", "rest.port", "8083"), 0))
        .isEqualTo("w:9000");
  }

  /**
   * bin/snapshotter local: its worker's REST extension and the local run's own checks each work out
   * the worker's id; it is logged once.
   */
  @Test
  void aWorkerInThisJvmHasItsIdLoggedOnce() {
    Map<String, Object> worker = config("listeners", "http://127.0.0.1:18311");
    try (CapturedLogs logs = CapturedLogs.capture()) {
      new HealthRestExtension().configure(worker); // as the worker does at its start
      TasksHealth.of(null, worker); // as LocalConnect does; the cluster state is not asked here
      assertThat(logs.lines())
          .filteredOn(line -> line.contains("127.0.0.1:18311"))
          .singleElement()
          .asString()
          .contains("Health checks judge the tasks of this worker, 127.0.0.1:18311");
    }
  }

  @Test
  void anIdThatCannotBeWorkedOutIsUnknown() {
    assertThat(
            OwnWorkerId.fromWorkerConfig(
                    config("listeners", "http://:8083"),
                    () -> {
                      throw new UnknownHostException("no name");
                    })
                .forRequestPort(8083))
        .isNull();
    assertThat(id(config("listeners", "http://a:8083", "rest.advertised.port", "x"), 8083))
        .isNull();
    assertThat(id(config("listeners", "http://a:8083", "rest.advertised.listener", "https"), 8083))
        .as("no https listener to take the port from")
        .isNull();
    assertThat(OwnWorkerId.unknown().forRequestPort(8083)).isNull();
  }
}
