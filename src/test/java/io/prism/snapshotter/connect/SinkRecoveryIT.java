package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.testing.ConnectTestCluster;
import io.prism.snapshotter.testing.StoredPages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers that stop without storing their buffers, and workers that join and leave: afterwards
 * every event is in storage, and replay (which drops repeated event ids) sees each once, in each
 * writer's order.
 */
class SinkRecoveryIT {
  static final String TOPIC = "events";
  static final int PARTITIONS = 4;
  static final int WRITERS = 200;

  ConnectTestCluster cluster;
  @TempDir Path pages;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void workerStoppedWithoutFlushingThreeTimesLosesNothing() throws Exception {
    cluster = ConnectTestCluster.start(1);
    cluster.createTopic(TOPIC, PARTITIONS);
    Map<String, String> config = SinkRoundTripIT.connectorConfig(pages);
    // Without a flush on stop, stopping the worker drops every buffer, as a crash would: what
    // was only in memory must come back from Kafka.
    config.put("buffer.flush.on.disconnect", "false");
    config.put("buffer.max.events", "40");
    cluster.startConnector(config);

    Map<String, List<String>> sent = new HashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Void> producing =
        CompletableFuture.runAsync(() -> produce(sent, 60_000, stop));
    for (int crash = 0; crash < 3; crash++) {
      Thread.sleep(2_500);
      WorkerHandle worker = cluster.connect().workers().iterator().next();
      cluster.connect().removeWorker(worker);
      Thread.sleep(500);
      cluster.connect().addWorker();
    }
    producing.get();
    cluster.assertTopicHolds(TOPIC, PARTITIONS, 60_000);
    cluster.awaitAllCommitted(TOPIC, PARTITIONS, Duration.ofSeconds(90));
    assertEveryEventOnceInOrder(sent);
  }

  @Test
  void aWorkerJoiningAndLeavingLosesNothing() throws Exception {
    cluster = ConnectTestCluster.start(1);
    cluster.createTopic(TOPIC, PARTITIONS);
    cluster.startConnector(SinkRoundTripIT.connectorConfig(pages));

    Map<String, List<String>> sent = new HashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Void> producing =
        CompletableFuture.runAsync(() -> produce(sent, 60_000, stop));
    Thread.sleep(2_000);
    WorkerHandle second = cluster.connect().addWorker();
    Thread.sleep(4_000);
    cluster.connect().removeWorker(second);
    producing.get();
    cluster.assertTopicHolds(TOPIC, PARTITIONS, 60_000);
    cluster.awaitAllCommitted(TOPIC, PARTITIONS, Duration.ofSeconds(90));
    assertEveryEventOnceInOrder(sent);
  }

  private void assertEveryEventOnceInOrder(Map<String, List<String>> sent) throws Exception {
    Map<String, List<String>> replayed =
        StoredPages.replayedPayloads(StoredPages.readAll(new FilesystemObjectStore(pages), ""));
    sent.forEach(
        (writer, payloads) ->
            assertThat(replayed.getOrDefault(writer, List.of()))
                .as("replay of %s", writer)
                .isEqualTo(payloads));
  }

  private void produce(Map<String, List<String>> sent, int records, AtomicBoolean stop) {
    try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
      for (int i = 0; i < records && !stop.get(); i++) {
        String writer = "writer-" + (i % WRITERS);
        String payload = writer + ":" + (i / WRITERS);
        synchronized (sent) {
          sent.computeIfAbsent(writer, k -> new ArrayList<>()).add(payload);
        }
        producer.send(
            new ProducerRecord<>(
                TOPIC,
                writer.getBytes(StandardCharsets.UTF_8),
                payload.getBytes(StandardCharsets.UTF_8)));
        if (i % 1_000 == 999) {
          Thread.sleep(100); // spread the stream over the faults: ~6 s for 60,000 records
        }
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
