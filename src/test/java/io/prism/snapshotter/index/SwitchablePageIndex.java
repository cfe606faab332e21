package io.prism.snapshotter.index;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real index behind a switch: while {@link #down} is set, publishing fails as an unreachable
 * index would. For the tests of the retry paths, where a real server cannot be stopped in a unit
 * test.
 */
final class SwitchablePageIndex extends ForwardingPageIndex {
  volatile boolean down;
  final AtomicInteger failedPublishes = new AtomicInteger();

  SwitchablePageIndex(PageIndex real) {
    super(real);
  }

  @Override
  public void publish(List<IndexEntry> entries) {
    if (down) {
      failedPublishes.incrementAndGet();
      throw new IndexException("index is down (test switch)");
    }
    delegate.publish(entries);
  }

  @Override
  public String describe() {
    return "switchable " + delegate.describe();
  }
}
