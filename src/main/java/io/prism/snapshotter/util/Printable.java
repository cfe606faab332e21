package io.prism.snapshotter.util;

/**
 * Makes untrusted text (writer ids, keys) safe to put in a log line or an error message: control
 * characters are escaped and long values are cut, so a hostile writer id can neither forge log
 * lines nor flood them.
 */
public final class Printable {
  private static final int MAX_CHARS = 120;

  private Printable() {}

  /** The value in single quotes, escaped and cut to a readable length. */
  public static String quote(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_CHARS) + 16).append('\'');
    int limit = Math.min(value.length(), MAX_CHARS);
    for (int i = 0; i < limit; i++) {
      char c = value.charAt(i);
      if (c == '\'' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('\'');
    if (value.length() > MAX_CHARS) {
      out.append("...(").append(value.length()).append(" chars)");
    }
    return out.toString();
  }
}
