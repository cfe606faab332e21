package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.metrics.SnapshotterMetrics;
import io.prism.snapshotter.metrics.TaskMetrics;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.testing.CapturedLogs;
import io.prism.snapshotter.testing.ManualClock;
import io.prism.snapshotter.testing.StoredPages;
import io.prism.snapshotter.testing.StubSinkTaskContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task that takes over a partition (after a crash, or from another worker) gets the records after
 * the committed offset again, some of which are already in stored pages: it stores none of them a
 * second time, and a page that was stored but never indexed is indexed when its records come again.
 */
class RedeliveryTest {
  static final TopicPartition P0 = new TopicPartition("events", 0);

  @TempDir Path dir;

  private Path pages() {
    return dir.resolve("pages");
  }

  private Path indexFile() {
    return dir.resolve("index.db");
  }

  /**
   * A connector name of this test's own, so its tasks' metrics are told apart from other tests'.
   */
  final String connector = "redelivery-" + System.nanoTime();

  /** The records the tasks sent to the dead letter queue, when started with {@link #reporting}. */
  final List<SinkRecord> reported = new ArrayList<>();

  private SnapshotterSinkTask start(Map<String, String> extra) {
    return start(new StubSinkTaskContext(Map.of(), Set.of(P0)), extra);
  }

  /** A task with a dead letter queue, which records what it gets in {@link #reported}. */
  private SnapshotterSinkTask reporting() {
    StubSinkTaskContext context = new StubSinkTaskContext(Map.of(), Set.of(P0));
    context.reporter(
        (record, error) -> {
          reported.add(record);
          return CompletableFuture.completedFuture(null);
        });
    // Connect's reporter takes a record and returns only under errors.tolerance=all.
    return start(context, Map.of("errors.tolerance", "all"));
  }

  private SnapshotterSinkTask start(StubSinkTaskContext context, Map<String, String> extra) {
    return start(context, extra, new ManualClock());
  }

  private SnapshotterSinkTask start(
      StubSinkTaskContext context, Map<String, String> extra, ManualClock clock) {
    SnapshotterSinkTask task = new SnapshotterSinkTask(clock);
    task.initialize(context);
    Map<String, String> props = new HashMap<>();
    props.put("name", connector);
    props.put("storage.filesystem.path", pages().toString());
    props.put("index.sqlite.path", indexFile().toString());
    props.put("buffer.max.events", "2");
    props.put("storage.upload.threads", "0"); // a page is stored and indexed when put returns
    props.putAll(extra);
    task.start(props);
    task.open(Set.of(P0));
    return task;
  }

  private static SinkRecord record(String writer, long offset) {
    return new SinkRecord(
        "events",
        0,
        Schema.OPTIONAL_STRING_SCHEMA,
        writer,
        Schema.OPTIONAL_BYTES_SCHEMA,
        (writer + offset).getBytes(StandardCharsets.UTF_8),
        offset,
        1000L + offset,
        TimestampType.CREATE_TIME,
        new ConnectHeaders());
  }

  /** A record without a key: no writer id, a bad record. */
  private static SinkRecord keyless(long offset) {
    return new SinkRecord(
        "events",
        0,
        Schema.OPTIONAL_STRING_SCHEMA,
        null,
        Schema.OPTIONAL_BYTES_SCHEMA,
        "x".getBytes(StandardCharsets.UTF_8),
        offset,
        1000L + offset,
        TimestampType.CREATE_TIME,
        new ConnectHeaders());
  }

  /** Every query and publish of the index fails from now on: its table is gone. */
  private void breakTheIndex() throws Exception {
    try (var sql = java.sql.DriverManager.getConnection("jdbc:sqlite:" + indexFile());
        var statement = sql.createStatement()) {
      statement.execute("DROP TABLE pages");
    }
  }

  private static List<SinkRecord> records(String... writerAtOffset) {
    List<SinkRecord> records = new ArrayList<>();
    for (String w : writerAtOffset) {
      records.add(record(w.substring(0, 1), Long.parseLong(w.substring(1))));
    }
    return records;
  }

  private static long committed(SnapshotterSinkTask task, long position) {
    return task.preCommit(Map.of(P0, new OffsetAndMetadata(position))).get(P0).offset();
  }

  /** Every stored event id with the number of pages holding it. */
  private Map<String, Long> storedEventCopies() throws Exception {
    return StoredPages.readAll(new FilesystemObjectStore(pages()), "").stream()
        .flatMap(page -> page.page().events().stream())
        .collect(Collectors.groupingBy(Event::eventId, Collectors.counting()));
  }

  private List<String> storedKeys() throws Exception {
    return StoredPages.readAll(new FilesystemObjectStore(pages()), "").stream()
        .map(StoredPages.StoredPage::key)
        .toList();
  }

  private List<String> indexedKeys() {
    try (SqlitePageIndex index = SqlitePageIndex.open(indexFile())) {
      List<String> keys = new ArrayList<>();
      for (String writer : List.of("a", "b")) {
        index.entries(writer, TimeRange.ALL).forEach(e -> keys.add(e.pageKey()));
      }
      return keys;
    }
  }

  @Test
  void recordsAlreadyInStoredPagesAreNotStoredAgainAfterACrash() throws Exception {
    SnapshotterSinkTask crashed = start(Map.of());
    crashed.put(records("a0", "b1", "a2")); // a's page 0..2 is stored; b's record 1 only in memory
    assertThat(committed(crashed, 3)).isEqualTo(1);
    // The worker dies here: no stop, no close. Kafka re-delivers from the committed offset 1.

    SnapshotterSinkTask next = start(Map.of());
    next.put(records("b1", "a2", "b3", "a4", "a5"));
    assertThat(committed(next, 6)).isEqualTo(6);
    assertThat(
            SnapshotterMetrics.liveTasks().stream()
                .filter(t -> t.id().connector().equals(connector))
                .mapToLong(TaskMetrics::recordsAlreadyStoredTotal)
                .sum())
        .as("a2 was in a's stored page")
        .isEqualTo(1);
    next.stop();

    assertThat(storedEventCopies())
        .as("each event in one page")
        .containsOnlyKeys(
            "events-0-0", "events-0-1", "events-0-2", "events-0-3", "events-0-4", "events-0-5")
        .allSatisfy((id, copies) -> assertThat(copies).as(id).isEqualTo(1));
    assertThat(indexedKeys()).containsExactlyInAnyOrderElementsOf(storedKeys());
    crashed.stop();
  }

  @Test
  void aPageStoredButNeverIndexedIsIndexedWhenItsRecordsComeAgain() throws Exception {
    SnapshotterSinkTask crashed = start(Map.of());
    crashed.put(records("a0", "b1", "a2", "a3", "a4")); // a: 0..2 and 3..4 stored; b's 1 in memory
    assertThat(committed(crashed, 5)).isEqualTo(1);
    // The task died between storing a's second page and indexing it: take its entry out.
    try (SqlitePageIndex index = SqlitePageIndex.open(indexFile())) {
      List<IndexEntry> second =
          index.entries("a", TimeRange.ALL).stream().filter(e -> e.firstOffset() == 3).toList();
      assertThat(second).hasSize(1);
      index.remove(second);
    }
    assertThat(indexedKeys()).hasSize(1);

    SnapshotterSinkTask next = start(Map.of());
    // Without knowing a's first page is stored, a2 would open a page at 2, and a's pages would
    // never again start at offset 3: the stored page 3..4 would stay out of the index for good.
    next.put(records("b1", "a2", "a3", "a4", "b5", "a6"));
    next.stop();

    assertThat(indexedKeys())
        .as("every stored page indexed")
        .containsExactlyInAnyOrderElementsOf(storedKeys());
    assertThat(storedEventCopies())
        .allSatisfy((id, copies) -> assertThat(copies).as(id).isEqualTo(1));
    assertThat(storedEventCopies()).hasSize(7);
    crashed.stop();
  }

  /**
   * A page re-formed after a crash whose first records an earlier copy holds (it closed sooner, on
   * age; no index said so) is stored as that copy plus a page of the rest, which starts at a later
   * record than the one its key was checked for when it opened. That record's time (a producer
   * sending microseconds as milliseconds, three digits more) must not make the rest's key invalid:
   * that failed the task, at every restart, for a record that starts no page of its own.
   */
  @Test
  void theRestOfAPageAnEarlierCopyHoldsInPartIsStoredWhateverTheTimeOfItsFirstRecord()
      throws Exception {
    // The writer id shares a segment with the time: 254 bytes with a 13-digit time, 257 with 16.
    String writer = "w".repeat(185);
    Map<String, String> config =
        Map.of(
            "index.backend", "none",
            "storage.key.template",
                "pages/{topic}-{writer_id}-{timestamp}-{sequence}-{start_offset}{ext}",
            "buffer.max.events", "3",
            "buffer.max.age.seconds", "10");
    long now = 1_700_000_000_000L;
    List<SinkRecord> records =
        List.of(
            timedRecord(writer, 0, now),
            timedRecord(writer, 1, now + 1),
            timedRecord(writer, 2, now * 1000));
    ManualClock clock = new ManualClock();
    SnapshotterSinkTask crashed =
        start(new StubSinkTaskContext(Map.of(), Set.of(P0)), config, clock);
    crashed.put(records.subList(0, 2));
    clock.advance(11_000);
    crashed.put(List.of()); // the page 0..1 closes on age and is stored
    assertThat(storedEventCopies()).containsOnlyKeys("events-0-0", "events-0-1");
    // The worker dies here: nothing was committed. Kafka re-delivers from offset 0.

    SnapshotterSinkTask next =
        start(new StubSinkTaskContext(Map.of(), Set.of(P0)), config, new ManualClock());
    next.put(records); // the page 0..2: 0..1 already stored, 2 left to store
    assertThat(committed(next, 3)).isEqualTo(3);
    assertThat(storedKeys())
        .as("the rest is keyed with the time of the page's first event")
        .hasSize(2)
        .allMatch(key -> key.contains("-" + now + "-"));
    // Its commit is lost too: the same page formed again finds both parts under the same keys.
    SnapshotterSinkTask again =
        start(new StubSinkTaskContext(Map.of(), Set.of(P0)), config, new ManualClock());
    again.put(records);
    assertThat(committed(again, 3)).isEqualTo(3);
    again.stop();
    next.stop();
    assertThat(storedEventCopies())
        .containsOnlyKeys("events-0-0", "events-0-1", "events-0-2")
        .allSatisfy((id, copies) -> assertThat(copies).as(id).isEqualTo(1));
    crashed.stop();
  }

  private static SinkRecord timedRecord(String writer, long offset, long timestampMillis) {
    return new SinkRecord(
        "events",
        0,
        Schema.OPTIONAL_STRING_SCHEMA,
        writer,
        Schema.OPTIONAL_BYTES_SCHEMA,
        ("e" + offset).getBytes(StandardCharsets.UTF_8),
        offset,
        timestampMillis,
        TimestampType.CREATE_TIME,
        new ConnectHeaders());
  }

  private long recordsLeftToNewOwner(String taskId) {
    return SnapshotterMetrics.liveTasks().stream()
        .filter(t -> t.id().connector().equals(connector) && t.id().task().equals(taskId))
        .mapToLong(TaskMetrics::recordsLeftToNewOwnerTotal)
        .sum();
  }

  @Test
  void aTaskThatLostItsPartitionWhileFrozenLeavesItsBufferedRecordsToTheNewOwner()
      throws Exception {
    SnapshotterSinkTask zombie = start(Map.of("buffer.max.events", "10"));
    zombie.put(
        records("a0", "b1", "a2", "b3", "a4", "b5")); // all in open pages; nothing committed past 0
    assertThat(committed(zombie, 6)).isZero();
    // The zombie's worker is frozen; the group gives P0 to another task, which reads from offset 0.
    SnapshotterSinkTask newOwner = start(Map.of("prism.task.id", "1"));
    newOwner.put(
        records("a0", "b1", "a2", "b3", "a4", "b5")); // stores a 0..2 and b 1..3; a4, b5 open
    List<String> storedByNewOwner = storedKeys();
    assertThat(storedByNewOwner).hasSize(2);

    // The zombie resumes and Connect closes its partition: it stores nothing of it.
    try (CapturedLogs logs = CapturedLogs.capture()) {
      zombie.close(Set.of(P0));
      assertThat(logs.lines())
          .filteredOn(line -> line.startsWith("INFO " + SnapshotterSinkTask.class.getName()))
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .matches(
              ".* - Revoked 1 partition \\(events-0\\): stored nothing; left 2 pages \\(6 records,"
                  + " [1-9][0-9]* bytes\\) of events-0 to its new owner, which had stored records"
                  + " of it already");
    }

    assertThat(storedKeys())
        .as("no page of the zombie")
        .containsExactlyInAnyOrderElementsOf(storedByNewOwner);
    assertThat(recordsLeftToNewOwner("0")).as("the zombie's six buffered records").isEqualTo(6);
    newOwner.stop();
    assertThat(storedEventCopies())
        .as("each event in one page")
        .hasSize(6)
        .allSatisfy((id, copies) -> assertThat(copies).as(id).isEqualTo(1));
    zombie.stop();
    assertThat(recordsLeftToNewOwner("1")).isZero();
  }

  @Test
  void aRevocationWithoutANewOwnersPagesStoresTheOpenPages() throws Exception {
    SnapshotterSinkTask task = start(Map.of("buffer.max.events", "3"));
    task.put(
        records(
            "a0", "b1", "a2", "a3", "b4", "a5")); // its own page a 0..3 stored; b 1..4 and a5 open
    // A page of another writer, c, over these offsets (another task's, say): it holds none of them.
    try (SqlitePageIndex index = SqlitePageIndex.open(indexFile())) {
      index.publish(
          List.of(
              new IndexEntry(
                  "c-elsewhere",
                  "c",
                  0,
                  1000,
                  1010,
                  3,
                  100,
                  50,
                  "protobuf",
                  "zstd",
                  "events",
                  0,
                  0,
                  10)));
    }
    assertThat(storedKeys()).hasSize(1);

    task.close(Set.of(P0));

    assertThat(storedKeys()).as("b's and a's open pages stored as before").hasSize(3);
    assertThat(recordsLeftToNewOwner("0")).isZero();
    task.stop();
    assertThat(storedEventCopies())
        .hasSize(6)
        .allSatisfy((id, copies) -> assertThat(copies).as(id).isEqualTo(1));
  }

  @Test
  void whileTheIndexCannotSayWhatIsStoredThePartitionsRecordsWait() throws Exception {
    SnapshotterSinkTask crashed = start(Map.of());
    crashed.put(records("a0", "a1"));
    crashed.stop();
    SnapshotterSinkTask next = start(Map.of());
    // The index fails every query: its table is gone (dropped behind the task's back).
    try (var sql = java.sql.DriverManager.getConnection("jdbc:sqlite:" + indexFile());
        var statement = sql.createStatement()) {
      statement.execute("DROP TABLE pages");
    }
    try {
      assertThatThrownBy(() -> next.put(records("a2")))
          .isInstanceOf(RetriableException.class)
          .hasMessageContaining("events-0");
      assertThat(next.preCommit(Map.of(P0, new OffsetAndMetadata(3))))
          .as("nothing accepted, Connect's position kept")
          .containsEntry(P0, new OffsetAndMetadata(3));
    } finally {
      next.stop();
    }
  }

  @Test
  void aBadRecordGoesToTheDeadLetterQueueOnceWhenItsBatchIsRedeliveredAfterAStorageFailure()
      throws Exception {
    SnapshotterSinkTask task = reporting();
    try {
      task.put(records("a0")); // P0's stored pages looked up
      breakTheIndex(); // the page closing below cannot be indexed: put fails, retriably
      List<SinkRecord> batch = List.of(keyless(1), record("a", 2));
      for (int delivery = 0; delivery < 3; delivery++) {
        assertThatThrownBy(() -> task.put(batch)).isInstanceOf(RetriableException.class);
      }
      assertThat(reported).extracting(SinkRecord::kafkaOffset).containsExactly(1L);
    } finally {
      task.stop();
    }
  }

  @Test
  void aBadFirstRecordGoesToTheDeadLetterQueueOnceWhileTheIndexCannotSayWhatIsStored()
      throws Exception {
    SnapshotterSinkTask earlier = start(Map.of());
    earlier.put(records("a0", "a1"));
    earlier.stop();
    SnapshotterSinkTask task = reporting();
    breakTheIndex(); // the lookup at P0's first record fails: put fails, retriably
    try {
      for (int delivery = 0; delivery < 3; delivery++) {
        assertThatThrownBy(() -> task.put(List.of(keyless(2))))
            .isInstanceOf(RetriableException.class);
      }
      assertThat(reported).extracting(SinkRecord::kafkaOffset).containsExactly(2L);
    } finally {
      task.stop();
    }
  }
}
