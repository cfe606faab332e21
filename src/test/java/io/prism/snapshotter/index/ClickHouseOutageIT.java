package io.prism.snapshotter.index;

import io.prism.snapshotter.testing.ClickHouseProcess;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@link IndexOutageScenarios} with the ClickHouse server bin/test started, stopped and started
 * again.
 */
class ClickHouseOutageIT extends IndexOutageScenarios {
  final ClickHouseProcess clickHouse = ClickHouseProcess.fromEnvironment();

  @Override
  String backend() {
    return "clickhouse";
  }

  @Override
  Map<String, String> connectorConfig(String topic, Path storage, String mode) {
    return IndexEndToEndIT.connectorConfig(topic, storage, "clickhouse", mode, dir);
  }

  @Override
  void stopIndex() throws Exception {
    clickHouse.stop();
  }

  @Override
  void startIndex() throws Exception {
    clickHouse.start();
  }

  @Override
  void restoreIndex() throws Exception {
    if (!clickHouse.answers()) {
      clickHouse.start(); // never leave the shared server down for the next test
    }
  }
}
