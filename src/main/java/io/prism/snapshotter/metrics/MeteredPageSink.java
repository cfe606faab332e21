package io.prism.snapshotter.metrics;

import io.prism.snapshotter.buffer.PageBuffer;
import io.prism.snapshotter.buffer.PageSink;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A page sink that reports each page made durable (count, events, flush reason, duration, stored
 * bytes) and remembers the last page it could not write, for the error log.
 */
public final class MeteredPageSink implements PageSink {
  private final PageSink sink;
  private final TaskMetrics metrics;
  private final AtomicReference<PageBuffer> lastFailed;

  /**
   * {@code lastFailed} may be shared by the sinks of several upload threads: it holds the page
   * whose write failed last until that page is written.
   */
  public MeteredPageSink(
      PageSink sink, TaskMetrics metrics, AtomicReference<PageBuffer> lastFailed) {
    this.sink = sink;
    this.metrics = metrics;
    this.lastFailed = lastFailed;
  }

  @Override
  public void write(PageBuffer page) throws Exception {
    long start = System.nanoTime();
    long bytesBefore = metrics.storedBytesOnThisThread();
    try {
      sink.write(page);
    } catch (Exception e) {
      lastFailed.set(page);
      throw e;
    }
    lastFailed.compareAndSet(page, null);
    metrics.pageDurable(
        page, System.nanoTime() - start, metrics.storedBytesOnThisThread() - bytesBefore);
  }

  /** The page whose write failed last, while it has not been written since; null otherwise. */
  public PageBuffer lastFailed() {
    return lastFailed.get();
  }
}
