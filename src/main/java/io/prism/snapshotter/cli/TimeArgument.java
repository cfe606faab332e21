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
 */
final class TimeArgument implements ITypeConverter<Long> {
  /**
   * Epoch milliseconds from here up to {@link #LIKELY_SECONDS_BELOW} are 1970-01-12 .. 1973-03-03,
   * and the same numbers as epoch seconds are 2001 .. 5138: such a number is far more likely
   * seconds someone meant (from {@code date +%s}) than a time in 1970.
   */
  static final long LIKELY_SECONDS_FROM = 1_000_000_000L;

  static final long LIKELY_SECONDS_BELOW = 100_000_000_000L;

  @Override
  public Long convert(String value) {
    return parse(value, System.err);
  }

  static long parse(String value) {
    return parse(value, null);
  }

  /** Parses {@code value}; a number that looks like epoch seconds gets a warning on {@code err}. */
  static long parse(String value, PrintStream err) {
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
      return millis;
    }
    try {
      return Instant.parse(text).toEpochMilli();
    } catch (DateTimeParseException notInstant) {
      try {
        return OffsetDateTime.parse(text).toInstant().toEpochMilli();
      } catch (DateTimeParseException notOffset) {
        try {
          return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException notDate) {
          throw bad(value);
        }
      }
    }
  }

  private static TypeConversionException bad(String value) {
    return new TypeConversionException(
        "'"
            + value
            + "' is not a time: give epoch milliseconds "
            + "(1700000000000) or ISO-8601 (2024-05-01T12:00:00Z, 2024-05-01T14:00:00+02:00, 2024-05-01)");
  }
}
