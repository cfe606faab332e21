package io.prism.snapshotter.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A duration on the command line: a whole number and a unit ({@code 90s}, {@code 15m}, {@code 12h},
 * {@code 7d}) or ISO-8601 ({@code PT12H}, {@code P7D}).
 */
final class DurationArgument implements ITypeConverter<Duration> {
  private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*([smhd])");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  static Duration parse(String value) {
    String text = value.trim();
    Matcher shortForm = SHORT.matcher(text.toLowerCase(java.util.Locale.ROOT));
    try {
      if (shortForm.matches()) {
        long amount = Long.parseLong(shortForm.group(1));
        return switch (shortForm.group(2)) {
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        };
      }
      Duration parsed = Duration.parse(text);
      if (parsed.isNegative()) {
        throw bad(value);
      }
      return parsed;
    } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
      throw bad(value);
    }
  }

  private static TypeConversionException bad(String value) {
    return new TypeConversionException(
        "'"
            + value
            + "' is not a duration: use e.g. 90s, 15m, 12h, 7d or ISO-8601 "
            + "such as PT12H, P7D");
  }
}
