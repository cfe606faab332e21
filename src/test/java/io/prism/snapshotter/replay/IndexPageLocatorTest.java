package io.prism.snapshotter.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.SqlitePageIndex;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexPageLocatorTest {
  @TempDir Path dir;

  private static IndexEntry entry(
      String key, int partition, long first, long last, long start, long end) {
    return new IndexEntry(
        key,
        "w",
        first,
        start,
        end,
        last - first + 1,
        100,
        50,
        "protobuf",
        "zstd",
        "events",
        partition,
        first,
        last);
  }

  @Test
  void entriesBecomeRefsInWriterOrderWithBothEndsOfTheRangeIncluded() {
    try (PageIndex index = SqlitePageIndex.open(dir.resolve("index.db"))) {
      index.publish(
          List.of(
              entry("k-1-0", 1, 0, 9, 100, 109),
              entry("k-0-10", 0, 10, 19, 110, 119),
              entry("k-0-0", 0, 0, 9, 200, 209), // a later time but an earlier offset
              entry("k-0-20", 0, 20, 29, 300, 309)));
      IndexPageLocator locator = new IndexPageLocator(index);

      assertThat(locator.locate("w", TimeRange.ALL))
          .extracting(PageRef::key)
          .containsExactly("k-0-0", "k-0-10", "k-0-20", "k-1-0");
      // to is inclusive for replay: a page starting exactly at 'to' is in
      assertThat(locator.locate("w", new TimeRange(250, 300)))
          .extracting(PageRef::key)
          .containsExactly("k-0-20");
      assertThat(locator.locate("w", new TimeRange(0, 99))).isEmpty();
      assertThat(locator.locate("w", TimeRange.ALL).get(0).span())
          .isEqualTo(new KafkaSpan("events", 0, 0, 9));
      assertThat(locator.locate("other", TimeRange.ALL)).isEmpty();
    }
  }
}
