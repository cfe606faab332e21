package io.prism.snapshotter.index;

import java.time.Duration;

/**
 * {@code index.ttl.days} as a rule on one entry: it expires the TTL after its page ended. One rule
 * for the Redis index, which does not publish an entry already past it (its key would expire at
 * once), and for {@code reindex}, which counts such a page apart instead of as added.
 */
public final class EntryTtl {
  /** {@code index.ttl.days=0}: entries are kept. */
  public static final EntryTtl KEEP = new EntryTtl(0);

  private final long ttlMillis;

  private EntryTtl(long ttlMillis) {
    this.ttlMillis = ttlMillis;
  }

  /** The TTL of {@code index.ttl.days}; 0 keeps entries. */
  public static EntryTtl ofDays(int days) {
    if (days < 0) {
      throw new IllegalArgumentException("TTL days must be 0 (keep) or more, not " + days);
    }
    return days == 0 ? KEEP : new EntryTtl(Duration.ofDays(days).toMillis());
  }

  /** Whether entries are kept for good. */
  public boolean keeps() {
    return ttlMillis == 0;
  }

  /**
   * When {@code entry} expires: its end time plus the TTL, saturating (an end time near {@link
   * Long#MAX_VALUE}, nanoseconds sent as milliseconds, expires never, not in 1970); {@link
   * Long#MAX_VALUE} when entries are kept.
   */
  public long expiresAt(IndexEntry entry) {
    return keeps() ? Long.MAX_VALUE : SaturatingMillis.plus(entry.endTime(), ttlMillis);
  }

  /** Whether {@code entry} is past the TTL at {@code nowMillis}. */
  public boolean expired(IndexEntry entry, long nowMillis) {
    return !keeps() && expiresAt(entry) <= nowMillis;
  }

  @Override
  public String toString() {
    return keeps() ? "kept" : Duration.ofMillis(ttlMillis).toDays() + " days";
  }
}
