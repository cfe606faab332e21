package io.prism.snapshotter.sink;

import io.prism.snapshotter.buffer.StoredPageLookup;
import io.prism.snapshotter.buffer.StoredRanges;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.IndexException;
import io.prism.snapshotter.index.PageIndex;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which pages of a partition are already stored, from the page index: the entries of the pages that
 * came from the partition and end at or after the offset where its records resume.
 *
 * <p>Merged pages (compaction; a negative sequence) are left out: they may join pages that were not
 * next to each other, so their offset range need not hold every record of the writer in it. So are
 * pages without Kafka coordinates. At most {@link #MAX_PAGES} pages are read: those that end first;
 * records beyond them are stored again if re-delivered (replay still shows each event once).
 */
public final class IndexedPageLookup implements StoredPageLookup {
  private static final Logger log = LoggerFactory.getLogger(IndexedPageLookup.class);
  static final int MAX_PAGES = 50_000;

  private final PageIndex index;
  private final boolean failOpen;

  /**
   * @param failOpen when the index cannot answer: {@code true} buffers every record again (more
   *     pages stored twice, nothing lost); {@code false} throws the {@link IndexException}, so the
   *     caller retries before accepting the partition's records
   */
  public IndexedPageLookup(PageIndex index, boolean failOpen) {
    this.index = index;
    this.failOpen = failOpen;
  }

  @Override
  public StoredRanges find(TopicPartition partition, long fromOffset) {
    Iterable<IndexEntry> entries;
    try {
      entries =
          index.entriesFromOffset(partition.topic(), partition.partition(), fromOffset, MAX_PAGES);
    } catch (IndexException e) {
      if (!failOpen) {
        throw e;
      }
      log.warn(
          "Cannot look up the pages of {} stored from offset {} on in {}; taken as none, so records may be "
              + "stored twice (replay shows each event once): {}",
          partition,
          fromOffset,
          index.describe(),
          e.getMessage());
      return StoredRanges.NONE;
    }
    StoredRanges.Builder stored = StoredRanges.builder();
    for (IndexEntry entry : entries) {
      if (entry.pageSequence() >= 0
          && entry.firstOffset() >= 0
          && entry.lastOffset() >= entry.firstOffset()) {
        stored.add(
            entry.writerId(),
            entry.firstOffset(),
            entry.lastOffset(),
            entry.startTime(),
            entry.endTime(),
            entry.pageKey());
      }
    }
    return stored.build();
  }
}
