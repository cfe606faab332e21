package io.prism.snapshotter.metrics;

import org.apache.kafka.common.TopicPartition;

/**
 * A partition's received position (offset after the last record the task took) and its durable
 * position (the offset it may commit). Their difference is how many records would be re-delivered
 * if the task died now.
 */
public record PartitionOffsets(TopicPartition partition, long receivedOffset, long durableOffset) {
  public long gap() {
    return receivedOffset < 0 || durableOffset < 0
        ? 0
        : Math.max(0, receivedOffset - durableOffset);
  }
}
