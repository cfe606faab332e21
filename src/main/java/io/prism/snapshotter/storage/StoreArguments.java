package io.prism.snapshotter.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The argument checks every {@link ObjectStore} makes, in one place so that the backends refuse bad
 * calls with the same messages (the contract suite checks them): the arguments of a put, a ranged
 * get and a list before any I/O, and a put body's promised length while it is read.
 */
final class StoreArguments {
  private StoreArguments() {}

  /** A put's key, body, length and options. */
  static void checkPut(String key, Object body, long length, PutOptions options) {
    ObjectKeys.validate(key);
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(options, "options");
    if (length < 0) {
      throw new IllegalArgumentException("length must not be negative: " + length);
    }
  }

  /** A ranged get's key, offset and length. */
  static void checkRange(String key, long offset, long length) {
    ObjectKeys.validate(key);
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException(
          "offset and length must not be negative: " + offset + ", " + length);
    }
  }

  /** A list's page size. */
  static void checkList(int maxKeys) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1: " + maxKeys);
    }
  }

  /**
   * The next {@code length} bytes of the body of a put of {@code key} into {@code store} (its
   * {@link ObjectStore#describe()}), held in memory so the SDK can send them again on a retry.
   *
   * @throws IllegalArgumentException the body ends before {@code length} bytes (the caller promised
   *     them)
   */
  static byte[] readExactly(InputStream body, int length, String key, String store)
      throws IOException {
    byte[] content = body.readNBytes(length);
    if (content.length < length) {
      throw bodyEndedEarly(key, store, content.length, length);
    }
    return content;
  }

  /**
   * The error for the body of a put of {@code key} into {@code store} that gave only {@code read}
   * of the {@code promised} bytes.
   */
  static IllegalArgumentException bodyEndedEarly(
      String key, String store, long read, long promised) {
    return new IllegalArgumentException(
        "body of '"
            + ObjectKeys.printable(key)
            + "' in "
            + store
            + " ended after "
            + read
            + " of the promised "
            + promised
            + " bytes");
  }
}
