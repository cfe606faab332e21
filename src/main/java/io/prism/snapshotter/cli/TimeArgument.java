package io.prism.snapshotter.cli;

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
  @Override
  public Long convert(String value) {
    return parse(value);
  }

  static long parse(String value) {
    String text = value.trim();
    if (text.matches("-?\\d+")) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw bad(value);
      }
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
