package io.prism.snapshotter.metrics;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Pages, events and stored bytes made durable per partition since they were last taken: what the
 * one INFO line per commit reports. Updated per page, never per record.
 */
public final class DurableProgress {
  private final Map<TopicPartition, long[]> pending = new HashMap<>();

  /** What became durable in one partition between two commits. */
  public record Progress(long pages, long events, long bytes) {
    public static final Progress NONE = new Progress(0, 0, 0);
  }

  synchronized void pageDurable(TopicPartition partition, long events, long bytes) {
    long[] sums = pending.computeIfAbsent(partition, p -> new long[3]);
    sums[0]++;
    sums[1] += events;
    sums[2] += bytes;
  }

  /** What became durable in {@code partition} since the last call, and resets it. */
  public synchronized Progress take(TopicPartition partition) {
    long[] sums = pending.remove(partition);
    return sums == null ? Progress.NONE : new Progress(sums[0], sums[1], sums[2]);
  }
}
