package io.prism.snapshotter.buffer;

/**
 * When does a page close? All of the rules in one place: event count, byte size and age. Session
 * end, revocation, stop and memory pressure are decided by the caller, which knows about those
 * events; this class answers only for the page's own thresholds.
 */
public final class FlushPolicy {
  private final FlushLimits limits;
  private final long maxAgeMillis;

  public FlushPolicy(FlushLimits limits) {
    this.limits = limits;
    this.maxAgeMillis = limits.maxAge().toMillis();
  }

  public FlushLimits limits() {
    return limits;
  }

  /** The reason the page must close now that an event was appended, or {@code null}. */
  public FlushReason afterAppend(PageBuffer page) {
    if (page.eventCount() >= limits.maxEvents()) {
      return FlushReason.EVENT_COUNT;
    }
    if (page.estimatedBytes() >= limits.maxBytes()) {
      return FlushReason.SIZE;
    }
    return null;
  }

  /** True when an event of this size can never share a page with another one. */
  public boolean isOversized(long eventBytes) {
    return eventBytes >= limits.maxBytes();
  }

  /** True when the page's first event has waited at least {@code maxAge} at {@code nowMillis}. */
  public boolean isExpired(PageBuffer page, long nowMillis) {
    return nowMillis - page.openedAtMillis() >= maxAgeMillis;
  }
}
