package io.prism.snapshotter.index;

import io.prism.snapshotter.testing.RedisProcess;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link IndexOutageScenarios} with a Redis of the test's own, stopped with SIGTERM and started
 * again on the same port and directory: its append-only file, fsynced on every write, brings back
 * the entries published before the outage (the shared Redis of bin/test keeps nothing over a
 * restart).
 */
class RedisOutageIT extends IndexOutageScenarios {
  RedisProcess redis;

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisProcess.startIn(dir.resolve("redis"));
  }

  @Override
  String backend() {
    return "redis";
  }

  @Override
  Map<String, String> connectorConfig(String topic, Path storage, String mode) {
    return IndexEndToEndIT.connectorConfig(topic, storage, "redis", mode, dir, redis.url());
  }

  @Override
  void stopIndex() throws Exception {
    redis.stop();
  }

  @Override
  void startIndex() throws Exception {
    redis.start();
  }

  @Override
  void restoreIndex() throws Exception {
    if (redis != null) {
      redis.stop(); // a process of this test's own: never left running
    }
  }
}
