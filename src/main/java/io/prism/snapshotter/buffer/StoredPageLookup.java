package io.prism.snapshotter.buffer;

import org.apache.kafka.common.TopicPartition;

/**
 * Finds the pages already durable for a partition from a given offset on: asked once each time a
 * partition's first record arrives after it was assigned, with that record's offset; and when a
 * partition that buffers records is revoked, with its lowest buffered offset (has another task
 * stored them meanwhile?).
 */
@FunctionalInterface
public interface StoredPageLookup {
  /** Knows of no stored page: every re-delivered record is buffered again. */
  StoredPageLookup NONE = (partition, fromOffset) -> StoredRanges.NONE;

  /**
   * The pages of {@code partition} whose last offset is at or after {@code fromOffset}. Throws when
   * they cannot be known now; the record is then not accepted, and the caller tries again later.
   */
  StoredRanges find(TopicPartition partition, long fromOffset);
}
