package io.prism.snapshotter.frontdoor;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Decides which of a run of like log lines are written: the first at once, then at most one per
 * {@code interval}, each saying how many like it were held back. A line with another reason is
 * written at once, saying how many of the last reason were held back, so a change of cause is never
 * hidden. While Kafka is unreachable every attempt fails the same way, every {@code max.block.ms}
 * or backoff: without this, the same WARN fills the log every few seconds for as long as it lasts.
 */
final class RepeatedLogLimit {
  /**
   * What to do with one line.
   *
   * @param heldBack lines held back since the last written one (this one included if not written)
   * @param newReason whether the reason differs from the last written line's
   */
  record Verdict(boolean write, int heldBack, boolean newReason) {
    /** What a written line adds about the lines held back before it ("" if none were). */
    String note() {
      if (heldBack == 0) {
        return "";
      }
      return newReason
          ? " (the cause changed; " + heldBack + " line(s) of the previous cause were not logged)"
          : " (" + heldBack + " like it since the last one were not logged)";
    }
  }

  private final long intervalNanos;
  private final LongSupplier nanoTime;

  // Guarded by this.
  private String lastReason;
  private long lastWrittenNanos;
  private int heldBack;

  RepeatedLogLimit(Duration interval) {
    this(interval, System::nanoTime);
  }

  RepeatedLogLimit(Duration interval, LongSupplier nanoTime) {
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
  }

  /**
   * A line for {@code reason} (a short key for the cause, not the whole text: texts of one cause
   * may differ in a count or a time) is about to be logged: whether to write it.
   */
  synchronized Verdict admit(String reason) {
    long now = nanoTime.getAsLong();
    if (Objects.equals(reason, lastReason) && now - lastWrittenNanos < intervalNanos) {
      heldBack++;
      return new Verdict(false, heldBack, false);
    }
    Verdict verdict =
        new Verdict(true, heldBack, lastReason != null && !Objects.equals(reason, lastReason));
    lastReason = reason;
    lastWrittenNanos = now;
    heldBack = 0;
    return verdict;
  }

  /**
   * The cause is gone (Kafka answered): the next failure is written at once. Returns how many lines
   * were held back since the last written one, for the line that says so.
   */
  synchronized int reset() {
    int held = heldBack;
    lastReason = null;
    heldBack = 0;
    return held;
  }
}
