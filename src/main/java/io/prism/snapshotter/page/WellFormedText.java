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
    int unpaired = unpairedSurrogateAt(s);
    if (unpaired >= 0) {
      throw notUnicode(s, unpaired, what);
    }
    return s;
  }

  /**
   * Where the first unpaired surrogate of {@code s} is, or -1 when {@code s} is valid Unicode. For
   * the sink's per-record checks, whose {@code what} would cost a string per record if built before
   * it is needed: build it, and call {@link #notUnicode}, only when this is not -1.
   */
  public static int unpairedSurrogateAt(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /** The error for {@code s}, {@code what}, whose unpaired surrogate is at {@code index}. */
  public static IllegalArgumentException notUnicode(String s, int index, String what) {
    return new IllegalArgumentException(
        what
            + " is not valid Unicode: unpaired surrogate U+"
            + Integer.toHexString(s.charAt(index)).toUpperCase(java.util.Locale.ROOT)
            + " at index "
            + index);
  }
}
