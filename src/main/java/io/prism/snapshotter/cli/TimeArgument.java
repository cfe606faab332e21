package io.prism.snapshotter.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A time on the command line, as milliseconds since the epoch: epoch milliseconds ({@code
 * 1700000000000}), an ISO-8601 instant ({@code 2024-05-01T12:00:00Z}), date-time with offset
 * ({@code 2024-05-01T14:00:00+02:00}) or date ({@code 2024-05-01}, midnight UTC).
 *
 * <p>Event times are whole milliseconds, but ISO-8601 may carry digits below them ({@code
 * 12:00:00.0045Z}, as logs and {@code date --iso-8601=ns} print). Such a time is rounded into the
 * range it bounds, never truncated: truncating {@code --from 12:00:00.0045Z} to {@code .004} would
 * take in an event at {@code .004}, before the instant given. {@link From} (a first time included:
 * {@code --from}, {@code --since}) rounds up, {@link To} (a last time included: {@code --to})
 * rounds down. Rounding rather than refusing: a pasted log time should just work, and the range it
 * gives holds exactly the events at or between the instants given.
 */
abstract class TimeArgument implements ITypeConverter<Long> {
  /** For a first time included ({@code --from}, {@code --since}): rounds up to a millisecond. */
  static final class From extends TimeArgument {
    From() {
      super(true);
    }
  }

  /** For a last time included ({@code --to}): rounds down to a millisecond. */
  static final class To extends TimeArgument {
    To() {
      super(false);
    }
  }

  /**
   * Epoch milliseconds from here up to {@link #LIKELY_SECONDS_BELOW} are 1970-01-12 .. 1973-03-03,
   * and the same numbers as epoch seconds are 2001 .. 5138: such a number is far more likely
   * seconds someone meant (from {@code date +%s}) than a time in 1970.
   */
  static final long LIKELY_SECONDS_FROM = 1_000_000_000L;

  static final long LIKELY_SECONDS_BELOW = 100_000_000_000L;

  /**
   * The instant as given, digits below a millisecond kept: for {@code --from}/{@code --to} of
   * {@code replay} and {@code pages list}, which {@link TimeWindow} rounds together (two bounds
   * between the same two milliseconds hold no event time, and only the instants tell that from
   * {@code --from} after {@code --to}).
   */
  static final class Exact implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      return instant(value, System.err);
    }
  }

  private final boolean roundUp;

  private TimeArgument(boolean roundUp) {
    this.roundUp = roundUp;
  }

  @Override
  public Long convert(String value) {
    return parse(value, System.err, roundUp);
  }

  /** {@code value} as a first time included (rounded up), without warnings. */
  static long parse(String value) {
    return parse(value, null, true);
  }

  /**
   * Parses {@code value}; a number that looks like epoch seconds gets a warning on {@code err}. A
   * time between two milliseconds rounds up if {@code roundUp}, else down.
   */
  static long parse(String value, PrintStream err, boolean roundUp) {
    return millis(instant(value, err), roundUp);
  }

  /**
   * Parses {@code value} exactly; a number that looks like epoch seconds gets a warning on {@code
   * err}. An instant whose milliseconds (rounded either way) do not fit a long is refused.
   */
  static Instant instant(String value, PrintStream err) {
    String text = value.trim();
    if (text.matches("-?\\d+")) {
      long millis;
      try {
        millis = Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw bad(value);
      }
      if (err != null && millis >= LIKELY_SECONDS_FROM && millis < LIKELY_SECONDS_BELOW) {
        // A warning, not a refusal: the number is a valid time, and scripts may mean it.
        err.println(
            "warning: "
                + text
                + " is taken as epoch milliseconds ("
                + Instant.ofEpochMilli(millis)
                + "); if it is epoch seconds, append 000 ("
                + Instant.ofEpochSecond(millis)
                + ")");
      }
      return Instant.ofEpochMilli(millis);
    }
    try {
      Instant t = parseIso(text);
      millis(t, true);
      millis(t, false);
      return t;
    } catch (DateTimeParseException | ArithmeticException e) {
      throw bad(value); // ArithmeticException: a year so far off its milliseconds overflow a long
    }
  }

  private static Instant parseIso(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException notInstant) {
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException notOffset) {
        return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
    }
  }

  /** {@code toEpochMilli()} rounds down (also before 1970); up adds the millisecond it cut off. */
  static long millis(Instant t, boolean roundUp) {
    long down = t.toEpochMilli();
    return roundUp && t.getNano() % 1_000_000 != 0 ? Math.addExact(down, 1) : down;
  }

  private static TypeConversionException bad(String value) {
    return new TypeConversionException(
        "'"
            + value
            + "' is not a time: give epoch milliseconds "
            + "(1700000000000) or ISO-8601 (2024-05-01T12:00:00Z, 2024-05-01T14:00:00+02:00, 2024-05-01)");
  }
}
