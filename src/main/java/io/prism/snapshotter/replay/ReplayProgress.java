package io.prism.snapshotter.replay;

/**
 * How far a replay is.
 *
 * @param pagesRead pages fully read
 * @param pagesTotal pages located
 * @param eventsOut events handed out
 * @param repeatsDropped events dropped as repeated ids
 * @param storedBytes stored (compressed) bytes fetched
 */
public record ReplayProgress(
    long pagesRead, long pagesTotal, long eventsOut, long repeatsDropped, long storedBytes) {}
