package io.prism.snapshotter.compact;

import static io.prism.snapshotter.compact.SinkWrittenPages.START_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.sink.CompactedKeys;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.ForwardingObjectStore;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.PutOptions;
import io.prism.snapshotter.storage.StorageException;
import io.prism.snapshotter.testing.CapturedLogs;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AllWritersCompactionTest {
  private static final Clock NOW =
      Clock.fixed(
          Instant.ofEpochMilli(START_MILLIS + Duration.ofDays(30).toMillis()), ZoneOffset.UTC);

  /** 120 events each, 12 pages of 10: three merges of 4 pages under a 6 KB target. */
  private static final List<String> OLD_WRITERS = List.of("corrupt", "flaky", "w1", "w2");

  private static final int OLD_EVENTS = 4 * 120;
  private static final CompactionSettings SETTINGS =
      new CompactionSettings(
          Duration.ofDays(1), 100_000, 6_000, PageFormat.PROTOBUF, Compression.ZSTD);

  @TempDir Path dir;

  /**
   * Fails every read of the pages of writers named "flaky...", as a store that cannot serve them
   * would.
   */
  private static final class FlakyStore extends ForwardingObjectStore {
    FlakyStore(ObjectStore store) {
      super(store);
    }

    @Override
    public InputStream get(String key) {
      failIfFlaky(key);
      return super.get(key);
    }

    @Override
    public InputStream get(String key, long offset, long length) {
      failIfFlaky(key);
      return super.get(key, offset, length);
    }

    private static void failIfFlaky(String key) {
      if (key.contains("/flaky")) {
        throw new StorageException("simulated read failure of " + key, true, null);
      }
    }

    @Override
    public void close() {
      // the test owns the real store
    }
  }

  /** What the listener heard. */
  private static final class Heard implements AllWritersCompaction.Listener {
    final Map<String, CompactionReport> compacted = new TreeMap<>();
    final Map<String, AllWritersCompaction.FailureKind> failed = new TreeMap<>();
    final List<String> messages = new ArrayList<>();

    @Override
    public void compacted(CompactionReport report) {
      compacted.put(report.writerId(), report);
    }

    @Override
    public void failed(String writerId, AllWritersCompaction.FailureKind kind, Exception cause) {
      failed.put(writerId, kind);
      messages.add(cause.getMessage());
    }
  }

  private static List<String> keysOf(ObjectStore store, String writer) {
    return SinkWrittenPages.keys(store).stream()
        .filter(k -> k.contains("/" + writer + "/"))
        .sorted()
        .toList();
  }

  private static AllWritersCompaction compaction(ObjectStore store, SqlitePageIndex index) {
    return new AllWritersCompaction(
        index, new Compactor(store, index, WriterPages.fromIndex(index), SETTINGS, NOW));
  }

  @Test
  void compactsEachWriterReportsTheOnesThatFailAndGoesOn() throws Exception {
    ObjectStore store = new FilesystemObjectStore(dir.resolve("pages"));
    try (SqlitePageIndex index = SqlitePageIndex.open(dir.resolve("index.db"))) {
      SinkWrittenPages.store(store, index, OLD_WRITERS, 0, OLD_EVENTS, 10, START_MILLIS);
      // Nothing to compact: "fresh" has 4 pages newer than the cutoff, "lone" a single old page.
      SinkWrittenPages.store(
          store, index, List.of("fresh"), 10_000, 40, 10, NOW.millis() - 3_600_000L);
      SinkWrittenPages.store(store, index, List.of("lone"), 20_000, 5, 10, START_MILLIS);
      // The fifth page of "corrupt" (in its second group) becomes unreadable.
      String unreadable = keysOf(store, "corrupt").get(4);
      byte[] garbage = "not a page".getBytes(StandardCharsets.UTF_8);
      store.delete(unreadable);
      store.put(
          unreadable,
          new ByteArrayInputStream(garbage),
          garbage.length,
          PutOptions.builder().build());
      List<String> before = SinkWrittenPages.keys(store);

      Heard planned = new Heard();
      AllWritersCompaction.Summary dry =
          compaction(new FlakyStore(store), index).run(true, planned);

      assertThat(dry)
          .isEqualTo(
              new AllWritersCompaction.Summary(6, 4, 48, 12, dry.bytesBefore(), 0, 0, 0, false));
      assertThat(planned.compacted).containsOnlyKeys(OLD_WRITERS);
      assertThat(SinkWrittenPages.keys(store))
          .as("a dry run changes nothing")
          .containsExactlyElementsOf(before);

      Heard heard = new Heard();
      AllWritersCompaction.Summary done;
      try (CapturedLogs logs = CapturedLogs.capture()) {
        done = compaction(new FlakyStore(store), index).run(false, heard);
        assertThat(logs.lines())
            .as("the listener reports a failed writer (compact prints it); no WARN repeats it")
            .noneMatch(line -> line.startsWith("WARN " + AllWritersCompaction.class.getName()));
      }

      assertThat(heard.compacted).containsOnlyKeys("w1", "w2");
      assertThat(heard.failed)
          .containsOnly(
              entry("corrupt", AllWritersCompaction.FailureKind.BAD_DATA),
              entry("flaky", AllWritersCompaction.FailureKind.UNAVAILABLE));
      assertThat(heard.messages).anySatisfy(m -> assertThat(m).contains(unreadable));
      assertThat(done)
          .isEqualTo(
              new AllWritersCompaction.Summary(
                  6, 2, 24, 6, done.bytesBefore(), done.bytesAfter(), 1, 1, false));
      assertThat(done.bytesBefore())
          .isEqualTo(
              heard.compacted.get("w1").sourceBytes() + heard.compacted.get("w2").sourceBytes());
      assertThat(done.bytesAfter()).isPositive().isLessThan(done.bytesBefore());
      for (String writer : List.of("w1", "w2")) {
        assertThat(keysOf(store, writer)).hasSize(3).allMatch(CompactedKeys::looksMerged);
        assertThat(index.entries(writer, TimeRange.ALL))
            .extracting(IndexEntry::pageKey)
            .containsExactlyInAnyOrderElementsOf(keysOf(store, writer));
        assertThat(SinkWrittenPages.replay(store, index, writer))
            .containsExactlyElementsOf(SinkWrittenPages.ids(OLD_WRITERS, writer, OLD_EVENTS));
      }
      assertThat(keysOf(store, "corrupt"))
          .as("its first group merged, then the unreadable page stopped it")
          .hasSize(1 + 8)
          .filteredOn(CompactedKeys::looksMerged)
          .hasSize(1);
      assertThat(keysOf(store, "flaky")).hasSize(12);
      assertThat(keysOf(store, "fresh")).hasSize(4);
      assertThat(keysOf(store, "lone")).hasSize(1);

      // Storage serves "flaky" again: the next run compacts it, and only it; "corrupt" fails again.
      Heard again = new Heard();
      AllWritersCompaction.Summary next = compaction(store, index).run(false, again);

      assertThat(again.compacted).containsOnlyKeys("flaky");
      assertThat(again.failed).containsOnlyKeys("corrupt");
      assertThat(next)
          .isEqualTo(
              new AllWritersCompaction.Summary(
                  6, 1, 12, 3, next.bytesBefore(), next.bytesAfter(), 1, 0, false));
      assertThat(SinkWrittenPages.replay(store, index, "flaky"))
          .containsExactlyElementsOf(SinkWrittenPages.ids(OLD_WRITERS, "flaky", OLD_EVENTS));
    }
  }

  @Test
  void stopsWhenStorageFailsForWriterAfterWriter() throws Exception {
    ObjectStore store = new FilesystemObjectStore(dir.resolve("down"));
    List<String> writers = new ArrayList<>();
    for (int i = 0; i < AllWritersCompaction.MAX_CONSECUTIVE_UNAVAILABLE + 2; i++) {
      writers.add(String.format("flaky-%02d", i));
    }
    try (SqlitePageIndex index = SqlitePageIndex.open(dir.resolve("down.db"))) {
      SinkWrittenPages.store(store, index, writers, 0, writers.size() * 20, 10, START_MILLIS);

      Heard heard = new Heard();
      AllWritersCompaction.Summary summary =
          compaction(new FlakyStore(store), index).run(false, heard);

      assertThat(summary.stoppedEarly()).isTrue();
      assertThat(summary.writersSeen()).isEqualTo(AllWritersCompaction.MAX_CONSECUTIVE_UNAVAILABLE);
      assertThat(summary.unavailable()).isEqualTo(AllWritersCompaction.MAX_CONSECUTIVE_UNAVAILABLE);
    }
  }
}
