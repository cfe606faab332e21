package io.prism.snapshotter.cli;

import io.prism.snapshotter.replay.TimeRange;
import java.time.Instant;
import java.util.Optional;

/**
 * The range {@code --from} to {@code --to} (both included) of {@code replay} and {@code pages
 * list}, read the same way by both, so the same options give the same answer in each.
 *
 * <p>Event times are whole milliseconds, and a bound with digits below one is rounded into the
 * range ({@code --from} up, {@code --to} down; see {@link TimeArgument}). Two bounds between the
 * same two milliseconds ({@code --from 12:00:00.0045Z --to 12:00:00.0045Z}) then hold no event
 * time: that range is not wrong, only empty, so both commands print nothing and exit 0, saying why
 * on stderr. {@code --from} after {@code --to} as given is a mistake: both refuse it (exit 78). Up
 * to 2026-11 replay refused the first as "empty" while {@code pages list} printed nothing for it.
 */
final class TimeWindow {
  private final Instant from;
  private final Instant to;

  private TimeWindow(Instant from, Instant to) {
    this.from = from;
    this.to = to;
  }

  /**
   * @param from {@code --from}, or null for no start
   * @param to {@code --to}, or null for no end
   * @throws IllegalArgumentException {@code from} is after {@code to}
   */
  static TimeWindow of(Instant from, Instant to) {
    if (from != null && to != null && from.isAfter(to)) {
      throw new IllegalArgumentException(
          "--from " + from + " is after --to " + to + ": give the earlier time to --from");
    }
    return new TimeWindow(from, to);
  }

  /** The whole milliseconds in the range, both included; empty when it holds none. */
  Optional<TimeRange> millis() {
    long first = from == null ? Long.MIN_VALUE : TimeArgument.millis(from, true);
    long last = to == null ? Long.MAX_VALUE : TimeArgument.millis(to, false);
    return first > last ? Optional.empty() : Optional.of(new TimeRange(first, last));
  }

  /** Why nothing is printed for a range without a whole millisecond. */
  String emptyNote() {
    return "--from "
        + from
        + " to --to "
        + to
        + " holds no whole millisecond, and event times are whole milliseconds: nothing is in it";
  }
}
