package io.prism.snapshotter.index;

import java.time.Duration;
import java.util.List;

/**
 * {@code index.publish.mode=async}: {@link #publish} queues entries for a background thread (see
 * {@link BackgroundPublisher}) and returns, so a page counts as written once it is stored. When
 * the queue stays full for {@link #BACKPRESSURE_WAIT}, {@link #publish} fails instead of dropping
 * entries: the sink then retries the page later, which holds its partition's offset back.
 * Queries go straight to the index.
 */
public final class QueuedPageIndex implements PageIndex {
  static final Duration BACKPRESSURE_WAIT = Duration.ofSeconds(5);

  private final PageIndex index;
  private final BackgroundPublisher publisher;
  private final Duration backpressureWait;

  public QueuedPageIndex(PageIndex index, int capacity) {
    this(index, capacity, BACKPRESSURE_WAIT);
  }

  QueuedPageIndex(PageIndex index, int capacity, Duration backpressureWait) {
    this.index = index;
    this.publisher = new BackgroundPublisher(index, capacity);
    this.backpressureWait = backpressureWait;
  }

  @Override
  public void publish(List<IndexEntry> entries) {
    try {
      if (!publisher.offer(entries, backpressureWait)) {
        throw new IndexException(
            "The publish queue for " + index.describe() + " is full (" + publisher.capacity()
                + " entries waiting for the index); holding back until it drains");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IndexException("Interrupted while queueing entries for " + index.describe());
    }
  }

  /** Entries queued or being published. */
  public int pending() {
    return publisher.pending();
  }

  /** Waits until every entry queued so far is in the index; false on timeout. */
  public boolean awaitPublished(Duration timeout) throws InterruptedException {
    return publisher.awaitDrained(timeout);
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
    return index.describe() + " (async)";
  }

  @Override
  public void close() {
    try {
      publisher.close();
    } finally {
      index.close();
    }
  }
}
