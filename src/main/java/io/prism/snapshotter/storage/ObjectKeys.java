package io.prism.snapshotter.storage;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The rules every object key obeys, on every backend, so a key that works on one store works on all
 * of them and can never leave a filesystem store's base directory.
 */
public final class ObjectKeys {

  /** S3's limit on a key. */
  public static final int MAX_KEY_BYTES = 1024;

  /** The usual limit on one file name; keeps every key storable by the filesystem backend. */
  public static final int MAX_SEGMENT_BYTES = 255;

  /**
   * Segments starting with this are reserved for the filesystem store's own files (temp files,
   * metadata sidecars). Encoded writer ids and topics never start with {@code .}, so they never
   * clash.
   */
  public static final String RESERVED_SEGMENT_PREFIX = ".prism-";

  /** Ascending order of the keys' UTF-8 bytes (unsigned), which is the order S3 lists keys in. */
  public static final Comparator<String> UTF8_ORDER =
      (a, b) -> Arrays.compareUnsigned(utf8(a), utf8(b));

  private ObjectKeys() {}

  /**
   * Checks {@code key}, returning it unchanged.
   *
   * @throws IllegalArgumentException naming the key and the rule it breaks
   */
  public static String validate(String key) {
    String problem = problem(key);
    if (problem != null) {
      throw new IllegalArgumentException("invalid object key '" + printable(key) + "': " + problem);
    }
    return key;
  }

  /** The rule {@code key} breaks, or {@code null} when it is a valid key. */
  public static String problem(String key) {
    if (key == null || key.isEmpty()) {
      return "a key must not be empty";
    }
    if (utf8Length(key, 0, key.length()) > MAX_KEY_BYTES) {
      return "longer than " + MAX_KEY_BYTES + " UTF-8 bytes";
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '\\') {
        return "backslash at position " + i + " (use '/' to separate segments)";
      }
      if (Character.isISOControl(c)) {
        return "control character U+" + String.format("%04X", (int) c) + " at position " + i;
      }
      if (Character.isSurrogate(c) && !isPairedSurrogate(key, i)) {
        return "unpaired surrogate at position " + i;
      }
    }
    if (key.startsWith("/")) {
      return "must not start with '/' (keys are relative)";
    }
    // Segment by segment, in place: every page's key passes here, on the sink task's thread.
    for (int start = 0, end; start <= key.length(); start = end + 1) {
      end = key.indexOf('/', start);
      if (end < 0) {
        end = key.length();
      }
      String problem = segmentProblem(key, start, end);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  /** What is wrong with the segment {@code key[start, end)}, or null. */
  private static String segmentProblem(String key, int start, int end) {
    int length = end - start;
    if (length == 0) {
      return "empty segment (a '//' or a trailing '/')";
    }
    if (key.charAt(start) == '.'
        && (length == 1 || (length == 2 && key.charAt(start + 1) == '.'))) {
      return "'" + key.substring(start, end) + "' segment";
    }
    if (key.startsWith(RESERVED_SEGMENT_PREFIX, start)) {
      return "segment '"
          + key.substring(start, end)
          + "' starts with the reserved '"
          + RESERVED_SEGMENT_PREFIX
          + "'";
    }
    if (utf8Length(key, start, end) > MAX_SEGMENT_BYTES) {
      return "segment longer than " + MAX_SEGMENT_BYTES + " UTF-8 bytes";
    }
    return null;
  }

  /**
   * The length of {@code s[from, to)} in UTF-8, as {@code getBytes(UTF_8)} gives it without the
   * array: a surrogate pair is 4 bytes, an unpaired surrogate 1 (its replacement, '?').
   */
  private static int utf8Length(String s, int from, int to) {
    int bytes = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < to
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        bytes += 1;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /**
   * The key shortened and with control characters escaped, safe to put in a log line or message.
   */
  public static String printable(String key) {
    if (key == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder();
    int limit = Math.min(key.length(), 300);
    for (int i = 0; i < limit; i++) {
      char c = key.charAt(i);
      if (Character.isISOControl(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (key.length() > limit) {
      out.append("...(").append(key.length()).append(" chars)");
    }
    return out.toString();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static boolean isPairedSurrogate(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
