package io.prism.snapshotter.index;

/**
 * A half-open time range {@code [fromMillis, toMillis)} in milliseconds since the epoch. A page is
 * in it when the page's own range {@code [start, end]} overlaps it.
 *
 * <p>{@code toMillis == Long.MAX_VALUE} means no end: there is no {@code long} past a page that
 * starts at {@link Long#MAX_VALUE} (nanoseconds sent as milliseconds can get there), and a query
 * for all time must still find it.
 */
public record TimeRange(long fromMillis, long toMillis) {
  public static final TimeRange ALL = new TimeRange(Long.MIN_VALUE, Long.MAX_VALUE);

  public TimeRange {
    if (toMillis < fromMillis) {
      throw new IllegalArgumentException(
          "time range ends (" + toMillis + ") before it starts (" + fromMillis + ")");
    }
  }

  /**
   * The smallest range that finds a page spanning {@code [startMillis, endMillis]}: from its start
   * to just past its end, open-ended for a page that ends at {@link Long#MAX_VALUE}.
   */
  public static TimeRange ofPage(long startMillis, long endMillis) {
    return new TimeRange(
        startMillis,
        endMillis == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(startMillis, endMillis) + 1);
  }

  /** Whether the range is open at its end ({@code toMillis == Long.MAX_VALUE}). */
  public boolean openEnded() {
    return toMillis == Long.MAX_VALUE;
  }

  /** Whether a page spanning {@code [startMillis, endMillis]} overlaps this range. */
  public boolean overlaps(long startMillis, long endMillis) {
    return (openEnded() || startMillis < toMillis) && endMillis >= fromMillis;
  }
}
