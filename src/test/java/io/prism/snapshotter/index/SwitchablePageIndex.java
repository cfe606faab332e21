package io.prism.snapshotter.index;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real index behind a switch: while {@link #down} is set, publishing fails as an unreachable
 * index would. For the tests of the retry paths, where a real server cannot be stopped in a unit test.
 */
final class SwitchablePageIndex implements PageIndex {
  final PageIndex real;
  volatile boolean down;
  final AtomicInteger failedPublishes = new AtomicInteger();

  SwitchablePageIndex(PageIndex real) {
    this.real = real;
  }

  @Override
  public void publish(List<IndexEntry> entries) {
    if (down) {
      failedPublishes.incrementAndGet();
      throw new IndexException("index is down (test switch)");
    }
    real.publish(entries);
  }

  @Override
  public List<IndexEntry> entries(String writerId, TimeRange range) {
    return real.entries(writerId, range);
  }

  @Override
  public WriterPage writers(String after, int limit) {
    return real.writers(after, limit);
  }

  @Override
  public void remove(List<IndexEntry> entries) {
    real.remove(entries);
  }

  @Override
  public void expireBefore(long cutoffMillis) {
    real.expireBefore(cutoffMillis);
  }

  @Override
  public String describe() {
    return "switchable " + real.describe();
  }

  @Override
  public void close() {
    real.close();
  }
}
