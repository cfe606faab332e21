package io.prism.snapshotter.index;

import java.time.Duration;
import java.util.List;

/**
 * {@code index.publish.mode=async}: {@link #publish} queues entries for a background thread (see
 * {@link BackgroundPublisher}) and returns, so a page counts as written once it is stored. When the
 * queue stays full for {@link #BACKPRESSURE_WAIT}, {@link #publish} fails instead of dropping
 * entries: the sink then retries the page later, which holds its partition's offset back. Queries
 * go straight to the index.
 */
public final class QueuedPageIndex extends ForwardingPageIndex {
  static final Duration BACKPRESSURE_WAIT = Duration.ofSeconds(5);

  /** How long {@link #remove} waits for the entries queued before it to reach the index. */
  static final Duration DRAIN_BEFORE_REMOVE = Duration.ofMinutes(1);

  private final BackgroundPublisher publisher;
  private final Duration backpressureWait;

  public QueuedPageIndex(PageIndex index, int capacity) {
    this(index, capacity, BACKPRESSURE_WAIT);
  }

  QueuedPageIndex(PageIndex index, int capacity, Duration backpressureWait) {
    this(index, capacity, backpressureWait, BackgroundPublisher.DRAIN_AT_CLOSE);
  }

  QueuedPageIndex(PageIndex index, int capacity, Duration backpressureWait, Duration drainAtClose) {
    super(index);
    this.publisher = new BackgroundPublisher(index, capacity, drainAtClose);
    this.backpressureWait = backpressureWait;
  }

  @Override
  public void publish(List<IndexEntry> entries) {
    try {
      if (publisher.offer(entries, backpressureWait) < entries.size()) {
        throw new IndexException(
            "The publish queue for "
                + delegate.describe()
                + " is full ("
                + publisher.capacity()
                + " entries waiting for the index); holding back until it drains");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IndexException("Interrupted while queueing entries for " + delegate.describe());
    }
  }

  /** Entries queued or being published. */
  public int pending() {
    return publisher.pending();
  }

  /** This queue's entries plus those queued behind it (a fan-out's secondaries). */
  @Override
  public int queuedEntries() {
    return publisher.pending() + delegate.queuedEntries();
  }

  /**
   * Entries given up without reaching the index: those this queue still held when it closed (after
   * its drain timeout), plus those given up behind it (a fan-out's secondaries).
   */
  @Override
  public long droppedEntries() {
    return publisher.givenUpAtClose() + delegate.droppedEntries();
  }

  /** Waits until every entry queued so far is in the index; false on timeout. */
  public boolean awaitPublished(Duration timeout) throws InterruptedException {
    return publisher.awaitDrained(timeout);
  }

  /**
   * Removes only once every entry queued before the call is in the index: a merged page queued for
   * publishing must be there before the entries of the pages it replaces go.
   */
  @Override
  public void remove(List<IndexEntry> entries) {
    try {
      if (!publisher.awaitDrained(DRAIN_BEFORE_REMOVE)) {
        throw new IndexException(
            "Entries queued for "
                + delegate.describe()
                + " did not reach it within "
                + DRAIN_BEFORE_REMOVE
                + "; not removing entries of "
                + entries.size()
                + " pages before they do");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IndexException(
          "Interrupted while waiting for the publish queue of " + delegate.describe());
    }
    delegate.remove(entries);
  }

  @Override
  public String describe() {
    return delegate.describe() + " (async)";
  }

  @Override
  public void close() {
    try {
      publisher.close();
    } finally {
      delegate.close();
    }
  }
}
