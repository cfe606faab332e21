package io.prism.snapshotter.page;

/**
 * A page that cannot be decoded: corrupt, truncated, hostile, over a {@link PageLimits} limit, or
 * inconsistent with its own metadata. The message says what is wrong and where (byte offset, line
 * number, event index), e.g. {@code "NDJSON line 3: payload is not valid base64"}.
 */
public class PageFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public PageFormatException(String message) {
    super(message);
  }

  public PageFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
