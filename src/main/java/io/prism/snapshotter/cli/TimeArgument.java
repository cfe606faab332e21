package io.prism.snapshotter.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/**
 * A time on the command line, as milliseconds since the epoch: epoch milliseconds ({@code 1700000000000}),
 * an ISO-8601 instant ({@code 2025-10-01T12:00:00Z}), date-time with offset ({@code 2025-10-01T14:00+02:00})
 * or a date ({@code 2025-10-01}, midnight UTC).
 */
final class TimeArgument implements CommandLine.ITypeConverter<Long> {
  @Override
  public Long convert(String value) {
    String v = value.trim();
    if (v.matches("-?\\d+")) {
      try {
        return Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is out of range for epoch milliseconds");
      }
    }
    try {
      return Instant.parse(v).toEpochMilli();
    } catch (DateTimeParseException ignored) {
      // try the next form
    }
    try {
      return OffsetDateTime.parse(v).toInstant().toEpochMilli();
    } catch (DateTimeParseException ignored) {
      // try the next form
    }
    try {
      return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new CommandLine.TypeConversionException("'" + value + "' is neither epoch milliseconds nor an "
          + "ISO-8601 time such as 2025-10-01T12:00:00Z or 2025-10-01");
    }
  }
}
