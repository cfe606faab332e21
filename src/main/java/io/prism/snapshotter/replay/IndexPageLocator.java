package io.prism.snapshotter.replay;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Locates a writer's pages through the page index ({@link PageIndex#entries}): no listing, no
 * metadata reads. The index's entries carry the Kafka coordinates, so the order is the same {@link
 * PageRef#WRITER_ORDER} as when listing storage. Pages the index does not know (stored while {@code
 * index.backend=none}, before a reindex) are not replayed: use {@link StorageScanLocator}.
 */
public final class IndexPageLocator implements PageLocator {
  private final PageIndex index;

  public IndexPageLocator(PageIndex index) {
    this.index = Objects.requireNonNull(index, "index");
  }

  /**
   * @throws io.prism.snapshotter.index.IndexException the index cannot answer
   */
  @Override
  public List<PageRef> locate(String writerId, TimeRange range) {
    // The index's range is half-open [from, to); replay's is inclusive.
    long to = range.toMillis() == Long.MAX_VALUE ? Long.MAX_VALUE : range.toMillis() + 1;
    List<PageRef> pages = new ArrayList<>();
    for (IndexEntry e :
        index.entries(writerId, new io.prism.snapshotter.index.TimeRange(range.fromMillis(), to))) {
      KafkaSpan span =
          e.topic() == null || e.topic().isEmpty()
              ? null
              : new KafkaSpan(e.topic(), e.partition(), e.firstOffset(), e.lastOffset());
      pages.add(
          new PageRef(
              e.pageKey(),
              e.writerId(),
              e.pageSequence(),
              e.startTime(),
              e.endTime(),
              e.storageSizeBytes(),
              span));
    }
    pages.sort(PageRef.WRITER_ORDER);
    return pages;
  }
}
