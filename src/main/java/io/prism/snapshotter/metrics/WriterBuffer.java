package io.prism.snapshotter.metrics;

/** What one writer holds in one partition, for the "oldest" and "largest" writer gauges. */
public record WriterBuffer(String writerId, long bytes, long events, long openedAtMillis) {}
