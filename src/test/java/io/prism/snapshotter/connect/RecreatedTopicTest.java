package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.CompressionLevel;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageEncoder;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.page.PageSpec;
import io.prism.snapshotter.page.RecordTimes;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.PutOptions;
import io.prism.snapshotter.testing.ManualClock;
import io.prism.snapshotter.testing.StoredPages;
import io.prism.snapshotter.testing.StubSinkTaskContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A topic deleted and created again starts its offsets again. Under a key template without {@code
 * {timestamp}}, its first page lands on the key of the old topic's page with the same first offset:
 * the create-only write is refused, and the stored page must not be taken for an earlier copy of
 * the new one (its records would be skipped: lost without a word). Times tell: a record's timestamp
 * never changes, so an earlier copy's time range holds the re-delivered records' times.
 */
class RecreatedTopicTest {
  static final TopicPartition P0 = new TopicPartition("events", 0);

  /** No {timestamp}, no date: a page's key is its writer and first offset. */
  static final String TEMPLATE = "pages/{writer_id}/{topic}-{partition}-{start_offset}{ext}";

  static final long OLD_TIME = 1_000_000L;
  static final long NEW_TIME = 9_000_000L;

  @TempDir Path dir;

  private final ManualClock clock = new ManualClock();

  private SnapshotterSinkTask start() {
    return start(Map.of());
  }

  private SnapshotterSinkTask start(Map<String, String> extra) {
    SnapshotterSinkTask task = new SnapshotterSinkTask(clock);
    task.initialize(new StubSinkTaskContext(Map.of(), Set.of(P0)));
    Map<String, String> props = new HashMap<>();
    props.put("name", "recreated-" + System.nanoTime());
    props.put("storage.filesystem.path", dir.resolve("pages").toString());
    props.put("index.sqlite.path", dir.resolve("index.db").toString());
    props.put("storage.key.template", TEMPLATE);
    props.put("buffer.max.events", "2");
    props.put("storage.upload.threads", "0"); // a page is stored when put returns
    props.putAll(extra);
    task.start(props);
    task.open(Set.of(P0));
    return task;
  }

  /** Writer a's record at {@code offset}: its timestamp, or none when {@code time} is null. */
  private static SinkRecord record(long offset, Long time, String value) {
    return new SinkRecord(
        "events",
        0,
        Schema.OPTIONAL_STRING_SCHEMA,
        "a",
        Schema.OPTIONAL_BYTES_SCHEMA,
        value.getBytes(StandardCharsets.UTF_8),
        offset,
        time,
        time == null ? TimestampType.NO_TIMESTAMP_TYPE : TimestampType.CREATE_TIME,
        new ConnectHeaders());
  }

  private List<StoredPages.StoredPage> stored() throws Exception {
    try (ObjectStore store = new FilesystemObjectStore(dir.resolve("pages"))) {
      return StoredPages.readAll(store, "");
    }
  }

  private static List<String> payloads(StoredPages.StoredPage page) {
    return page.page().events().stream()
        .map(e -> new String(e.payload(), StandardCharsets.UTF_8))
        .toList();
  }

  @Test
  void aNewTopicsPageOnAnOldPagesKeyFailsLoudlyInsteadOfSkippingItsRecords() throws Exception {
    SnapshotterSinkTask old = start();
    old.put(List.of(record(0, OLD_TIME, "old-0"), record(1, OLD_TIME + 1, "old-1")));
    old.stop();
    assertThat(stored()).hasSize(1);

    // The topic is deleted and created again: offsets 0 and 1 again, records produced later.
    SnapshotterSinkTask recreated = start();
    assertThatThrownBy(
            () ->
                recreated.put(
                    List.of(record(0, NEW_TIME, "new-0"), record(1, NEW_TIME + 1, "new-1"))))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("pages/a/events-0-00000000000000000000")
        .hasMessageContaining("offsets 0..1")
        .hasMessageContaining(OLD_TIME + " (1970-01-01T00:16:40Z) .. " + (OLD_TIME + 1))
        .hasMessageContaining(NEW_TIME + " (1970-01-01T02:30:00Z) .. " + (NEW_TIME + 1))
        .hasMessageContaining("deleted and created again")
        .hasMessageContaining("new prefix in storage.key.template");
    assertThat(recreated.preCommit(Map.of(P0, new OffsetAndMetadata(2))).get(P0).offset())
        .as("nothing of the new topic committed")
        .isZero();
    recreated.stop();

    List<StoredPages.StoredPage> pages = stored();
    assertThat(pages).hasSize(1);
    assertThat(payloads(pages.get(0)))
        .as("the old page untouched")
        .containsExactly("old-0", "old-1");
  }

  @Test
  void aRecordOutsideTheStoredRangeAfterTheFirstOneAlsoTellsTheTopicsApart() throws Exception {
    SnapshotterSinkTask old = start();
    old.put(List.of(record(0, OLD_TIME, "old-0"), record(1, OLD_TIME + 10, "old-1")));
    old.stop();
    // Not in the index (a crash before indexing, an index emptied): the new page meets the old one
    // only on its key, where every record up to the stored last offset is checked.
    dropTheIndex();

    // The new topic's first record happens to fall inside the old page's time range; its second
    // does not.
    SnapshotterSinkTask recreated = start();
    assertThatThrownBy(
            () ->
                recreated.put(
                    List.of(record(0, OLD_TIME + 5, "new-0"), record(1, NEW_TIME, "new-1"))))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("offset 1: " + NEW_TIME);
    recreated.stop();
    assertThat(payloads(stored().get(0))).containsExactly("old-0", "old-1");
  }

  @Test
  void aReDeliveredPageIsStillRecognisedByItsOffsetsAndTimes() throws Exception {
    SnapshotterSinkTask crashed = start();
    crashed.put(List.of(record(0, OLD_TIME + 1, "r-0"), record(1, OLD_TIME, "r-1")));
    // Crashed before committing; the index lost the entry, so the re-delivered records are buffered
    // again and their page meets the stored copy on its key.
    dropTheIndex();

    SnapshotterSinkTask next = start();
    next.put(List.of(record(0, OLD_TIME + 1, "r-0"), record(1, OLD_TIME, "r-1")));
    next.stop();
    crashed.stop();

    List<StoredPages.StoredPage> pages = stored();
    assertThat(pages).hasSize(1);
    assertThat(payloads(pages.get(0))).containsExactly("r-0", "r-1");
    assertThat(pages.get(0).tag(RecordTimes.TAG)).isEqualTo(RecordTimes.RECORD);
  }

  @Test
  void recordsWithoutTimestampsCannotBeToldApartAndAreTakenForARedelivery() throws Exception {
    // Their events get the task's clock, which a re-delivery does not repeat: failing here would
    // stop the task on every re-delivery of such records.
    SnapshotterSinkTask crashed = start();
    crashed.put(List.of(record(0, null, "c-0"), record(1, null, "c-1")));
    dropTheIndex();
    clock.advance(3_600_000);

    SnapshotterSinkTask next = start();
    next.put(List.of(record(0, null, "c-0"), record(1, null, "c-1")));
    next.stop();
    crashed.stop();

    List<StoredPages.StoredPage> pages = stored();
    assertThat(pages).hasSize(1);
    assertThat(pages.get(0).tag(RecordTimes.TAG))
        .as("replay must not trust these times")
        .isEqualTo(RecordTimes.SOME_CLOCK);
  }

  @Test
  void aPageStoredBeforeRangesWereEarliestAndLatestIsReadToRecogniseItsRecords() throws Exception {
    // Until 2026-11-27 a page's range came from its first and last events: 0..2 at times 1000,
    // 5000, 2000 was stored as 1000..2000, which does not hold offset 1's time.
    List<Event> events =
        List.of(
            new Event("events-0-0", 1_000, bytes("o-0"), Map.of()),
            new Event("events-0-1", 5_000, bytes("o-1"), Map.of()),
            new Event("events-0-2", 2_000, bytes("o-2"), Map.of()));
    storeAsAnEarlierVersionDid(events, 1_000, 2_000);

    SnapshotterSinkTask next = start(Map.of("page.format", "ndjson", "page.compression", "none"));
    next.put(List.of(record(0, 1_000L, "o-0"), record(1, 5_000L, "o-1")));
    next.stop();

    List<StoredPages.StoredPage> pages = stored();
    assertThat(pages).as("taken for the earlier copy it is").hasSize(1);
    assertThat(payloads(pages.get(0))).containsExactly("o-0", "o-1", "o-2");
  }

  /** Stores a page of writer a from offset 0 whose metadata has this start and end time. */
  private void storeAsAnEarlierVersionDid(List<Event> events, long startTime, long endTime)
      throws Exception {
    Map<String, String> tags =
        Map.of(
            "kafka.topic", "events",
            "kafka.partition", "0",
            "kafka.offset.first", "0",
            "kafka.offset.last", Integer.toString(events.size() - 1));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PageEncoder()
        .encode(
            PageFormat.NDJSON,
            Compression.NONE,
            CompressionLevel.CODEC_DEFAULT,
            new PageSpec("a", 0, tags),
            events,
            out);
    String text = out.toString(StandardCharsets.UTF_8);
    String header = text.substring(0, text.indexOf('\n'));
    String oldHeader =
        header
            .replaceFirst("\"start_time\":\\d+", "\"start_time\":" + startTime)
            .replaceFirst("\"end_time\":\\d+", "\"end_time\":" + endTime);
    assertThat(oldHeader).isNotEqualTo(header);
    byte[] page = (oldHeader + text.substring(header.length())).getBytes(StandardCharsets.UTF_8);
    try (ObjectStore store = new FilesystemObjectStore(dir.resolve("pages"))) {
      store.put(
          "pages/a/events-0-00000000000000000000" + PageFormat.NDJSON.extension(),
          new ByteArrayInputStream(page),
          page.length,
          PutOptions.builder().createOnly(true).build());
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private void dropTheIndex() throws Exception {
    try (var sql = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"));
        var statement = sql.createStatement()) {
      statement.execute("DELETE FROM pages");
    }
  }
}
