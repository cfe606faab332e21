package io.prism.snapshotter.index;

/**
 * The index could not do what was asked: it is unreachable, refused the request, or answered
 * something unexpected. Always worth retrying later; the message names the index.
 */
public class IndexException extends RuntimeException {
  public IndexException(String message, Throwable cause) {
    super(message, cause);
  }

  public IndexException(String message) {
    super(message);
  }
}
