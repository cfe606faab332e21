package io.prism.snapshotter.util;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;

/** Strict UTF-8 decoding, with one documented, reversible fallback for bytes that are not UTF-8. */
public final class Utf8 {
  /**
   * Prefix of the text form of bytes that are not valid UTF-8: {@code base64:<standard base64>}.
   */
  public static final String BINARY_PREFIX = "base64:";

  private Utf8() {}

  /**
   * Ascending order of the strings' UTF-8 bytes (unsigned), as SQLite, ClickHouse and S3 compare
   * text, without encoding them: for valid Unicode, that is code point order. Java's own {@code
   * compareTo} compares UTF-16 units and puts U+E000..U+FFFF after the supplementary characters.
   */
  public static final Comparator<String> BYTE_ORDER = Utf8::compareCodePoints;

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /** The bytes as text if they are valid UTF-8, else {@code null}. ASCII takes the fast path. */
  public static String decodeOrNull(byte[] bytes) {
    boolean ascii = true;
    for (byte b : bytes) {
      if (b < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes));
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** The bytes as text; bytes that are not UTF-8 become {@code base64:} and their base64. */
  public static String textOf(byte[] bytes) {
    String text = decodeOrNull(bytes);
    return text != null ? text : BINARY_PREFIX + Base64.getEncoder().encodeToString(bytes);
  }
}
