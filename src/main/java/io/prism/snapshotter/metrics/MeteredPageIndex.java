package io.prism.snapshotter.metrics;

import io.prism.snapshotter.index.ForwardingPageIndex;
import io.prism.snapshotter.index.IndexDecorator;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.PublishPath;
import java.util.List;

/**
 * A page index that reports each publish to a task's metrics, timed around the call it wraps.
 * {@link #decorator} puts one on every part of an opened index, each knowing its {@link
 * PublishPath}: so in async mode the background publish to the index is timed and counted, not only
 * the enqueue (see {@link TaskMetrics#indexPublished}).
 */
public final class MeteredPageIndex extends ForwardingPageIndex {
  private final TaskMetrics metrics;
  private final PublishPath path;

  public MeteredPageIndex(PageIndex index, TaskMetrics metrics, PublishPath path) {
    super(index);
    this.metrics = metrics;
    this.path = path;
  }

  /** Meters every part of an index to {@code metrics}: pass to {@code IndexConfig.open}. */
  public static IndexDecorator decorator(TaskMetrics metrics) {
    return (index, path) -> new MeteredPageIndex(index, metrics, path);
  }

  @Override
  public void publish(List<IndexEntry> entries) {
    long start = System.nanoTime();
    try {
      delegate.publish(entries);
    } catch (RuntimeException | Error e) {
      // An Error too: a queue's thread retries it like any failure (BackgroundPublisher).
      metrics.indexFailed(path);
      throw e;
    }
    metrics.indexPublished(path, entries.size(), System.nanoTime() - start);
  }
}
