package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.testing.ConnectTestCluster;
import io.prism.snapshotter.testing.StoredPages;
import io.prism.snapshotter.testing.StoredPages.StoredPage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.runtime.rest.errors.ConnectRestException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moving and resetting the connector's offsets through a real worker's REST API (Connect 3.6+,
 * connector stopped): moved back into stored pages, nothing is stored twice; moved forward, the
 * records skipped are never stored; reset, the topic is read again from its start and only what was
 * never stored is stored; an offset for a topic the connector does not read is refused.
 */
class SinkOffsetsIT {
  static final String TOPIC = "moved";
  static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
  static final String CONNECTOR = ConnectTestCluster.CONNECTOR;

  /**
   * The worker's answers when the connector says that moving the group's offsets is all there is to
   * do; without that, they add that offsets kept outside Kafka must be moved by hand.
   */
  static final String ALTERED =
      "{\"message\":\"The offsets for this connector have been altered successfully\"}";

  static final String RESET =
      "{\"message\":\"The offsets for this connector have been reset successfully\"}";

  ConnectTestCluster cluster;
  @TempDir Path pages;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void offsetsMovedBackForwardAndResetStoreEachRecordAtMostOnce() throws Exception {
    cluster = ConnectTestCluster.start(1);
    cluster.createTopic(TOPIC, 1);
    Map<String, String> config = SinkRoundTripIT.connectorConfig(pages);
    config.put("topics", TOPIC);
    config.put("tasks.max", "1");
    config.put("buffer.max.events", "10");
    config.put("buffer.max.age.seconds", "3600"); // pages close on their count only
    cluster.startConnector(config);
    send(0, 30);
    cluster.awaitAllCommitted(TOPIC, 1, Duration.ofSeconds(60));
    assertThat(storedPayloads()).isEqualTo(events(0, 30));

    // Back into the middle of a stored page: records 15..29 come again and are recognised.
    stopConnector();
    assertThat(cluster.connect().alterSinkConnectorOffset(CONNECTOR, PARTITION, 15L))
        .isEqualTo(ALTERED);
    assertThat(cluster.committedOffsets()).isEqualTo(Map.of(PARTITION, 15L));
    cluster.connect().resumeConnector(CONNECTOR);
    send(30, 40);
    cluster.awaitAllCommitted(TOPIC, 1, Duration.ofSeconds(60));
    assertThat(storedPayloads()).isEqualTo(events(0, 40));

    // Forward past records produced while stopped: 40..49 are skipped, never stored.
    stopConnector();
    send(40, 60);
    assertThat(cluster.connect().alterSinkConnectorOffset(CONNECTOR, PARTITION, 50L))
        .isEqualTo(ALTERED);
    cluster.connect().resumeConnector(CONNECTOR);
    send(60, 70);
    cluster.awaitAllCommitted(TOPIC, 1, Duration.ofSeconds(60));
    List<String> skipping = new ArrayList<>(events(0, 40));
    skipping.addAll(events(50, 70));
    assertThat(storedPayloads()).isEqualTo(skipping);

    // A misspelt topic is refused, and nothing is moved.
    stopConnector();
    assertThatThrownBy(
            () ->
                cluster
                    .connect()
                    .alterSinkConnectorOffset(CONNECTOR, new TopicPartition("mvoed", 0), 3L))
        .isInstanceOf(ConnectRestException.class)
        .hasMessageContaining("does not read topic 'mvoed' (topics='moved')")
        .satisfies(
            refused -> assertThat(((ConnectRestException) refused).statusCode()).isEqualTo(500));
    assertThat(cluster.committedOffsets()).isEqualTo(Map.of(PARTITION, 70L));

    // Reset: the topic is read from its start; only 40..49, never stored, are stored now.
    assertThat(cluster.connect().resetConnectorOffsets(CONNECTOR)).isEqualTo(RESET);
    assertThat(cluster.committedOffsets()).isEmpty();
    cluster.connect().resumeConnector(CONNECTOR);
    cluster.awaitAllCommitted(TOPIC, 1, Duration.ofSeconds(60));
    assertThat(storedPayloads()).isEqualTo(events(0, 70));
  }

  private void stopConnector() throws InterruptedException {
    cluster.connect().stopConnector(CONNECTOR);
    cluster.connect().assertions().assertConnectorIsStopped(CONNECTOR, "connector not stopped");
  }

  private void send(int from, int to) {
    try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
      for (String payload : events(from, to)) {
        producer.send(
            new ProducerRecord<>(
                TOPIC,
                0,
                "w".getBytes(StandardCharsets.UTF_8),
                payload.getBytes(StandardCharsets.UTF_8)));
      }
    }
    cluster.assertTopicHolds(TOPIC, 1, to);
  }

  private static List<String> events(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "e" + i).toList();
  }

  /** Every event of every stored page, pages in offset order: a second copy would show twice. */
  private List<String> storedPayloads() throws Exception {
    List<StoredPage> stored = StoredPages.readAll(new FilesystemObjectStore(pages), "");
    stored.sort(Comparator.comparingLong(StoredPage::firstOffset));
    List<String> payloads = new ArrayList<>();
    for (StoredPage page : stored) {
      for (Event event : page.page().events()) {
        payloads.add(new String(event.payload(), StandardCharsets.UTF_8));
      }
    }
    return payloads;
  }
}
