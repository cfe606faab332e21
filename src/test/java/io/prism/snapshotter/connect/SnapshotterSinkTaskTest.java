package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.metrics.SnapshotterMetrics;
import io.prism.snapshotter.metrics.TaskMetrics;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.testing.CapturedLogs;
import io.prism.snapshotter.testing.ManualClock;
import io.prism.snapshotter.testing.StoredPages;
import io.prism.snapshotter.testing.StubSinkTaskContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The task on its own, with a stand-in for the worker's context: offsets, bad records, stop. */
class SnapshotterSinkTaskTest {
  static final TopicPartition P0 = new TopicPartition("events", 0);
  static final TopicPartition P1 = new TopicPartition("events", 1);

  @TempDir Path pages;
  final List<SinkRecord> reported = new ArrayList<>();
  final List<Throwable> reportedErrors = new ArrayList<>();
  final StubSinkTaskContext context = new StubSinkTaskContext(Map.of(), Set.of(P0));

  /**
   * A task with a dead letter queue (or none), whose reporter records what it gets in {@link
   * #reported}: as Connect's does under {@code errors.tolerance=all}, which it is given then.
   */
  private SnapshotterSinkTask start(boolean withReporter, Map<String, String> extra) {
    Map<String, String> props = new HashMap<>();
    if (withReporter) {
      props.put("errors.tolerance", "all");
    }
    props.putAll(extra);
    return start(
        withReporter
            ? (record, error) -> {
              reported.add(record);
              reportedErrors.add(error);
              return CompletableFuture.completedFuture(null);
            }
            : null,
        props);
  }

  private SnapshotterSinkTask start(ErrantRecordReporter reporter, Map<String, String> extra) {
    context.reporter(reporter);
    SnapshotterSinkTask task = new SnapshotterSinkTask(new ManualClock());
    task.initialize(context);
    Map<String, String> props = new HashMap<>();
    props.put("storage.filesystem.path", pages.toString());
    props.put(
        "index.sqlite.path", pages.resolveSibling(pages.getFileName() + "-index.db").toString());
    props.put("buffer.max.events", "2");
    props.putAll(extra);
    task.start(props);
    task.open(Set.of(P0));
    return task;
  }

  /**
   * Unset, storage.upload.threads follows the backend: the task says at start how many threads it
   * stores pages on (the worker logs the key itself as null). S3 here points at a closed port: the
   * task starts without asking the store anything.
   */
  @Test
  void theTaskStartsTheUploadThreadsItsBackendCallsForAndSaysHowMany() {
    Map<String, String> s3 =
        Map.of(
            "storage.backend", "s3",
            "storage.s3.bucket", "pages",
            "storage.s3.endpoint", "http://127.0.0.1:1",
            "storage.s3.region", "us-east-1",
            "storage.s3.access.key", "key",
            "storage.s3.secret.key", "secret");
    Map<String, String> s3Set = new HashMap<>(s3);
    s3Set.put("storage.upload.threads", "3");
    for (var expected :
        List.of(
            Map.entry(Map.<String, String>of(), "(2 upload threads)"),
            Map.entry(s3, "(8 upload threads)"),
            Map.entry(s3Set, "(3 upload threads)"),
            Map.entry(Map.of("storage.upload.threads", "0"), "(stored on the task's thread)"))) {
      try (CapturedLogs logs = CapturedLogs.capture()) {
        SnapshotterSinkTask task = start(false, expected.getKey());
        task.stop();
        assertThat(logs.lines())
            .as("%s", expected.getKey())
            .filteredOn(line -> line.contains("Started: pages to"))
            .singleElement()
            .asString()
            .contains(expected.getValue());
      }
    }
  }

  private static SinkRecord record(Object key, String value, long offset) {
    return record(key, value, offset, new ConnectHeaders());
  }

  private static SinkRecord record(Object key, String value, long offset, ConnectHeaders headers) {
    return new SinkRecord(
        "events",
        0,
        Schema.OPTIONAL_STRING_SCHEMA,
        key,
        Schema.OPTIONAL_BYTES_SCHEMA,
        value == null ? null : value.getBytes(StandardCharsets.UTF_8),
        offset,
        1000L + offset,
        TimestampType.CREATE_TIME,
        headers);
  }

  /** A schemaless (JsonConverter) record whose value is {@code value}, e.g. a Map or null. */
  private static SinkRecord valueRecord(Object value, long offset) {
    return new SinkRecord(
        "events", 0, null, "k", null, value, offset, 1000L + offset, TimestampType.CREATE_TIME);
  }

  /**
   * Pages are stored on upload threads, so a closed page becomes durable a little after the put
   * that closed it: polls preCommit until it reaches {@code expected}, failing if it ever passes
   * it.
   */
  private static void awaitCommitted(SnapshotterSinkTask task, long position, long expected) {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
    while (true) {
      long committed = task.preCommit(Map.of(P0, new OffsetAndMetadata(position))).get(P0).offset();
      assertThat(committed).as("committed offset").isLessThanOrEqualTo(expected);
      if (committed == expected) {
        return;
      }
      assertThat(System.nanoTime())
          .as("committed offset %s reaches %s in time", committed, expected)
          .isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  @Test
  void offsetsFollowDurablePagesOnly() {
    SnapshotterSinkTask task = start(true, Map.of());
    task.put(List.of(record("a", "1", 0), record("b", "2", 1), record("a", "3", 2)));
    // a's page (0, 2) is stored; b's (1) is only in memory: the commit stops at 1.
    awaitCommitted(task, 3, 1);
    task.put(List.of(record("b", "4", 3)));
    awaitCommitted(task, 4, 4);
    task.stop();
  }

  /**
   * A batch whose first page is stored and whose second cannot be indexed: put fails, so Connect
   * has not counted the batch, and an offset past its position would be refused ("not yet
   * consumed") on every commit until the batch succeeds.
   */
  @Test
  void aFailingBatchNeverCommitsPastConnectsPosition() throws Exception {
    SnapshotterSinkTask task = start(true, Map.of("storage.upload.threads", "0"));
    task.put(List.of(record("a", "1", 0), record("a", "2", 1)));
    try (var sql =
            DriverManager.getConnection(
                "jdbc:sqlite:" + pages.resolveSibling(pages.getFileName() + "-index.db"));
        var statement = sql.createStatement()) {
      statement.execute(
          "CREATE TRIGGER refuse_c BEFORE INSERT ON pages WHEN NEW.writer_id = 'c'"
              + " BEGIN SELECT RAISE(ABORT, 'c refused'); END");
    }
    List<SinkRecord> batch =
        List.of(record("b", "3", 2), record("b", "4", 3), record("c", "5", 4), record("c", "6", 5));
    assertThatThrownBy(() -> task.put(batch)).isInstanceOf(RetriableException.class);

    // b's page (2, 3) is durable, c's is not: the durable offset is 4, Connect's position 2.
    assertThat(task.preCommit(Map.of(P0, new OffsetAndMetadata(2))))
        .containsEntry(P0, new OffsetAndMetadata(2));
    task.stop();
  }

  /**
   * An outage whose failed pages are dropped (their partition revoked) ends for the task without a
   * page stored: the next failure, however much later, is a new outage, with the first back-off and
   * its stack trace logged, counted from 1 (not "3 in a row" after a 2 s wait).
   */
  @Test
  void anOutageWhosePagesWereDroppedWithTheirPartitionEndsForTheNextFailure() throws Exception {
    SnapshotterSinkTask task = start(true, Map.of("storage.upload.threads", "0"));
    try (var sql =
            DriverManager.getConnection(
                "jdbc:sqlite:" + pages.resolveSibling(pages.getFileName() + "-index.db"));
        var statement = sql.createStatement()) {
      statement.execute(
          "CREATE TRIGGER refuse_c BEFORE INSERT ON pages WHEN NEW.writer_id = 'c'"
              + " BEGIN SELECT RAISE(ABORT, 'c refused'); END");
    }
    List<SinkRecord> refused = List.of(record("c", "1", 0), record("c", "2", 1));
    assertThatThrownBy(() -> task.put(refused)).isInstanceOf(RetriableException.class);
    assertThatThrownBy(() -> task.put(refused)).isInstanceOf(RetriableException.class);
    task.close(Set.of(P0)); // its flush fails too: c's page is dropped, Kafka re-delivers it
    task.open(Set.of(P0));
    task.put(List.of(record("a", "3", 0))); // nothing waits to be stored: the outage is over

    try (CapturedLogs logs = CapturedLogs.capture()) {
      assertThatThrownBy(() -> task.put(List.of(record("c", "4", 1), record("c", "5", 2))))
          .isInstanceOf(RetriableException.class);
      assertThat(context.timeouts()).containsExactly(500L, 1_000L, 500L);
      assertThat(logs.lines())
          .filteredOn(line -> line.contains("failed (1 in a row"))
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .as("a new outage logs its stack trace")
          .contains("c refused")
          .contains("\tat ");
    }
    task.stop();
  }

  @Test
  void onTheTaskThreadAPageIsDurableWhenPutReturns() {
    SnapshotterSinkTask task = start(true, Map.of("storage.upload.threads", "0"));
    task.put(List.of(record("a", "1", 0), record("b", "2", 1), record("a", "3", 2)));
    assertThat(task.preCommit(Map.of(P0, new OffsetAndMetadata(3))))
        .containsEntry(P0, new OffsetAndMetadata(1));
    task.put(List.of(record("b", "4", 3)));
    assertThat(task.preCommit(Map.of(P0, new OffsetAndMetadata(4))))
        .containsEntry(P0, new OffsetAndMetadata(4));
    task.stop();
  }

  @Test
  void badRecordsGoToTheReporterAndTheRestIsKept() throws Exception {
    SnapshotterSinkTask task = start(true, Map.of());
    task.put(
        List.of(
            record("a", "1", 0),
            record(null, "x", 1),
            record("", "y", 2),
            record("\ud800", "z", 3),
            record("a", "2", 4)));
    assertThat(reported).extracting(SinkRecord::kafkaOffset).containsExactly(1L, 2L, 3L);
    awaitCommitted(task, 5, 5);
    task.stop();
    var stored = StoredPages.readAll(new FilesystemObjectStore(pages), "");
    assertThat(stored)
        .singleElement()
        .satisfies(page -> assertThat(page.page().events()).hasSize(2));
  }

  @Test
  void aWriterIdTooLongForTheKeyTemplatesSegmentIsABadRecordNotAStoppedTask() throws Exception {
    // The writer id shares a segment with topic, time, sequence and offset (69 bytes here): with
    // 200 characters (the longest that is not hashed) it passes the 255 a segment may have.
    SnapshotterSinkTask task =
        start(
            true,
            Map.of(
                "storage.key.template",
                "pages/{topic}-{writer_id}-{timestamp}-{sequence}-{start_offset}{ext}"));
    String longWriter = "w".repeat(200);
    task.put(List.of(record("a", "1", 0), record(longWriter, "x", 1), record("a", "2", 2)));

    assertThat(reported).extracting(SinkRecord::kafkaOffset).containsExactly(1L);
    awaitCommitted(task, 3, 3);
    task.stop();
    assertThat(StoredPages.readAll(new FilesystemObjectStore(pages), ""))
        .singleElement()
        .satisfies(page -> assertThat(page.page().events()).hasSize(2));
  }

  @Test
  void aWriterIdOverWriterIdMaxBytesIsABadRecordAndTheOthersAreStored() throws Exception {
    SnapshotterSinkTask task = start(true, Map.of("writer.id.max.bytes", "16"));
    String atTheLimit = "é".repeat(8); // 16 UTF-8 bytes in 8 chars
    String overTheLimit = "é".repeat(8) + "x"; // 17 bytes
    task.put(
        List.of(
            record(atTheLimit, "1", 0), record(overTheLimit, "x", 1), record(atTheLimit, "2", 2)));

    assertThat(reported).extracting(SinkRecord::kafkaOffset).containsExactly(1L);
    awaitCommitted(task, 3, 3);
    task.stop();
    assertThat(StoredPages.readAll(new FilesystemObjectStore(pages), ""))
        .singleElement()
        .satisfies(page -> assertThat(page.page().events()).hasSize(2));
  }

  /** A record no page reader would read back is a bad record, not a page of its own. */
  @Test
  void aRecordLargerThanPageReadersAcceptIsABadRecordAndTheOthersAreStored() throws Exception {
    SnapshotterSinkTask task = start(true, Map.of());
    String huge = "x".repeat(48 << 20); // 64 MiB in base64, over the limit with the rest
    task.put(List.of(record("a", "1", 0), record("a", huge, 1), record("a", "2", 2)));
    huge = null;

    assertThat(reported).extracting(SinkRecord::kafkaOffset).containsExactly(1L);
    assertThat(reportedErrors.get(0))
        .hasMessageContaining("events-0@1")
        .hasMessageContaining("more than the 64 MiB page readers accept for one event");
    awaitCommitted(task, 3, 3);
    task.stop();
    assertThat(StoredPages.readAll(new FilesystemObjectStore(pages), ""))
        .singleElement()
        .satisfies(page -> assertThat(page.page().events()).hasSize(2));
  }

  @Test
  void withoutAReporterAWriterIdTooLongStopsTheTaskSayingHowLongAndWhere() {
    SnapshotterSinkTask task = start(false, Map.of());
    String huge = "user-" + "9".repeat(2_000);
    assertThatThrownBy(() -> task.put(List.of(record(huge, "x", 5))))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("record events-0@5 (key 'user-99999")
        .hasMessageContaining(
            "writer id from the record key is 2005 UTF-8 bytes, over writer.id.max.bytes (1024)")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(1_000));
    task.stop();
  }

  @Test
  void aKeyTemplateThatGivesTwoPartitionsPagesOneKeyStopsTheTaskInsteadOfLosingAPage()
      throws Exception {
    // Writer = topic, and a template without {partition}: P0's and P1's first pages both start at
    // offset 0, so both get the key "events/00000000000000000000.pb.zst". P1's page is no earlier
    // copy of P0's: taking it for one would commit P1's record without storing it anywhere.
    context.assign(P1);
    SnapshotterSinkTask task =
        start(
            true,
            Map.of(
                "writer.key.source",
                "topic",
                "storage.key.template",
                "{writer_id}/{start_offset}{ext}",
                "buffer.max.events",
                "1",
                "storage.upload.threads",
                "0"));
    task.open(Set.of(P1));
    SinkRecord onP1 =
        new SinkRecord(
            "events",
            1,
            Schema.OPTIONAL_STRING_SCHEMA,
            "b",
            Schema.OPTIONAL_BYTES_SCHEMA,
            "2".getBytes(StandardCharsets.UTF_8),
            0,
            1000L,
            TimestampType.CREATE_TIME);

    assertThatThrownBy(() -> task.put(List.of(record("a", "1", 0), onP1)))
        .isInstanceOf(ConnectException.class)
        .isNotInstanceOf(RetriableException.class)
        .hasMessageContaining("a page of topic 'events' partition 0")
        .hasMessageContaining("{partition}");
    assertThat(task.preCommit(Map.of(P0, new OffsetAndMetadata(1), P1, new OffsetAndMetadata(1))))
        .as("P1's record is in no page: its offset is not committed")
        .containsEntry(P0, new OffsetAndMetadata(1))
        .containsEntry(P1, new OffsetAndMetadata(0));
    task.stop();
    assertThat(StoredPages.readAll(new FilesystemObjectStore(pages), ""))
        .singleElement()
        .satisfies(page -> assertThat(page.partition()).isZero());
  }

  @Test
  void withoutAReporterABadRecordStopsTheTaskNamingIt() {
    SnapshotterSinkTask task = start(false, Map.of());
    assertThatThrownBy(() -> task.put(List.of(record(null, "x", 7))))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("events-0@7")
        .hasMessageContaining("no writer id");
    task.stop();
  }

  @Test
  void theErrorOfABadRecordNamesItOnce() {
    SnapshotterSinkTask task = start(false, Map.of());
    ConnectHeaders headers = new ConnectHeaders();
    headers.add("trace", UUID.randomUUID(), null);
    try (CapturedLogs logs = CapturedLogs.capture()) {
      assertThatThrownBy(() -> task.put(List.of(record("w-17", "x", 7, headers))))
          .isInstanceOf(ConnectException.class);
      assertThat(logs.lines())
          .filteredOn(line -> line.startsWith("ERROR " + SnapshotterSinkTask.class.getName()))
          .containsExactly(
              "ERROR "
                  + SnapshotterSinkTask.class.getName()
                  + " - Cannot store record events-0@7 (key 'w-17'): header 'trace' is a"
                  + " java.util.UUID, which cannot be read as text (errors.tolerance=none: set"
                  + " errors.tolerance=all to skip bad records, and"
                  + " errors.deadletterqueue.topic.name to keep them)");
    }
    task.stop();
  }

  @Test
  void theLineOfARevocationCountsOnlyTheRevokedPartitions() {
    SnapshotterSinkTask task = start(true, Map.of("buffer.max.events", "100"));
    context.assign(P1);
    task.open(Set.of(P1));
    task.put(
        List.of(
            record("a", "1", 0),
            new SinkRecord("events", 1, null, "b", null, "2".getBytes(StandardCharsets.UTF_8), 0),
            new SinkRecord("events", 1, null, "b", null, "3".getBytes(StandardCharsets.UTF_8), 1),
            new SinkRecord("events", 1, null, "c", null, "4".getBytes(StandardCharsets.UTF_8), 2)));
    try (CapturedLogs logs = CapturedLogs.capture()) {
      task.close(Set.of(P0));
      assertThat(logs.lines())
          .filteredOn(line -> line.startsWith("INFO " + SnapshotterSinkTask.class.getName()))
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .as("P0 holds a's page of one event; P1's two pages of three are not revoked")
          .matches(
              "INFO "
                  + SnapshotterSinkTask.class.getName().replace(".", "\\.")
                  + " - Revoked 1 partition \\(events-0\\): stored 1 page \\(1 record, [1-9][0-9]*"
                  + " bytes\\) in 0\\.0 s");
    }
    task.stop();
  }

  @Test
  void theLineOfARevocationNamesThePartitionsAndSaysWhenNothingWasBuffered() {
    SnapshotterSinkTask task = start(true, Map.of());
    TopicPartition p3 = new TopicPartition("events", 3);
    context.assign(p3);
    task.open(Set.of(p3));
    try (CapturedLogs logs = CapturedLogs.capture()) {
      task.close(Set.of(p3, P0));
      assertThat(logs.lines())
          .filteredOn(line -> line.startsWith("INFO " + SnapshotterSinkTask.class.getName()))
          .containsExactly(
              "INFO "
                  + SnapshotterSinkTask.class.getName()
                  + " - Revoked 2 partitions (events-0, events-3): nothing was buffered for them");
    }
    task.stop();
  }

  /**
   * Connect gives the task a reporter whenever a dead letter queue is set, whatever
   * errors.tolerance says; under none, its report writes the record to the queue and then throws
   * "Tolerance exceeded in error handler" (RetryWithToleranceOperator.executeFailed, Kafka 3.0 to
   * 4.3), which this reporter does too.
   */
  @Test
  void withErrorsToleranceNoneADeadLetterQueueIsNotUsedAndTheErrorSaysWhy() {
    SnapshotterSinkTask task =
        start(
            (record, error) -> {
              reported.add(record);
              throw new ConnectException("Tolerance exceeded in error handler", error);
            },
            Map.of("errors.deadletterqueue.topic.name", "events-dlq"));
    assertThatThrownBy(() -> task.put(List.of(record("a", "1", 6), record(null, "x", 7))))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("events-0@7")
        .hasMessageContaining("no writer id")
        .hasMessageContaining("dead letter queue 'events-dlq'")
        .hasMessageContaining("only with errors.tolerance=all");
    assertThat(reported)
        .as("nothing in the dead letter queue: a restart would add another copy each time")
        .isEmpty();
    assertThat(task.preCommit(Map.of(P0, new OffsetAndMetadata(7))))
        .as("a's record is only in memory")
        .containsEntry(P0, new OffsetAndMetadata(6));
    task.stop();
  }

  @Test
  void withErrorsToleranceAllAndNoDeadLetterQueueABadRecordIsSkippedNotAStoppedTask()
      throws Exception {
    // What Connect does with records it cannot convert under errors.tolerance=all: skip them.
    // Without errors.deadletterqueue.topic.name (and errors.log.enable) the worker gives no
    // reporter.
    SnapshotterSinkTask task =
        start(false, Map.of("errors.tolerance", "all", "storage.upload.threads", "0"));
    task.put(List.of(record("a", "1", 0), record(null, "x", 1), record("a", "2", 2)));
    assertThat(task.preCommit(Map.of(P0, new OffsetAndMetadata(3))))
        .as("a's page (0, 2) stored, the bad record between skipped")
        .containsEntry(P0, new OffsetAndMetadata(3));
    task.stop();
    assertThat(StoredPages.readAll(new FilesystemObjectStore(pages), ""))
        .singleElement()
        .satisfies(page -> assertThat(page.page().events()).hasSize(2));
  }

  @Test
  void tombstonesCarryNoEventButTheirOffsetsAreCommitted() throws Exception {
    SnapshotterSinkTask task = start(true, Map.of("buffer.max.events", "1"));
    task.put(List.of(record("a", "1", 0), record("a", null, 1)));
    awaitCommitted(task, 2, 2);
    task.stop();
    assertThat(StoredPages.readAll(new FilesystemObjectStore(pages), "")).hasSize(1);
  }

  /**
   * Connect moves its position past records it drops before put (a Filter SMT, a record its
   * converter cannot read with errors.tolerance=all): once everything the task received is durable,
   * that position is committed. The offset after the last record put saw would leave the dropped
   * records uncommitted until a later record of the partition is stored: lag that never reaches 0
   * on an idle partition, and the dropped records read (and dead-lettered) again after a restart.
   */
  @Test
  void recordsConnectDroppedBeforePutAreCommittedOnceEverythingReceivedIsDurable() {
    SnapshotterSinkTask task = start(true, Map.of("storage.upload.threads", "0"));
    task.put(List.of(record("a", "1", 0), record("a", "2", 1))); // a's page closes and is stored
    // Offsets 2..4 were filtered by an SMT: put sees no record of them.
    task.put(List.of());
    assertThat(task.preCommit(Map.of(P0, new OffsetAndMetadata(5))))
        .containsEntry(P0, new OffsetAndMetadata(5));

    // While a record is only in memory, its offset still holds the commit back.
    task.put(List.of(record("b", "3", 5)));
    assertThat(task.preCommit(Map.of(P0, new OffsetAndMetadata(8))))
        .containsEntry(P0, new OffsetAndMetadata(5));
    task.stop();
  }

  @Test
  void aTombstoneNeedsNoWriterIdWhenTheWriterIsAFieldOfTheValue() {
    // No reporter: a tombstone taken for a bad record would fail the put.
    SnapshotterSinkTask task =
        start(false, Map.of("writer.key.source", "field:user", "storage.upload.threads", "0"));
    task.put(
        List.of(
            valueRecord(Map.of("user", "alice"), 0),
            valueRecord(null, 1),
            valueRecord(Map.of("user", "alice"), 2)));
    assertThat(task.preCommit(Map.of(P0, new OffsetAndMetadata(3))))
        .as("alice's page (0, 2) stored, the tombstone between committed with it")
        .containsEntry(P0, new OffsetAndMetadata(3));
    task.stop();
  }

  @Test
  void aTombstoneWithoutAKeyIsNotABadRecord() {
    SnapshotterSinkTask task = start(true, Map.of("storage.upload.threads", "0"));
    task.put(List.of(record(null, null, 0)));
    assertThat(reported).as("records sent to the dead letter queue").isEmpty();
    assertThat(task.preCommit(Map.of(P0, new OffsetAndMetadata(1))))
        .containsEntry(P0, new OffsetAndMetadata(1));
    task.stop();
  }

  @Test
  void aSessionEndWithoutAValueStillClosesItsWritersPage() throws Exception {
    SnapshotterSinkTask task =
        start(true, Map.of("buffer.max.events", "100", "storage.upload.threads", "0"));
    ConnectHeaders end = new ConnectHeaders();
    end.addString("prism.session", "end");
    task.put(List.of(record("a", "1", 0), record("a", null, 1, end)));
    assertThat(task.preCommit(Map.of(P0, new OffsetAndMetadata(2))))
        .containsEntry(P0, new OffsetAndMetadata(2));
    task.stop();
    assertThat(StoredPages.readAll(new FilesystemObjectStore(pages), "")).hasSize(1);
  }

  @Test
  void aHeaderThatCannotBeReadAsTextSendsItsRecordToTheDeadLetterQueue() {
    SnapshotterSinkTask task = start(true, Map.of("storage.upload.threads", "0"));
    ConnectHeaders headers = new ConnectHeaders();
    headers.add("trace", UUID.randomUUID(), null); // as an SMT or a custom header converter may
    task.put(List.of(record("a", "1", 0, headers)));
    assertThat(reported).extracting(SinkRecord::kafkaOffset).containsExactly(0L);
    task.stop();
  }

  /**
   * A task whose buffers are over its 1 MiB budget while its pages cannot be indexed: paused for
   * memory, with P0 paused.
   */
  private SnapshotterSinkTask pausedForMemory(String connector) throws Exception {
    SnapshotterSinkTask task =
        start(
            true,
            Map.of(
                "name",
                connector,
                "storage.upload.threads",
                "0",
                "buffer.memory.max.bytes",
                String.valueOf(1024 * 1024)));
    task.put(List.of(record("a", "1", 0))); // P0's stored pages looked up before the index breaks
    try (var sql =
            DriverManager.getConnection(
                "jdbc:sqlite:" + pages.resolveSibling(pages.getFileName() + "-index.db"));
        var statement = sql.createStatement()) {
      statement.execute("DROP TABLE pages");
    }
    String large = "x".repeat(700_000); // a page of its own, which cannot be indexed: kept
    assertThatThrownBy(() -> task.put(List.of(record("b", large, 1), record("c", large, 2))))
        .isInstanceOf(RetriableException.class);
    assertThat(context.paused()).containsExactly(P0);
    return task;
  }

  private static int pausedPartitionsMetric(String connector) {
    return SnapshotterMetrics.liveTasks().stream()
        .filter(t -> t.id().connector().equals(connector))
        .mapToInt(TaskMetrics::pausedPartitions)
        .sum();
  }

  @Test
  void aPartitionAssignedWhilePausedForMemoryIsPausedToo() throws Exception {
    String connector = "paused-" + System.nanoTime();
    SnapshotterSinkTask task = pausedForMemory(connector);
    try {
      context.assign(P1);
      task.open(Set.of(P1));
      assertThat(context.paused()).containsExactlyInAnyOrder(P0, P1);
      assertThat(pausedPartitionsMetric(connector)).isEqualTo(2);
    } finally {
      task.stop();
    }
  }

  @Test
  void aPartitionRevokedWhilePausedForMemoryIsNoLongerCountedAsPaused() throws Exception {
    String connector = "paused-" + System.nanoTime();
    SnapshotterSinkTask task = pausedForMemory(connector);
    try {
      assertThat(pausedPartitionsMetric(connector)).isEqualTo(1);
      task.close(Set.of(P0));
      assertThat(pausedPartitionsMetric(connector)).isZero();
    } finally {
      task.stop();
    }
  }

  @Test
  void stopStoresOpenPagesWhenAskedToAndDropsThemOtherwise() throws Exception {
    SnapshotterSinkTask flushing = start(true, Map.of("buffer.max.events", "100"));
    flushing.put(List.of(record("a", "1", 0)));
    flushing.stop();
    assertThat(StoredPages.readAll(new FilesystemObjectStore(pages), "")).hasSize(1);

    SnapshotterSinkTask dropping =
        start(true, Map.of("buffer.max.events", "100", "buffer.flush.on.disconnect", "false"));
    dropping.put(List.of(record("b", "1", 1)));
    assertThat(dropping.preCommit(Map.of(P0, new OffsetAndMetadata(2))))
        .containsEntry(P0, new OffsetAndMetadata(1));
    dropping.stop();
    assertThat(StoredPages.readAll(new FilesystemObjectStore(pages), "")).hasSize(1);
  }
}
