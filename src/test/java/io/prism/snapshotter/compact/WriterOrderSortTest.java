package io.prism.snapshotter.compact;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.ObjectStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planning in bounded memory: the writer's entries sorted into the writer's order a chunk at a time
 * ({@link WriterOrderSort}), and the plan made from them one group at a time ({@link
 * CompactionPlanner#groups}), give the plan of the whole history held at once.
 */
class WriterOrderSortTest {
  private static final long START = 1_700_000_000_000L;
  private static final Clock NOW =
      Clock.fixed(Instant.ofEpochMilli(START).plus(Duration.ofDays(30)), ZoneOffset.UTC);
  private static final CompactionSettings SETTINGS =
      new CompactionSettings(
          Duration.ofDays(1), 64 * 1024, 8 * 1024, PageFormat.PROTOBUF, Compression.ZSTD);

  @TempDir Path dir;

  /**
   * Pages of writer "w" over 3 partitions, every 7th not small (it cuts a run), with start times
   * that run against the offsets every so often (a producer's clock): in shuffled order.
   */
  private static List<IndexEntry> pages(int count) {
    List<IndexEntry> pages = new ArrayList<>();
    Random random = new Random(42);
    for (int i = 0; i < count; i++) {
      int partition = i % 3;
      long offset = 10L * (i / 3);
      long time = START + offset * 1_000 - random.nextInt(20_000);
      pages.add(
          new IndexEntry(
              String.format("snapshots/w/%d_events-%d-%020d.pb.zst", time, partition, offset),
              "w",
              offset,
              time,
              time + 500,
              10,
              2_000,
              i % 7 == 0 ? 100_000 : 1_000 + random.nextInt(500),
              "protobuf",
              "zstd",
              "events",
              partition,
              offset,
              offset + 9));
    }
    Collections.shuffle(pages, random);
    return pages;
  }

  @Test
  void sortsInTheWritersOrderHoldingAChunkAtATime() {
    List<IndexEntry> pages = pages(5_000);
    List<IndexEntry> expected = new ArrayList<>(pages);
    expected.sort(CompactionPlanner.WRITER_ORDER);

    // 5,000 entries in chunks of 40: 125 files, merged in two rounds (64 at a time).
    try (WriterOrderSort sort = new WriterOrderSort(40)) {
      pages.forEach(sort::add);
      List<IndexEntry> sorted = new ArrayList<>();
      sort.entries().forEachRemaining(sorted::add);

      assertThat(sorted).containsExactlyElementsOf(expected);
      assertThat(sort.files()).isBetween(2, WriterOrderSort.MAX_FILES_MERGED);
      assertThat(sort.maxHeld()).isLessThanOrEqualTo(WriterOrderSort.MAX_FILES_MERGED);
      List<IndexEntry> again = new ArrayList<>();
      sort.entries().forEachRemaining(again::add);
      assertThat(again).as("read a second time").containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aWriterWithinOneChunkIsSortedInMemory() {
    List<IndexEntry> pages = pages(300);
    List<IndexEntry> expected = new ArrayList<>(pages);
    expected.sort(CompactionPlanner.WRITER_ORDER);
    try (WriterOrderSort sort = new WriterOrderSort(300)) {
      pages.forEach(sort::add);
      List<IndexEntry> sorted = new ArrayList<>();
      sort.entries().forEachRemaining(sorted::add);

      assertThat(sorted).containsExactlyElementsOf(expected);
      assertThat(sort.files()).isZero();
      assertThat(sort.maxHeld()).isEqualTo(300);
    }
  }

  @Test
  void groupsReadOneAtATimeAreThePlanOfTheWholeHistory() {
    List<IndexEntry> pages = pages(5_000);
    CompactionPlanner planner = new CompactionPlanner(SETTINGS);
    long cutoff = NOW.millis() - Duration.ofDays(1).toMillis();
    List<List<IndexEntry>> whole = planner.plan(pages, cutoff);

    try (WriterOrderSort sort = new WriterOrderSort(100)) {
      pages.forEach(sort::add);
      CompactionPlanner.Groups groups = planner.groups(sort.entries(), cutoff);
      List<List<IndexEntry>> streamed = new ArrayList<>();
      groups.forEachRemaining(streamed::add);

      assertThat(whole).hasSizeGreaterThan(100);
      assertThat(streamed).isEqualTo(whole);
      int largestGroup = whole.stream().mapToInt(List::size).max().orElseThrow();
      assertThat(groups.maxHeld()).isLessThanOrEqualTo(2 * largestGroup);
    }
  }

  /**
   * A dry run over a SQLite index of 20,000 entries holds at most one sort chunk of them, and its
   * report's figures are exactly those of the plan of the whole history held at once.
   */
  @Test
  void aDryRunHoldsAtMostAChunkOfTheWritersEntriesAndCountsEveryMerge() throws Exception {
    List<IndexEntry> pages = pages(20_000);
    List<List<IndexEntry>> whole =
        new CompactionPlanner(SETTINGS).plan(pages, NOW.millis() - SETTINGS.olderThan().toMillis());
    try (SqlitePageIndex index = SqlitePageIndex.open(dir.resolve("index.db"));
        ObjectStore store = new FilesystemObjectStore(dir.resolve("pages"))) {
      for (int from = 0; from < pages.size(); from += 5_000) {
        index.publish(pages.subList(from, from + 5_000));
      }
      Compactor compactor =
          new Compactor(
              store,
              index,
              WriterPages.fromIndex(index),
              SETTINGS,
              NOW,
              CompactionPlanner.MAX_PAGE_BYTES,
              1_000);
      List<CompactionReport.Merge> heard = new ArrayList<>();

      CompactionReport report = compactor.run("w", true, heard::add);

      assertThat(compactor.maxEntriesHeld()).isBetween(1, 1_000);
      assertThat(report.merges()).as("kept: none").isEmpty();
      assertThat(report.mergedPages()).isEqualTo(whole.size()).isEqualTo(heard.size());
      assertThat(report.pagesReplaced()).isEqualTo(whole.stream().mapToLong(List::size).sum());
      assertThat(report.sourceBytes())
          .isEqualTo(
              whole.stream().flatMap(List::stream).mapToLong(IndexEntry::storageSizeBytes).sum());
      assertThat(heard)
          .extracting(m -> m.sources())
          .containsExactlyElementsOf(
              whole.stream().map(g -> g.stream().map(IndexEntry::pageKey).toList()).toList());
    }
  }
}
