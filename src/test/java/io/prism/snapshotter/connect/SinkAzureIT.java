package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.config.StorageConfig;
import io.prism.snapshotter.replay.EventFilter;
import io.prism.snapshotter.replay.ReplayStream;
import io.prism.snapshotter.replay.Replayer;
import io.prism.snapshotter.storage.Azurite;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.ObjectStores;
import io.prism.snapshotter.testing.ConnectTestCluster;
import io.prism.snapshotter.testing.StoredPages;
import io.prism.snapshotter.testing.TestServices;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connector on Azure Blob Storage (Azurite, started by bin/test): pages land in the container,
 * and replay, reading them back through the same backend, gives every writer its events in order.
 */
class SinkAzureIT {
  static final String TOPIC = "events";
  static final int PARTITIONS = 2;
  static final int WRITERS = 20;
  static final int RECORDS = 4_000;

  static ConnectTestCluster cluster;
  static String container;

  @BeforeAll
  static void start() {
    container = Azurite.newContainer();
    cluster = ConnectTestCluster.start(1);
    cluster.createTopic(TOPIC, PARTITIONS);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static Map<String, String> azureSettings() {
    Map<String, String> config = new HashMap<>();
    config.put("storage.backend", "azure");
    config.put("storage.azure.container", container);
    config.put("storage.azure.connection.string", TestServices.azuriteConnectionString());
    config.put("index.backend", "none");
    return config;
  }

  @Test
  void pagesLandInTheContainerAndReplayReadsThemBack() throws Exception {
    Map<String, String> config = SinkRoundTripIT.connectorConfig(Path.of("unused"));
    config.remove("storage.filesystem.path");
    config.remove("index.sqlite.path");
    config.putAll(azureSettings());
    cluster.startConnector(config);

    Map<String, List<String>> sent = produce();
    cluster.assertTopicHolds(TOPIC, PARTITIONS, RECORDS);
    cluster.awaitAllCommitted(TOPIC, PARTITIONS, Duration.ofSeconds(120));
    assertThat(cluster.taskStates()).allMatch(state -> state.startsWith("RUNNING"));

    try (ObjectStore store = ObjectStores.open(new StorageConfig(azureSettings()))) {
      var pages = StoredPages.readAll(store, "");
      assertThat(pages)
          .isNotEmpty()
          .allSatisfy(page -> assertThat(page.key()).startsWith("snapshots/").endsWith(".pb.zst"));
      assertThat(store.head(pages.get(0).key()))
          .hasValueSatisfying(info -> assertThat(info.userMetadata()).isNotEmpty());
    }
    try (Replayer replayer = Replayer.open(new SnapshotterConfig(azureSettings()))) {
      for (Map.Entry<String, List<String>> writer : sent.entrySet()) {
        List<String> replayed = new ArrayList<>();
        try (ReplayStream events = replayer.replay(writer.getKey(), EventFilter.ALL)) {
          while (events.hasNext()) {
            replayed.add(new String(events.next().event().payload(), StandardCharsets.UTF_8));
          }
        }
        assertThat(replayed).as("replay of %s", writer.getKey()).isEqualTo(writer.getValue());
      }
    }
  }

  private static Map<String, List<String>> produce() {
    Map<String, List<String>> sent = new HashMap<>();
    try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
      for (int i = 0; i < RECORDS; i++) {
        String writer = "writer-" + (i % WRITERS);
        String payload = writer + ":" + (i / WRITERS);
        sent.computeIfAbsent(writer, k -> new ArrayList<>()).add(payload);
        producer.send(
            new ProducerRecord<>(
                TOPIC,
                writer.getBytes(StandardCharsets.UTF_8),
                payload.getBytes(StandardCharsets.UTF_8)));
      }
    }
    return sent;
  }
}
