package io.prism.snapshotter.buffer;

/**
 * What one task holds in memory right now.
 *
 * @param openPages open pages (one per active writer and partition)
 * @param bufferedEvents events not yet in a durable page
 * @param bufferedBytes their estimated uncompressed size
 * @param oldestAgeMillis age of the oldest page not yet durable, 0 when there is none
 */
public record BufferStats(
    int openPages, long bufferedEvents, long bufferedBytes, long oldestAgeMillis) {}
