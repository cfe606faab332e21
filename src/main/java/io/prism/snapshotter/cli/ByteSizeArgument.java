package io.prism.snapshotter.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A size in bytes on the command line: {@code 65536}, or with a binary unit {@code 64k}, {@code
 * 5m}, {@code 1g}.
 */
final class ByteSizeArgument implements ITypeConverter<Long> {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]?)i?b?");

  @Override
  public Long convert(String value) {
    return parse(value);
  }

  static long parse(String value) {
    Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw bad(value);
    }
    try {
      long amount = Long.parseLong(m.group(1));
      int shift =
          switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
          };
      long bytes = Math.multiplyExact(amount, 1L << shift);
      if (bytes <= 0) {
        throw bad(value);
      }
      return bytes;
    } catch (NumberFormatException | ArithmeticException e) {
      throw bad(value);
    }
  }

  private static TypeConversionException bad(String value) {
    return new TypeConversionException(
        "'" + value + "' is not a positive size: use bytes (65536) or k, m, g (64k, 5m)");
  }
}
