package io.prism.snapshotter.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.buffer.FlushLimits;
import io.prism.snapshotter.buffer.FlushPolicy;
import io.prism.snapshotter.buffer.FlushReason;
import io.prism.snapshotter.buffer.MemoryBudget;
import io.prism.snapshotter.buffer.PageAssembler;
import io.prism.snapshotter.index.EntryTtl;
import io.prism.snapshotter.index.ForwardingPageIndex;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.PutOptions;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReindexerTest {
  static final List<String> WRITERS = List.of("alice", "bob", "w'; DROP TABLE x; --", "é漢字");
  @TempDir Path dir;

  /**
   * Stores pages through the real committer, publishing to {@code index}; returns every writer's
   * entries.
   */
  static void storePages(
      ObjectStore store, PageIndex index, PageFormat format, Compression compression)
      throws Exception {
    storePages(store, index, format, compression, 1_700_000_000_000L);
  }

  /**
   * As {@link #storePages(ObjectStore, PageIndex, PageFormat, Compression)}, the first event at
   * {@code firstEventMillis} and one a second after it: each writer's pages end about 100, 200, 300
   * and 400 s after it.
   */
  static void storePages(
      ObjectStore store,
      PageIndex index,
      PageFormat format,
      Compression compression,
      long firstEventMillis)
      throws Exception {
    PageCommitter committer =
        new PageCommitter(
            format,
            compression,
            Map.of("team", "ingest"),
            KeyTemplate.parse(KeyTemplate.DEFAULT),
            store,
            index);
    PageAssembler assembler =
        new PageAssembler(
            new FlushPolicy(new FlushLimits(25, 50L << 20, Duration.ofHours(1))),
            new MemoryBudget(256L << 20, 0.75),
            committer,
            Clock.systemUTC());
    Random random = new Random(3);
    List<TopicPartition> partitions =
        List.of(new TopicPartition("events", 0), new TopicPartition("events", 1));
    for (int offset = 0; offset < 400; offset++) {
      String writer = WRITERS.get(offset % WRITERS.size());
      TopicPartition partition = partitions.get(Math.abs(writer.hashCode()) % 2);
      // One big page, bigger than the ranged head read, so the whole-page fallback runs too.
      byte[] payload = new byte[offset == 7 ? 200_000 : 50];
      random.nextBytes(payload);
      assembler.accept(
          partition,
          offset,
          writer,
          new Event("id-" + offset, firstEventMillis + offset * 1_000L, payload, Map.of()));
      assembler.writeClosedPages();
    }
    assembler.flushPartitions(partitions, FlushReason.TASK_STOP);
  }

  static List<IndexEntry> allEntries(PageIndex index) {
    List<IndexEntry> all = new ArrayList<>();
    for (String writer : WRITERS) {
      all.addAll(index.entries(writer, TimeRange.ALL));
    }
    return all;
  }

  @ParameterizedTest
  @EnumSource(PageFormat.class)
  void rebuildsADeletedIndexToExactlyTheEntriesItHadAndASecondRunAddsNothing(PageFormat format)
      throws Exception {
    ObjectStore store = new FilesystemObjectStore(dir.resolve("pages"));
    List<IndexEntry> original;
    try (SqlitePageIndex live = SqlitePageIndex.open(dir.resolve("live.db"))) {
      storePages(store, live, format, Compression.ZSTD);
      original = allEntries(live);
    }
    assertThat(original).hasSize(16);

    try (SqlitePageIndex rebuilt = SqlitePageIndex.open(dir.resolve("rebuilt.db"))) {
      Reindexer.Result first =
          new Reindexer(store, rebuilt).run("", Long.MIN_VALUE, (done, total) -> {});
      assertThat(first.added()).isEqualTo(original.size());
      assertThat(first.alreadyIndexed()).isZero();
      assertThat(allEntries(rebuilt)).containsExactlyElementsOf(original);

      Reindexer.Result second =
          new Reindexer(store, rebuilt).run("", Long.MIN_VALUE, (done, total) -> {});
      assertThat(second.added()).isZero();
      assertThat(second.alreadyIndexed()).isEqualTo(original.size());
      assertThat(allEntries(rebuilt)).containsExactlyElementsOf(original);
    }
  }

  @Test
  void addsOnlyWhatTheIndexLacksAndCountsObjectsThatAreNotPages() throws Exception {
    ObjectStore store = new FilesystemObjectStore(dir.resolve("pages"));
    List<IndexEntry> original;
    try (SqlitePageIndex live = SqlitePageIndex.open(dir.resolve("live.db"))) {
      storePages(store, live, PageFormat.NDJSON, Compression.GZIP);
      original = allEntries(live);
    }
    byte[] junk = "not a page".getBytes(StandardCharsets.UTF_8);
    store.put(
        "junk/readme.txt",
        new ByteArrayInputStream(junk),
        junk.length,
        PutOptions.builder().build());

    try (SqlitePageIndex partial = SqlitePageIndex.open(dir.resolve("partial.db"))) {
      partial.publish(original.subList(0, 5));
      List<Long> seen = new ArrayList<>();
      Reindexer.Result result =
          new Reindexer(store, partial).run("", Long.MIN_VALUE, (done, total) -> seen.add(total));
      assertThat(result.alreadyIndexed()).isEqualTo(5);
      assertThat(result.added()).isEqualTo(original.size() - 5);
      assertThat(result.unreadable()).isEqualTo(1);
      assertThat(result.listed()).isEqualTo(original.size() + 1);
      assertThat(seen).hasSize(original.size() + 1).containsOnly((long) original.size() + 1);
      assertThat(allEntries(partial)).containsExactlyInAnyOrderElementsOf(original);
    }
  }

  /**
   * With index.ttl.days, a page that ended longer ago than the TTL is not published (Redis refused
   * it, the others expire it at their next pass) and is counted apart: it was counted as added, on
   * every run.
   */
  @Test
  void pagesPastTheTtlAreCountedApartAndNotPublished() throws Exception {
    ObjectStore store = new FilesystemObjectStore(dir.resolve("pages"));
    List<IndexEntry> original;
    try (SqlitePageIndex live = SqlitePageIndex.open(dir.resolve("live.db"))) {
      storePages(store, live, PageFormat.PROTOBUF, Compression.NONE);
      original = allEntries(live);
    }
    List<Long> ends = original.stream().map(IndexEntry::endTime).sorted().toList();
    long day = Duration.ofDays(1).toMillis();
    long now = ends.get(ends.size() / 2) + day; // the earlier half ended a day or more ago
    Clock clock = Clock.fixed(Instant.ofEpochMilli(now), ZoneOffset.UTC);
    List<IndexEntry> withinTtl =
        original.stream().filter(entry -> entry.endTime() + day > now).toList();
    long pastTtl = original.size() - withinTtl.size();
    assertThat(pastTtl).isPositive().isLessThan(original.size());

    try (SqlitePageIndex rebuilt = SqlitePageIndex.open(dir.resolve("rebuilt.db"))) {
      Reindexer reindexer = new Reindexer(store, rebuilt, EntryTtl.ofDays(1), clock);
      Reindexer.Result first = reindexer.run("", Long.MIN_VALUE, (done, total) -> {});
      assertThat(first.expired()).isEqualTo(pastTtl);
      assertThat(first.added()).isEqualTo(withinTtl.size());
      assertThat(allEntries(rebuilt)).containsExactlyInAnyOrderElementsOf(withinTtl);

      Reindexer.Result second = reindexer.run("", Long.MIN_VALUE, (done, total) -> {});
      assertThat(second.expired()).isEqualTo(pastTtl);
      assertThat(second.alreadyIndexed()).isEqualTo(withinTtl.size());
      assertThat(second.added()).isZero();
    }
  }

  /**
   * A writer can hold millions of pages: whether one listed page is indexed is asked with that
   * page's own time range, never the writer's whole history.
   */
  @Test
  void asksTheIndexAboutEachPageWithoutReadingAWritersWholeHistory() throws Exception {
    ObjectStore store = new FilesystemObjectStore(dir.resolve("pages"));
    List<IndexEntry> original;
    try (SqlitePageIndex live = SqlitePageIndex.open(dir.resolve("live.db"))) {
      storePages(store, live, PageFormat.NDJSON, Compression.GZIP);
      original = allEntries(live);
    }
    try (SqlitePageIndex partial = SqlitePageIndex.open(dir.resolve("partial.db"))) {
      partial.publish(original.subList(0, 5));
      LargestAnswer counting = new LargestAnswer(partial);
      Reindexer.Result result =
          new Reindexer(store, counting).run("", Long.MIN_VALUE, (done, total) -> {});
      assertThat(result.alreadyIndexed()).isEqualTo(5);
      assertThat(result.added()).isEqualTo(original.size() - 5);
      assertThat(allEntries(partial)).containsExactlyInAnyOrderElementsOf(original);
      // Each writer has 4 pages, none overlapping another in time: one page's lookup finds 1.
      assertThat(counting.largest).isEqualTo(1);
    }
  }

  /** Forbids reading a writer's whole history; remembers the largest answer to a lookup. */
  private static final class LargestAnswer extends ForwardingPageIndex {
    int largest;

    LargestAnswer(PageIndex delegate) {
      super(delegate);
    }

    @Override
    public List<IndexEntry> entries(String writerId, TimeRange range) {
      assertThat(range).as("a lookup of writer %s", writerId).isNotEqualTo(TimeRange.ALL);
      List<IndexEntry> answer = super.entries(writerId, range);
      largest = Math.max(largest, answer.size());
      return answer;
    }
  }

  @Test
  void prefixAndSinceNarrowTheRun() throws Exception {
    ObjectStore store = new FilesystemObjectStore(dir.resolve("pages"));
    try (SqlitePageIndex live = SqlitePageIndex.open(dir.resolve("live.db"))) {
      storePages(store, live, PageFormat.PROTOBUF, Compression.NONE);
    }
    try (SqlitePageIndex rebuilt = SqlitePageIndex.open(dir.resolve("rebuilt.db"))) {
      Reindexer.Result future =
          new Reindexer(store, rebuilt)
              .run("", System.currentTimeMillis() + 3_600_000, (done, total) -> {});
      assertThat(future.added()).isZero();
      assertThat(future.skipped()).isEqualTo(future.listed());

      Reindexer.Result nothing =
          new Reindexer(store, rebuilt).run("no-such-prefix/", Long.MIN_VALUE, (d, t) -> {});
      assertThat(nothing.listed()).isZero();
    }
  }
}
