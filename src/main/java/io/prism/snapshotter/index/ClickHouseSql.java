package io.prism.snapshotter.index;

import java.util.regex.Pattern;

/**
 * The one place where values become ClickHouse SQL text. ClickHouse 18.16 has no server-side query
 * parameters, so every value in a SELECT or ALTER is a literal made here.
 */
public final class ClickHouseSql {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  private ClickHouseSql() {}

  /**
   * A single-quoted ClickHouse string literal holding exactly {@code value}: backslash and quote
   * are escaped, control characters are written as escapes, so nothing in the value can end the
   * literal or the statement.
   */
  public static String quote(String value) {
    StringBuilder out = new StringBuilder(value.length() + 8).append('\'');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\'' -> out.append("\\'");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\0' -> out.append("\\0");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\x%02X", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('\'').toString();
  }

  /**
   * A database or table name, checked rather than quoted: letters, digits and underscores, not
   * starting with a digit. Names are configuration, so a bad one is a configuration error.
   */
  public static String identifier(String what, String name) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException(
          what
              + " "
              + (name == null ? "null" : "'" + name + "'")
              + " is not a plain ClickHouse identifier (letters, digits, '_'; not starting with a digit)");
    }
    return name;
  }
}
