package io.prism.snapshotter.compact;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.page.PageLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What bounds one merged page, besides the stored target. */
class CompactionPlannerTest {
  private static final long START = 1_700_000_000_000L;
  private static final CompactionSettings SETTINGS =
      new CompactionSettings(
          Duration.ofDays(1), 1L << 20, 100L << 20, PageFormat.PROTOBUF, Compression.ZSTD);

  /** A small page of {@code events} events at {@code offset}, well within every size limit. */
  private static IndexEntry page(long offset, long events) {
    return new IndexEntry(
        "snapshots/w/" + offset + ".pb.zst",
        "w",
        offset,
        START + offset,
        START + offset + events - 1,
        events,
        events * 20,
        events * 2,
        "protobuf",
        "zstd",
        "events",
        0,
        offset,
        offset + events - 1);
  }

  /**
   * Tiny events: ten pages of 300,000 (6 MB each, 600 KB stored) fit the stored target and the
   * decoded bytes together, but not the million events a page reader accepts.
   */
  @Test
  void aMergedPageNeverHoldsMoreEventsThanPageReadersAccept() {
    List<IndexEntry> pages = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      pages.add(page(i * 300_000L, 300_000));
    }

    List<List<IndexEntry>> groups = new CompactionPlanner(SETTINGS).plan(pages, START + (1L << 40));

    assertThat(groups).as("3 + 3 + 3 pages; the last alone is no merge").hasSize(3);
    assertThat(groups)
        .allSatisfy(
            group ->
                assertThat(group.stream().mapToLong(IndexEntry::eventCount).sum())
                    .isLessThanOrEqualTo(PageLimits.DEFAULT.maxEvents()));
    assertThat(groups.stream().mapToInt(List::size).sum()).isEqualTo(9);
  }
}
