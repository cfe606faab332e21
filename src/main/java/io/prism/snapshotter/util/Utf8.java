package io.prism.snapshotter.util;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Strict UTF-8 decoding, with one documented, reversible fallback for bytes that are not UTF-8. */
public final class Utf8 {
  /**
   * Prefix of the text form of bytes that are not valid UTF-8: {@code base64:<standard base64>}.
   */
  public static final String BINARY_PREFIX = "base64:";

  private Utf8() {}

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
