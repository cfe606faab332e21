package io.prism.snapshotter.buffer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link PageUploads} on the caller's thread: {@code submit} writes the page through the sink and
 * keeps the outcome until it is taken. For {@code storage.upload.threads=0} and for tests that want
 * one thread and a deterministic order.
 */
final class InlinePageUploads implements PageUploads {
  private final PageSink sink;
  private List<PageOutcome> ready = new ArrayList<>();

  /** Whether {@link #submit} is storing a page now: read by the metrics' scrape thread. */
  private volatile boolean storing;

  InlinePageUploads(PageSink sink) {
    this.sink = sink;
  }

  @Override
  public void submit(PageBuffer page) {
    storing = true;
    try {
      sink.write(page);
      ready.add(PageOutcome.stored(page));
    } catch (Exception e) {
      ready.add(PageOutcome.failed(page, e));
    } finally {
      storing = false;
    }
  }

  @Override
  public int pagesBeingStored() {
    return storing ? 1 : 0;
  }

  @Override
  public List<PageOutcome> takeOutcomes() {
    if (ready.isEmpty()) {
      return List.of();
    }
    List<PageOutcome> taken = ready;
    ready = new ArrayList<>();
    return taken;
  }

  @Override
  public List<PageOutcome> awaitOutcomes(Duration timeout) {
    return takeOutcomes(); // nothing is in flight: whatever will ever be ready is ready now
  }

  @Override
  public void close() {}
}
