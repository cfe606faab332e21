package io.prism.snapshotter.compact;

import static io.prism.snapshotter.compact.SinkWrittenPages.START_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.Page;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.page.PageLimits;
import io.prism.snapshotter.page.PageReader;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.ObjectStore;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the merger itself counts, whatever the index claims. */
class PageMergerTest {
  private static final CompactionSettings SETTINGS =
      new CompactionSettings(
          Duration.ofDays(1), 100_000, 1_000_000, PageFormat.PROTOBUF, Compression.ZSTD);

  @TempDir Path dir;

  /**
   * The planner cuts groups by the index's event counts, which a foreign writer may understate: the
   * merger counts the events it decodes and merges the longest prefix within the limit (pages of 10
   * events, a limit of 25: two pages).
   */
  @Test
  void mergesTheLongestPrefixWhoseDecodedEventsAreWithinTheLimit() throws Exception {
    try (ObjectStore store = new FilesystemObjectStore(dir.resolve("pages"));
        SqlitePageIndex index = SqlitePageIndex.open(dir.resolve("index.db"))) {
      SinkWrittenPages.store(store, index, 0, 120, 10, START_MILLIS);
      List<IndexEntry> pagesOfW = index.entries("w", TimeRange.ALL);
      assertThat(pagesOfW).hasSize(6).allSatisfy(e -> assertThat(e.eventCount()).isEqualTo(10));

      MergedPage merged =
          new PageMerger(store, SETTINGS, CompactionPlanner.MAX_PAGE_BYTES, 25)
              .merge("w", pagesOfW);

      assertThat(merged.sourceKeys())
          .containsExactly(pagesOfW.get(0).pageKey(), pagesOfW.get(1).pageKey());
      assertThat(merged.entry().eventCount()).isEqualTo(20);
    }
  }

  /**
   * A merged page is re-encoded, maybe in another format, and takes more bytes than its sources
   * did: NDJSON escapes a control character in six. Pages of one event whose id holds 10 M control
   * characters (10 MB of protobuf, 60 MB as an NDJSON line): four merge into a page readers accept,
   * five would be over 256 MiB.
   */
  @Test
  void mergesTheLongestPrefixThatSurelyFitsInAPageReadersAccept() throws Exception {
    CompactionSettings ndjson =
        new CompactionSettings(
            Duration.ofDays(1), 100_000, 1_000_000, PageFormat.NDJSON, Compression.ZSTD);
    String control = "\u0001".repeat(10 << 20);
    try (ObjectStore store = new FilesystemObjectStore(dir.resolve("pages"));
        SqlitePageIndex index = SqlitePageIndex.open(dir.resolve("index.db"))) {
      SinkWrittenPages.store(
          store, index, 0, 10, 1, START_MILLIS, (writer, offset) -> writer + offset + control);
      List<IndexEntry> pagesOfW = index.entries("w", TimeRange.ALL);
      assertThat(pagesOfW).hasSize(5);

      MergedPage merged =
          new PageMerger(store, ndjson, CompactionPlanner.MAX_PAGE_BYTES).merge("w", pagesOfW);

      assertThat(merged.sourceKeys()).hasSize(4);
      assertThat(merged.entry().pageSizeBytes())
          .isGreaterThan(200L << 20)
          .isLessThanOrEqualTo(PageLimits.DEFAULT.maxPageBytes());
      Page page = new PageReader().read(new ByteArrayInputStream(merged.bytes()), merged.key());
      assertThat(page.events()).hasSize(4);
    }
  }
}
