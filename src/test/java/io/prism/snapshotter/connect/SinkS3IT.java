package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.config.StorageConfig;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.ObjectStores;
import io.prism.snapshotter.testing.ConnectTestCluster;
import io.prism.snapshotter.testing.RestartableS3;
import io.prism.snapshotter.testing.StoredPages;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connector on S3 (S3Proxy, a real S3 HTTP server): pages land in the bucket; and when the
 * server stops answering for 30 s mid-stream, the task recovers by itself and loses nothing.
 */
class SinkS3IT {
  static final String TOPIC = "events";
  static final int PARTITIONS = 2;
  static final int WRITERS = 100;

  static RestartableS3 s3;
  static ConnectTestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    s3 = RestartableS3.start();
    s3.createBucket("pages");
    cluster = ConnectTestCluster.start(1);
    cluster.createTopic(TOPIC, PARTITIONS);
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
    s3.close();
  }

  static Map<String, String> s3Settings() {
    Map<String, String> config = new HashMap<>();
    config.put("storage.backend", "s3");
    config.put("storage.s3.bucket", "pages");
    config.put("storage.s3.endpoint", s3.endpoint());
    config.put("storage.s3.region", "us-east-1");
    config.put("storage.s3.path.style", "true");
    config.put("storage.s3.access.key", RestartableS3.ACCESS_KEY);
    config.put("storage.s3.secret.key", RestartableS3.SECRET_KEY);
    return config;
  }

  @Test
  void anS3OutageOfThirtySecondsLosesNothing() throws Exception {
    Map<String, String> config = SinkRoundTripIT.connectorConfig(java.nio.file.Path.of("unused"));
    config.remove("storage.filesystem.path");
    config.put("index.backend", "none");
    config.putAll(s3Settings());
    config.put("buffer.max.age.seconds", "2");
    cluster.startConnector(config);

    Map<String, List<String>> sent = new HashMap<>();
    CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> produce(sent, 40_000));
    Thread.sleep(3_000);
    s3.stop();
    Thread.sleep(30_000);
    s3.restart();
    producing.get();
    cluster.assertTopicHolds(TOPIC, PARTITIONS, 40_000);
    cluster.awaitAllCommitted(TOPIC, PARTITIONS, Duration.ofSeconds(120));
    assertThat(cluster.taskStates()).allMatch(state -> state.startsWith("RUNNING"));

    try (ObjectStore store = ObjectStores.open(new StorageConfig(s3Settings()))) {
      var pages = StoredPages.readAll(store, "");
      assertThat(pages)
          .allSatisfy(page -> assertThat(page.key()).startsWith("snapshots/").endsWith(".pb.zst"));
      Map<String, List<String>> replayed = StoredPages.replayedPayloads(pages);
      sent.forEach(
          (writer, payloads) ->
              assertThat(replayed.getOrDefault(writer, List.of()))
                  .as("replay of %s", writer)
                  .isEqualTo(payloads));
    }
  }

  private static void produce(Map<String, List<String>> sent, int records) {
    try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
      for (int i = 0; i < records; i++) {
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
          Thread.sleep(250); // about 10 s of traffic, across the outage
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
