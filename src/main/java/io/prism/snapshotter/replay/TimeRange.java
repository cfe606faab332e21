package io.prism.snapshotter.replay;

/**
 * An inclusive range of event times, milliseconds since the epoch: {@code from <= t <= to}.
 *
 * @param fromMillis first time included
 * @param toMillis last time included
 */
public record TimeRange(long fromMillis, long toMillis) {

  /** Every time there is. */
  public static final TimeRange ALL = new TimeRange(Long.MIN_VALUE, Long.MAX_VALUE);

  public TimeRange {
    if (fromMillis > toMillis) {
      throw new IllegalArgumentException(
          "time range is empty: from " + fromMillis + " is after to " + toMillis);
    }
  }

  public boolean contains(long millis) {
    return millis >= fromMillis && millis <= toMillis;
  }

  /** Whether {@code [start, end]} shares at least one instant with this range. */
  public boolean overlaps(long start, long end) {
    return end >= fromMillis && start <= toMillis;
  }
}
