package io.prism.snapshotter.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.connect.SnapshotterSinkConnector;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.testing.ConnectTestCluster;
import io.prism.snapshotter.testing.TestServices;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Through a real broker and Connect worker, for each backend and publish mode: after the run, every
 * page in storage has exactly one index entry, and the index has no other.
 */
class IndexEndToEndIT {
  static final int PARTITIONS = 2;
  static final int WRITERS = 100;
  static final int RECORDS = 5_000;

  static ConnectTestCluster cluster;
  @TempDir Path dir;

  @BeforeAll
  static void startCluster() {
    cluster = ConnectTestCluster.start(1);
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  /**
   * A connector config storing into {@code storage} and indexing into {@code backend}, fresh names
   * each time.
   */
  static Map<String, String> connectorConfig(
      String topic, Path storage, String backend, String mode, Path dir) {
    return connectorConfig(topic, storage, backend, mode, dir, null);
  }

  /**
   * As above, with the index server at {@code indexUrl} ({@code null}: the one bin/test started).
   */
  static Map<String, String> connectorConfig(
      String topic, Path storage, String backend, String mode, Path dir, URI indexUrl) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", SnapshotterSinkConnector.class.getName());
    config.put("tasks.max", "2");
    config.put("topics", topic);
    config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    config.put("header.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("buffer.max.events", "40");
    config.put("buffer.max.age.seconds", "2");
    config.put("page.format", "protobuf");
    config.put("page.compression", "zstd");
    config.put("storage.backend", "filesystem");
    config.put("storage.filesystem.path", storage.toString());
    config.put("index.backend", backend);
    config.put("index.publish.mode", mode);
    String unique = topic.replace("-", "_");
    switch (backend) {
      case "sqlite" -> config.put("index.sqlite.path", dir.resolve("index.db").toString());
      case "clickhouse" -> {
        config.put(
            "index.clickhouse.url",
            (indexUrl != null ? indexUrl : TestServices.clickHouseUrl()).toString());
        config.put("index.clickhouse.user", "prism");
        config.put("index.clickhouse.password", "prism-secret");
        config.put("index.clickhouse.database", "prism_e2e");
        config.put("index.clickhouse.table", unique);
      }
      case "redis" -> {
        config.put(
            "index.redis.url", (indexUrl != null ? indexUrl : TestServices.redisUrl()).toString());
        config.put("index.redis.key.prefix", unique);
      }
      default -> throw new IllegalArgumentException(backend);
    }
    return config;
  }

  static void produce(String topic, int records, Duration pause) {
    try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
      for (int i = 0; i < records; i++) {
        String writer = "writer-" + (i % WRITERS) + (i % 7 == 0 ? "'; DROP TABLE x; --" : "");
        producer.send(
            new ProducerRecord<>(
                topic,
                writer.getBytes(StandardCharsets.UTF_8),
                ("event " + i).getBytes(StandardCharsets.UTF_8)));
        if (!pause.isZero() && i % 100 == 0) {
          Thread.sleep(pause.toMillis());
        }
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"sqlite, sync", "clickhouse, sync", "redis, sync", "clickhouse, async"})
  void everyStoredPageHasExactlyOneIndexEntry(String backend, String mode) throws Exception {
    String topic =
        "e2e-" + backend + "-" + mode + "-" + UUID.randomUUID().toString().substring(0, 8);
    cluster.createTopic(topic, PARTITIONS);
    Path storage = dir.resolve("pages");
    Map<String, String> config = connectorConfig(topic, storage, backend, mode, dir);
    cluster.startConnector(config);
    try {
      produce(topic, RECORDS, Duration.ZERO);
      cluster.awaitAllCommitted(topic, PARTITIONS, Duration.ofSeconds(90));
      FilesystemObjectStore store = new FilesystemObjectStore(storage);
      ConnectTestCluster.await(
          "every stored page indexed",
          Duration.ofSeconds(60),
          () -> IndexedPages.allIndexed(store, config));
      IndexedPages.assertEveryPageIndexedOnce(store, config);
      assertThat(cluster.taskStates()).allMatch(state -> state.startsWith("RUNNING"));
    } finally {
      cluster.connect().deleteConnector(ConnectTestCluster.CONNECTOR);
    }
  }
}
