package io.prism.snapshotter.index;

/**
 * A half-open time range {@code [fromMillis, toMillis)} in milliseconds since the epoch. A page is
 * in it when the page's own range {@code [start, end]} overlaps it.
 */
public record TimeRange(long fromMillis, long toMillis) {
  public static final TimeRange ALL = new TimeRange(Long.MIN_VALUE, Long.MAX_VALUE);

  public TimeRange {
    if (toMillis < fromMillis) {
      throw new IllegalArgumentException(
          "time range ends (" + toMillis + ") before it starts (" + fromMillis + ")");
    }
  }

  /** Whether a page spanning {@code [startMillis, endMillis]} overlaps this range. */
  public boolean overlaps(long startMillis, long endMillis) {
    return startMillis < toMillis && endMillis >= fromMillis;
  }
}
