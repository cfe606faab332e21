package io.prism.snapshotter.metrics;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.index.WriterPage;
import java.util.List;

/**
 * A page index that reports each publish to a task's metrics. With
 * {@code index.publish.mode=async} it wraps the queue, so a publish is a successful enqueue.
 */
public final class MeteredPageIndex implements PageIndex {
  private final PageIndex index;
  private final TaskMetrics metrics;

  public MeteredPageIndex(PageIndex index, TaskMetrics metrics) {
    this.index = index;
    this.metrics = metrics;
  }

  @Override
  public void publish(List<IndexEntry> entries) {
    long start = System.nanoTime();
    try {
      index.publish(entries);
    } catch (RuntimeException e) {
      metrics.indexFailed();
      throw e;
    }
    metrics.indexPublished(entries.size(), System.nanoTime() - start);
  }

  @Override
  public List<IndexEntry> entries(String writerId, TimeRange range) {
    return index.entries(writerId, range);
  }

  @Override
  public WriterPage writers(String after, int limit) {
    return index.writers(after, limit);
  }

  @Override
  public void expireBefore(long cutoffMillis) {
    index.expireBefore(cutoffMillis);
  }

  @Override
  public String describe() {
    return index.describe();
  }

  @Override
  public void close() {
    index.close();
  }
}
