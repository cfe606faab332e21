package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.testing.ConnectTestCluster;
import io.prism.snapshotter.testing.StoredPages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records that can never become events: with a dead letter queue they go there and nothing else is
 * lost; without one the task stops with a message naming topic, partition and offset. Also:
 * session-end control records, tombstones and JSON values.
 */
class SinkBadInputIT {
  static ConnectTestCluster cluster;
  // One directory for the class, removed after the cluster stops: a connector being deleted
  // may still store its last pages while a per-test directory is already being removed.
  @TempDir static Path storage;

  @BeforeAll
  static void start() {
    cluster = ConnectTestCluster.start(1);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void recordsWithoutAWriterGoToTheDeadLetterQueueAndTheRestIsStored(
      org.junit.jupiter.api.TestInfo test) throws Exception {
    Path pages = storage.resolve(test.getTestMethod().orElseThrow().getName());
    cluster.createTopic("dlq-in", 1);
    cluster.createTopic("dlq-out", 1);
    Map<String, String> config = SinkRoundTripIT.connectorConfig(pages);
    config.put("topics", "dlq-in");
    config.put("errors.tolerance", "all");
    config.put("errors.deadletterqueue.topic.name", "dlq-out");
    config.put("errors.deadletterqueue.topic.replication.factor", "1");
    config.put("errors.deadletterqueue.context.headers.enable", "true");
    config.put("buffer.max.age.seconds", "1");
    cluster.connect().configureConnector("dlq", config);
    try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
      producer.send(new ProducerRecord<>("dlq-in", bytes("w1"), bytes("first")));
      producer.send(new ProducerRecord<>("dlq-in", null, bytes("no writer")));
      producer.send(new ProducerRecord<>("dlq-in", bytes(""), bytes("empty writer")));
      producer.send(new ProducerRecord<>("dlq-in", bytes("w1"), bytes("second")));
    }
    ConsumerRecords<byte[], byte[]> dead = cluster.connect().kafka().consume(2, 30_000, "dlq-out");
    assertThat(dead.count()).isEqualTo(2);
    for (ConsumerRecord<byte[], byte[]> record : dead) {
      assertThat(record.headers().lastHeader("__connect.errors.exception.message")).isNotNull();
      assertThat(
              new String(
                  record.headers().lastHeader("__connect.errors.exception.message").value(),
                  StandardCharsets.UTF_8))
          .contains("dlq-in-0@")
          .contains("no writer id");
    }
    ConnectTestCluster.await(
        "both good events stored", Duration.ofSeconds(30), () -> storedPayloads(pages).size() == 2);
    assertThat(storedPayloads(pages)).containsExactly("first", "second");
    cluster.connect().deleteConnector("dlq");
  }

  @Test
  void withoutADeadLetterQueueTheTaskFailsNamingTheRecord(org.junit.jupiter.api.TestInfo test)
      throws Exception {
    Path pages = storage.resolve(test.getTestMethod().orElseThrow().getName());
    cluster.createTopic("strict-in", 1);
    Map<String, String> config = SinkRoundTripIT.connectorConfig(pages);
    config.put("topics", "strict-in");
    config.put("tasks.max", "1");
    cluster.connect().configureConnector("strict", config);
    try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
      producer.send(new ProducerRecord<>("strict-in", bytes("w1"), bytes("ok")));
      producer.send(new ProducerRecord<>("strict-in", null, bytes("no writer")));
    }
    ConnectTestCluster.await(
        "task failed",
        Duration.ofSeconds(30),
        () -> {
          try {
            var tasks = cluster.connect().connectorStatus("strict").tasks();
            return !tasks.isEmpty() && tasks.get(0).state().equals("FAILED");
          } catch (org.apache.kafka.connect.runtime.rest.errors.ConnectRestException notYet) {
            return false; // the connector's status is not published yet
          }
        });
    String trace = cluster.connect().connectorStatus("strict").tasks().get(0).trace();
    assertThat(trace).contains("strict-in-0@1").contains("no writer id");
    cluster.connect().deleteConnector("strict");
  }

  /**
   * Connect accepts a dead letter queue with errors.tolerance=none (its default) and gives the task
   * a reporter, whose report writes the record to the queue and then fails "Tolerance exceeded in
   * error handler". The task stops as without a queue, saying why the queue was not used, and
   * leaves the queue empty (it had another copy after every restart).
   */
  @Test
  void withErrorsToleranceNoneTheDeadLetterQueueStaysEmptyAndTheTaskSaysWhy(
      org.junit.jupiter.api.TestInfo test) throws Exception {
    Path pages = storage.resolve(test.getTestMethod().orElseThrow().getName());
    cluster.createTopic("unused-dlq-in", 1);
    cluster.createTopic("unused-dlq-out", 1);
    Map<String, String> config = SinkRoundTripIT.connectorConfig(pages);
    config.put("topics", "unused-dlq-in");
    config.put("tasks.max", "1");
    config.put("errors.deadletterqueue.topic.name", "unused-dlq-out");
    config.put("errors.deadletterqueue.topic.replication.factor", "1");
    cluster.connect().configureConnector("unused-dlq", config);
    try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
      producer.send(new ProducerRecord<>("unused-dlq-in", bytes("w1"), bytes("ok")));
      producer.send(new ProducerRecord<>("unused-dlq-in", null, bytes("no writer")));
    }
    ConnectTestCluster.await(
        "task failed",
        Duration.ofSeconds(30),
        () -> {
          List<String> states = cluster.taskStates("unused-dlq");
          return states.size() == 1 && states.get(0).startsWith("FAILED");
        });
    String trace = cluster.connect().connectorStatus("unused-dlq").tasks().get(0).trace();
    assertThat(trace)
        .contains("unused-dlq-in-0@1")
        .contains("no writer id")
        .contains("dead letter queue 'unused-dlq-out'")
        .contains("only with errors.tolerance=all");
    Thread.sleep(2_000); // a record sent to the queue would be there by now
    assertThat(cluster.endOffsets("unused-dlq-out", 1).values()).containsExactly(0L);
    cluster.connect().deleteConnector("unused-dlq");
  }

  @Test
  void sessionEndStoresTheWritersPageAndIsNotAnEvent(org.junit.jupiter.api.TestInfo test)
      throws Exception {
    Path pages = storage.resolve(test.getTestMethod().orElseThrow().getName());
    cluster.createTopic("sessions", 1);
    Map<String, String> config = SinkRoundTripIT.connectorConfig(pages);
    config.put("topics", "sessions");
    config.put("buffer.max.age.seconds", "3600");
    config.put("buffer.max.events", "1000");
    config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    config.put("value.converter.schemas.enable", "false");
    cluster.connect().configureConnector("sessions", config);
    try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
      producer.send(new ProducerRecord<>("sessions", bytes("alice"), bytes("{\"n\":1}")));
      producer.send(new ProducerRecord<>("sessions", bytes("alice"), null)); // tombstone: no event
      producer.send(new ProducerRecord<>("sessions", bytes("bob"), bytes("{\"n\":2}")));
      ProducerRecord<byte[], byte[]> end =
          new ProducerRecord<>("sessions", bytes("alice"), bytes("{}"));
      end.headers().add("prism.session", bytes("end"));
      producer.send(end);
    }
    ConnectTestCluster.await(
        "alice's page stored", Duration.ofSeconds(30), () -> storedPayloads(pages).size() == 1);
    var stored = StoredPages.readAll(new FilesystemObjectStore(pages), "");
    assertThat(stored)
        .singleElement()
        .satisfies(
            page -> {
              assertThat(page.page().metadata().writerId()).isEqualTo("alice");
              assertThat(page.page().events())
                  .extracting(e -> new String(e.payload(), StandardCharsets.UTF_8))
                  .containsExactly("{\"n\":1}");
            });
    // bob's page is still open (no age, no count reached): the commit must stop before it.
    ConnectTestCluster.await(
        "offset committed up to bob",
        Duration.ofSeconds(15),
        () ->
            cluster
                    .committedOffsetsOf("sessions")
                    .getOrDefault(new org.apache.kafka.common.TopicPartition("sessions", 0), -1L)
                == 2L);
    cluster.connect().deleteConnector("sessions");
  }

  /**
   * Records a Filter SMT drops never reach the task, but Connect moves its position past them: once
   * the task's own records are durable, the committed offset passes them too (lag 0).
   */
  @Test
  void recordsAnSmtDropsAreCommittedOnceTheRestIsStored(org.junit.jupiter.api.TestInfo test)
      throws Exception {
    Path pages = storage.resolve(test.getTestMethod().orElseThrow().getName());
    cluster.createTopic("filtered", 1);
    Map<String, String> config = SinkRoundTripIT.connectorConfig(pages);
    config.put("topics", "filtered");
    config.put("buffer.max.age.seconds", "1");
    config.put("transforms", "drop");
    config.put("transforms.drop.type", "org.apache.kafka.connect.transforms.Filter");
    config.put("transforms.drop.predicate", "marked");
    config.put("predicates", "marked");
    config.put(
        "predicates.marked.type", "org.apache.kafka.connect.transforms.predicates.HasHeaderKey");
    config.put("predicates.marked.name", "drop");
    cluster.connect().configureConnector("filtered", config);
    try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
      producer.send(new ProducerRecord<>("filtered", bytes("w1"), bytes("kept")));
      for (int i = 0; i < 2; i++) {
        ProducerRecord<byte[], byte[]> dropped =
            new ProducerRecord<>("filtered", bytes("w1"), bytes("dropped"));
        dropped.headers().add("drop", bytes("yes"));
        producer.send(dropped);
      }
    }
    ConnectTestCluster.await(
        "the kept event stored", Duration.ofSeconds(30), () -> storedPayloads(pages).size() == 1);
    ConnectTestCluster.await(
        "offset committed past the dropped records",
        Duration.ofSeconds(30),
        () ->
            cluster
                    .committedOffsetsOf("filtered")
                    .getOrDefault(new org.apache.kafka.common.TopicPartition("filtered", 0), -1L)
                == 3L);
    assertThat(storedPayloads(pages)).containsExactly("kept");
    cluster.connect().deleteConnector("filtered");
  }

  private static List<String> storedPayloads(Path pages) {
    try {
      return StoredPages.readAll(new FilesystemObjectStore(pages), "").stream()
          .flatMap(page -> page.page().events().stream())
          .map(Event::payload)
          .map(b -> new String(b, StandardCharsets.UTF_8))
          .toList();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
