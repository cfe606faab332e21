package io.prism.snapshotter.metrics;

import java.util.List;

/**
 * What one task held in memory when it was last surveyed.
 *
 * @param activeWriters pages not yet durable that are open (one per writer and partition)
 * @param events events not yet in a durable page
 * @param bytes their size as the memory budget counts it
 * @param oldestOpenedAtMillis when the oldest page not yet durable opened; {@link Long#MAX_VALUE}:
 *     none
 * @param writersOverAgeLimit pages older than {@code buffer.max.age.seconds} at survey time
 * @param oldest the N oldest writers, oldest first
 * @param largest the N largest writers, largest first
 * @param partitions every partition's received and durable offsets
 */
public record BufferSnapshot(
    int activeWriters,
    long events,
    long bytes,
    long oldestOpenedAtMillis,
    int writersOverAgeLimit,
    List<WriterBuffer> oldest,
    List<WriterBuffer> largest,
    List<PartitionOffsets> partitions) {
  public static final BufferSnapshot EMPTY =
      new BufferSnapshot(0, 0, 0, Long.MAX_VALUE, 0, List.of(), List.of(), List.of());

  /** Age of the oldest buffered page at {@code nowMillis}, 0 when nothing is buffered. */
  public long oldestAgeMillis(long nowMillis) {
    return oldestOpenedAtMillis == Long.MAX_VALUE
        ? 0
        : Math.max(0, nowMillis - oldestOpenedAtMillis);
  }
}
