package io.prism.snapshotter.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.buffer.StoredRanges;
import io.prism.snapshotter.index.ForwardingPageIndex;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.IndexException;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.SqlitePageIndex;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which index entries tell a newly assigned partition what is already stored. */
class IndexedPageLookupTest {
  static final TopicPartition P0 = new TopicPartition("events", 0);

  @TempDir Path dir;

  private static IndexEntry page(String key, String writer, long sequence, long first, long last) {
    return new IndexEntry(
        key,
        writer,
        sequence,
        1_000 + first,
        1_000 + last,
        last - first + 1,
        100,
        50,
        "protobuf",
        "zstd",
        "events",
        0,
        first,
        last);
  }

  @Test
  void sinkPagesFromTheOffsetOnAreStoredMergedPagesAreNot() {
    try (SqlitePageIndex index = SqlitePageIndex.open(dir.resolve("index.db"))) {
      index.publish(
          List.of(
              page("a-0", "a", 0, 0, 9),
              page("a-10", "a", 10, 10, 19),
              page("b-12", "b", 12, 12, 30),
              // a merged page (negative sequence) may join pages that were not adjacent
              page("c_c0123456789abcdef", "c", -5, 0, 40)));

      StoredRanges stored = new IndexedPageLookup(index, false).find(P0, 15);

      assertThat(stored.lastOffset()).isEqualTo(30);
      assertThat(stored.contains("a", 5, 1_005)).as("page ended before offset 15").isFalse();
      assertThat(stored.contains("a", 16, 1_016)).isTrue();
      assertThat(stored.contains("b", 20, 1_020)).isTrue();
      assertThat(stored.pageHolding("b", 20, 1_020))
          .as("with its key, for logs")
          .contains(new StoredRanges.StoredPage("b", 12, 30, "b-12"));
      assertThat(stored.contains("c", 20, 1_020)).as("merged page").isFalse();
      assertThat(
              new IndexedPageLookup(index, false)
                  .find(new TopicPartition("events", 1), 0)
                  .isEmpty())
          .isTrue();
    }
  }

  @Test
  void anIndexThatCannotAnswerFailsTheLookupUnlessToldToCarryOn() {
    PageIndex down =
        new ForwardingPageIndex(PageIndex.none()) {
          @Override
          public List<IndexEntry> entriesFromOffset(
              String topic, int partition, long fromOffset, int limit) {
            throw new IndexException("index is down (test)", null);
          }
        };

    assertThatThrownBy(() -> new IndexedPageLookup(down, false).find(P0, 0))
        .isInstanceOf(IndexException.class);
    assertThat(new IndexedPageLookup(down, true).find(P0, 0)).isSameAs(StoredRanges.NONE);
  }
}
