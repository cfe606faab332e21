package io.prism.snapshotter.storage;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns {@link PutOptions} metadata names ({@code a-z}, {@code 0-9}, {@code -}, {@code _}) into
 * Azure metadata names and back. Azure wants C# identifiers (a letter or {@code _} first, then
 * letters, digits and {@code _}) and compares them without case, so the encoding stays lower-case
 * and escapes with {@code _}: {@code _} becomes {@code __}, {@code -} becomes {@code _h}, and a
 * leading digit gets {@code _d} in front. So {@code writer-id} is stored as {@code writer_hid} and
 * {@code page_sequence} as {@code page__sequence}.
 */
final class AzureMetadataNames {

  private static final char ESCAPE = '_';
  private static final char HYPHEN = 'h';
  private static final char DIGIT_FIRST = 'd';

  private AzureMetadataNames() {}

  static Map<String, String> encode(Map<String, String> metadata) {
    Map<String, String> encoded = new LinkedHashMap<>();
    metadata.forEach((name, value) -> encoded.put(encode(name), value));
    return encoded;
  }

  static Map<String, String> decode(Map<String, String> metadata) {
    Map<String, String> decoded = new LinkedHashMap<>();
    if (metadata != null) {
      metadata.forEach((name, value) -> decoded.put(decode(name), value));
    }
    return decoded;
  }

  static String encode(String name) {
    StringBuilder out = new StringBuilder(name.length() + 4);
    if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
      out.append(ESCAPE).append(DIGIT_FIRST);
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      switch (c) {
        case '_' -> out.append(ESCAPE).append(ESCAPE);
        case '-' -> out.append(ESCAPE).append(HYPHEN);
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * The original name; a name this class did not write (an unknown escape) comes back lower-cased
   * as it is.
   */
  static String decode(String stored) {
    String name = stored.toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(name.length());
    int i = 0;
    if (name.length() >= 2 && name.charAt(0) == ESCAPE && name.charAt(1) == DIGIT_FIRST) {
      i = 2;
    }
    for (; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c != ESCAPE) {
        out.append(c);
        continue;
      }
      char next = i + 1 < name.length() ? name.charAt(i + 1) : 0;
      if (next == ESCAPE) {
        out.append('_');
      } else if (next == HYPHEN) {
        out.append('-');
      } else {
        return name;
      }
      i++;
    }
    return out.toString();
  }
}
