package io.prism.snapshotter.metrics;

import io.prism.snapshotter.buffer.PageBuffer;
import io.prism.snapshotter.buffer.PageSink;

/**
 * A page sink that reports each page made durable (count, events, flush reason, duration,
 * stored bytes) and remembers the last page it could not write, for the error log.
 */
public final class MeteredPageSink implements PageSink {
  private final PageSink sink;
  private final TaskMetrics metrics;
  private volatile PageBuffer lastFailed;

  public MeteredPageSink(PageSink sink, TaskMetrics metrics) {
    this.sink = sink;
    this.metrics = metrics;
  }

  @Override
  public void write(PageBuffer page) throws Exception {
    long start = System.nanoTime();
    long bytesBefore = metrics.storedBytes();
    try {
      sink.write(page);
    } catch (Exception e) {
      lastFailed = page;
      throw e;
    }
    lastFailed = null;
    metrics.pageDurable(page, System.nanoTime() - start, metrics.storedBytes() - bytesBefore);
  }

  /** The page whose write failed last, while it has not been written since; null otherwise. */
  public PageBuffer lastFailed() {
    return lastFailed;
  }
}
