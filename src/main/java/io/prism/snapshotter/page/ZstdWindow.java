package io.prism.snapshotter.page;

/**
 * The window a zstd frame asks its decoder to keep, read from the frame header (RFC 8878, section
 * 3.1.1.1) before any decoder exists: a decoder allocates about that much native memory for the
 * frame, so a page is refused on its header, not after the allocation.
 */
final class ZstdWindow {

  /**
   * Magic number, descriptor, window descriptor, dictionary id and content size at their largest.
   */
  static final int MAX_HEADER_BYTES = 4 + 1 + 1 + 4 + 8;

  private static final int MAGIC = 0xFD2FB528;
  private static final int[] DICTIONARY_ID_BYTES = {0, 1, 2, 4};
  private static final int[] CONTENT_SIZE_BYTES = {1, 2, 4, 8};

  private ZstdWindow() {}

  /**
   * The window, in bytes, that the zstd frame starting {@code head} asks for: from its window
   * descriptor, or, for a single-segment frame, its content size (zstd then keeps the whole content
   * as the window). -1 when the first {@code len} bytes are not a whole zstd frame header (another
   * magic number, such as a skippable frame's, or too few bytes): the decoder then says what is
   * wrong, and its own limit still holds.
   */
  static long of(byte[] head, int len) {
    if (len < 5 || littleEndian(head, 0, 4) != (MAGIC & 0xFFFFFFFFL)) {
      return -1;
    }
    int descriptor = head[4] & 0xFF;
    boolean singleSegment = (descriptor & 0x20) != 0;
    if (!singleSegment) {
      if (len < 6) {
        return -1;
      }
      int windowDescriptor = head[5] & 0xFF;
      int windowLog = 10 + (windowDescriptor >>> 3);
      long base = 1L << windowLog;
      return base + (base / 8) * (windowDescriptor & 0x7);
    }
    int at = 5 + DICTIONARY_ID_BYTES[descriptor & 0x3];
    int sizeBytes = CONTENT_SIZE_BYTES[descriptor >>> 6];
    if (len < at + sizeBytes) {
      return -1;
    }
    long contentSize = littleEndian(head, at, sizeBytes);
    if (sizeBytes == 2) {
      contentSize += 256; // the two-byte field counts from 256
    }
    return contentSize < 0 ? Long.MAX_VALUE : contentSize; // an 8-byte size past 2^63
  }

  /** A window in words: {@code 8 MiB (2^23 bytes)}, or the byte count when it is not a power. */
  static String describe(long bytes) {
    String size =
        bytes >= 1L << 20
            ? (bytes >> 20) + (bytes % (1L << 20) == 0 ? "" : "+") + " MiB"
            : bytes >= 1L << 10
                ? (bytes >> 10) + (bytes % (1L << 10) == 0 ? "" : "+") + " KiB"
                : bytes + " bytes";
    return Long.bitCount(bytes) == 1
        ? size + " (2^" + Long.numberOfTrailingZeros(bytes) + " bytes)"
        : size + " (" + bytes + " bytes)";
  }

  private static long littleEndian(byte[] bytes, int from, int count) {
    long value = 0;
    for (int i = count - 1; i >= 0; i--) {
      value = (value << 8) | (bytes[from + i] & 0xFF);
    }
    return value;
  }
}
