package io.prism.snapshotter.page;

/**
 * Rejects Java strings that are not valid Unicode (an unpaired surrogate). Such a string has no
 * UTF-8 form: protobuf would silently write '?' and Jackson would write a JSON escape that JSON
 * readers (ours included) reject, so the page would not round-trip. Checking where events are built
 * keeps every page the encoder writes readable.
 */
public final class WellFormedText {
  private WellFormedText() {}

  /**
   * Returns {@code s}; an IllegalArgumentException naming {@code what} and the index when it is not
   * valid Unicode.
   */
  public static String check(String s, String what) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            what
                + " is not valid Unicode: unpaired surrogate U+"
                + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT)
                + " at index "
                + i);
      }
    }
    return s;
  }
}
