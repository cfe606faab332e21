package io.prism.snapshotter.replay;

import io.prism.snapshotter.page.PageFormatException;

/** A page replay cannot decode; the message names its key and what is wrong. */
public final class CorruptPageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String key;

  public CorruptPageException(String key, PageFormatException cause) {
    super("page " + key + " is corrupt: " + cause.getMessage(), cause);
    this.key = key;
  }

  public CorruptPageException(String key, String problem) {
    super("page " + key + " is corrupt: " + problem);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
