package io.prism.snapshotter.buffer;

import org.apache.kafka.common.TopicPartition;

/**
 * Asked before a writer's new page is opened for a record: whether a page starting with it could be
 * stored at all (its object key, say). Once per page, not per record.
 */
@FunctionalInterface
public interface NewPageCheck {
  /** Every page can be stored. */
  NewPageCheck NONE = (partition, writerId, offset, timestampMillis) -> {};

  /**
   * @throws IllegalArgumentException saying why no page starting with this record can be stored:
   *     the record is then a bad record, and nothing is buffered for it
   */
  void check(TopicPartition partition, String writerId, long offset, long timestampMillis);
}
