package io.prism.snapshotter.index;

/**
 * One page's entry in the page index: the RFC's index entry (page key, writer, sequence, time
 * range, counts, sizes, format, compression) plus the Kafka coordinates the page came from.
 * Times are milliseconds since the epoch.
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
    long lastOffset) {}
