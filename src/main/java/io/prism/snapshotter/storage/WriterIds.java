package io.prism.snapshotter.storage;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Turns an untrusted writer id (or topic) into one safe key segment, and back.
 *
 * <p>Writer ids come from producers and are never interpreted as paths. The encoding:
 *
 * <ol>
 *   <li>The id is taken as UTF-8. Every byte outside the safe set {@code [A-Za-z0-9_.-]} becomes
 *       {@code %XX} (upper-case hex), so {@code /}, {@code \}, NUL, control characters, {@code %},
 *       {@code ~} and all non-ASCII text are escaped. A leading {@code .} is escaped as well
 *       ({@code %2E}), so the segment can never be {@code .} or {@code ..} nor start with the
 *       store's reserved {@code .prism-} prefix. {@code ../../etc/passwd} becomes {@code
 *       %2E.%2F..%2Fetc%2Fpasswd}: one segment.
 *   <li>The empty id becomes {@value #EMPTY_MARKER}. Since {@code ~} is otherwise always escaped,
 *       no other id encodes to it.
 *   <li>An id whose encoding would be longer than {@value #MAX_ENCODED_LENGTH} characters becomes
 *       {@code ~<readable prefix>~<SHA-256 hex of the id's UTF-8 bytes>}. It starts with {@code ~}
 *       and is longer than one character, so it cannot equal a plain encoding or the empty marker;
 *       two such ids collide only if SHA-256 does. <b>These keys are not reversible from the key
 *       alone</b>: {@link #decode} refuses them, and the raw writer id is found in the page's
 *       metadata.
 *   <li>A string that is not well-formed UTF-16 (an unpaired surrogate) has no UTF-8 form; it
 *       always takes the hashed form, hashed over {@code 0xFF} followed by its UTF-16BE code units
 *       ({@code 0xFF} never occurs in UTF-8, so this input can never equal a well-formed id's).
 * </ol>
 *
 * The encoding is deterministic and injective: distinct ids give distinct segments (up to SHA-256
 * collisions for hashed ones), and {@code decode(encode(id)).equals(id)} for every well-formed id
 * whose encoding is within the bound. Kafka topic names pass through it unchanged (they use only
 * the safe set) except a leading {@code .}.
 */
public final class WriterIds {

  /** The whole encoding of the empty id. */
  public static final String EMPTY_MARKER = "~";

  /**
   * Longest plain encoding; longer ones are hashed. Leaves room in a 255-byte file name for other
   * text.
   */
  public static final int MAX_ENCODED_LENGTH = 200;

  /** How much of the plain encoding a hashed form keeps, so people can still tell writers apart. */
  static final int READABLE_PREFIX_LENGTH = 64;

  private static final HexFormat UPPER_HEX = HexFormat.of().withUpperCase();

  private WriterIds() {}

  /** The safe single key segment for {@code id}. */
  public static String encode(String id) {
    if (id == null) {
      throw new IllegalArgumentException("writer id must not be null");
    }
    if (id.isEmpty()) {
      return EMPTY_MARKER;
    }
    byte[] utf8 = strictUtf8(id);
    if (utf8 == null) {
      // The raw code units: Java's UTF-16 encoder would replace unpaired surrogates and merge ids.
      ByteBuffer input = ByteBuffer.allocate(1 + 2 * id.length()).put((byte) 0xFF);
      id.chars().forEach(c -> input.putChar((char) c));
      return hashed(percentEncode(id.getBytes(StandardCharsets.UTF_8)), input.array());
    }
    String plain = percentEncode(utf8);
    return plain.length() <= MAX_ENCODED_LENGTH ? plain : hashed(plain, utf8);
  }

  /**
   * The id that {@link #encode} turned into {@code segment}.
   *
   * @throws IllegalArgumentException {@code segment} is a hashed (irreversible) form or not an
   *     encoding {@code encode} could have produced
   */
  public static String decode(String segment) {
    if (segment == null || segment.isEmpty()) {
      throw new IllegalArgumentException("'" + segment + "' is not an encoded writer id");
    }
    if (segment.equals(EMPTY_MARKER)) {
      return "";
    }
    if (isHashed(segment)) {
      throw new IllegalArgumentException(
          "'"
              + segment
              + "' is a hashed writer id; the raw id is not in the key "
              + "(read it from the page metadata)");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%') {
        bytes.write(parseHexByte(segment, i));
        i += 2;
      } else if (isSafe(c)) {
        bytes.write(c);
      } else {
        throw new IllegalArgumentException(
            "'"
                + segment
                + "' is not an encoded writer id: unexpected '"
                + c
                + "' at position "
                + i);
      }
    }
    String id = strictDecode(bytes.toByteArray(), segment);
    // Only the canonical encoding decodes: "%41" (an escaped 'A') or lower-case hex would make two
    // segments
    // name one writer.
    if (!encode(id).equals(segment)) {
      throw new IllegalArgumentException(
          "'" + segment + "' is not the canonical encoding of a writer id");
    }
    return id;
  }

  /** True for the {@code ~prefix~sha256} form that {@link #decode} cannot reverse. */
  public static boolean isHashed(String segment) {
    return segment.length() > 1 && segment.charAt(0) == '~';
  }

  private static String percentEncode(byte[] utf8) {
    StringBuilder out = new StringBuilder(utf8.length + 8);
    for (int i = 0; i < utf8.length; i++) {
      int b = utf8[i] & 0xFF;
      boolean leadingDot = i == 0 && b == '.';
      if (b < 0x80 && isSafe((char) b) && !leadingDot) {
        out.append((char) b);
      } else {
        out.append('%').append(UPPER_HEX.toHexDigits((byte) b));
      }
    }
    return out.toString();
  }

  private static String hashed(String plainEncoding, byte[] hashInput) {
    String readable =
        plainEncoding.substring(0, Math.min(READABLE_PREFIX_LENGTH, plainEncoding.length()));
    // Never cut an escape in half: drop a trailing partial "%X" or "%".
    int lastPercent = readable.lastIndexOf('%');
    if (lastPercent >= 0 && lastPercent > readable.length() - 3) {
      readable = readable.substring(0, lastPercent);
    }
    return "~" + readable + "~" + HexFormat.of().formatHex(sha256(hashInput));
  }

  private static boolean isSafe(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '.'
        || c == '-';
  }

  private static int parseHexByte(String segment, int percentAt) {
    if (percentAt + 2 >= segment.length()) {
      throw new IllegalArgumentException(
          "'" + segment + "' has a truncated escape at position " + percentAt);
    }
    String hex = segment.substring(percentAt + 1, percentAt + 3);
    if (!hex.chars().allMatch(ch -> (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F'))) {
      throw new IllegalArgumentException(
          "'" + segment + "' has a bad escape '%" + hex + "' at position " + percentAt);
    }
    return HexFormat.fromHexDigits(hex);
  }

  private static byte[] strictUtf8(String id) {
    try {
      ByteBuffer buffer =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(id));
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String strictDecode(byte[] utf8, String segment) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("'" + segment + "' does not decode to UTF-8 text", e);
    }
  }

  private static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
