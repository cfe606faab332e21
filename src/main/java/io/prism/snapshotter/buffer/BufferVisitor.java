package io.prism.snapshotter.buffer;

import org.apache.kafka.common.TopicPartition;

/** Sees what a {@link PageAssembler} holds, for metrics and health; called on the task thread. */
public interface BufferVisitor {
  /**
   * One partition: {@code receivedOffset} is the offset after the last record it accepted, {@code
   * durableOffset} the offset it may commit (-1 for either: nothing accepted yet).
   */
  void partition(TopicPartition partition, long receivedOffset, long durableOffset);

  /** One page not yet durable: open (still filling) or closed and waiting to be written. */
  void page(PageBuffer page, boolean open);
}
