package io.prism.snapshotter.replay;

/**
 * The Kafka records a page was formed from, from its tags {@code kafka.topic}, {@code
 * kafka.partition}, {@code kafka.offset.first}, {@code kafka.offset.last} (written by the sink's
 * page committer).
 */
public record KafkaSpan(String topic, int partition, long firstOffset, long lastOffset) {

  /** Whether both spans come from the same partition of the same topic. */
  public boolean samePartition(KafkaSpan other) {
    return partition == other.partition && topic.equals(other.topic);
  }
}
