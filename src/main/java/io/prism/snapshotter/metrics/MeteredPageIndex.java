package io.prism.snapshotter.metrics;

import io.prism.snapshotter.index.ForwardingPageIndex;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import java.util.List;

/**
 * A page index that reports each publish to a task's metrics. With
 * {@code index.publish.mode=async} it wraps the queue, so a publish is a successful enqueue.
 */
public final class MeteredPageIndex extends ForwardingPageIndex {
  private final TaskMetrics metrics;

  public MeteredPageIndex(PageIndex index, TaskMetrics metrics) {
    super(index);
    this.metrics = metrics;
  }

  @Override
  public void publish(List<IndexEntry> entries) {
    long start = System.nanoTime();
    try {
      delegate.publish(entries);
    } catch (RuntimeException e) {
      metrics.indexFailed();
      throw e;
    }
    metrics.indexPublished(entries.size(), System.nanoTime() - start);
  }
}
