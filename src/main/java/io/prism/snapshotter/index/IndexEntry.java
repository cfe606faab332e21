package io.prism.snapshotter.index;

import io.prism.snapshotter.util.Utf8;
import java.util.Comparator;
import java.util.Objects;

/**
 * One page's entry in the page index: the RFC's index entry (page key, writer, sequence, time
 * range, counts, sizes, format, compression) plus the Kafka coordinates the page came from. Times
 * are milliseconds since the epoch.
 */
public record IndexEntry(
    String pageKey,
    String writerId,
    long pageSequence,
    long startTime,
    long endTime,
    long eventCount,
    long pageSizeBytes,
    long storageSizeBytes,
    String format,
    String compression,
    String topic,
    int partition,
    long firstOffset,
    long lastOffset) {

  /**
   * The order of {@link PageIndex#entries}: start time, then page sequence, then page key by its
   * UTF-8 bytes (as SQLite and ClickHouse sort it).
   */
  public static final Comparator<IndexEntry> QUERY_ORDER =
      Comparator.comparingLong(IndexEntry::startTime)
          .thenComparingLong(IndexEntry::pageSequence)
          .thenComparing(IndexEntry::pageKey, Utf8.BYTE_ORDER);

  public IndexEntry {
    Objects.requireNonNull(pageKey, "pageKey");
    Objects.requireNonNull(writerId, "writerId");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(compression, "compression");
    Objects.requireNonNull(topic, "topic");
    if (endTime < startTime) {
      throw new IllegalArgumentException(
          "index entry "
              + pageKey
              + " ends ("
              + endTime
              + ") before it starts ("
              + startTime
              + ")");
    }
  }
}
