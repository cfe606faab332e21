package io.prism.snapshotter.metrics;

import io.prism.snapshotter.index.ForwardingPageIndex;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.IndexException;
import io.prism.snapshotter.index.PageIndex;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A real index behind a test switch: publishes fail while {@link #down}, and wait while {@link
 * #hold held}.
 */
final class GatedPageIndex extends ForwardingPageIndex {
  volatile boolean down;
  private volatile CountDownLatch release = new CountDownLatch(0);
  private final CountDownLatch entered = new CountDownLatch(1);

  GatedPageIndex(PageIndex real) {
    super(real);
  }

  /** From now on a publish waits until {@link #release}. */
  void hold() {
    release = new CountDownLatch(1);
  }

  void release() {
    release.countDown();
  }

  /** A publish has started (and, if held, is waiting). */
  boolean entered() {
    return entered.getCount() == 0;
  }

  @Override
  public void publish(List<IndexEntry> entries) {
    entered.countDown();
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IndexException("interrupted while held (test gate)");
    }
    if (down) {
      throw new IndexException("index is down (test switch)");
    }
    delegate.publish(entries);
  }
}
