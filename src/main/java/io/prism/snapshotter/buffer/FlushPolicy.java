package io.prism.snapshotter.buffer;

import io.prism.snapshotter.page.EventSizes;

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

  /**
   * True when the page must close before an event whose encoded size is at most {@code
   * eventBytesBound} joins it: together they could pass what page readers accept of a page ({@link
   * EventSizes#MAX_PAGE_EVENTS_BYTES}), which {@code buffer.max.size.bytes} alone does not prevent
   * (it counts characters and payload bytes; escapes, UTF-8 and base64 take more).
   */
  public boolean isFullFor(PageBuffer page, long eventBytesBound) {
    return page.encodedBytesBound() + eventBytesBound > EventSizes.MAX_PAGE_EVENTS_BYTES;
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
