package io.prism.snapshotter.page;

/**
 * What a {@link PageReader} accepts before it allocates: every length read from a page is checked
 * against these first, so a hostile page (a length claiming 2 GB, a decompression bomb, millions of
 * tiny attributes) fails with {@link PageFormatException} instead of exhausting the heap.
 *
 * @param maxPageBytes uncompressed bytes of one page (at most {@link Integer#MAX_VALUE}: protobuf
 *     cannot frame more)
 * @param maxFieldBytes one protobuf event, metadata or length-delimited field; one NDJSON line
 * @param maxEvents events in one page
 * @param maxAttributesPerEvent attributes of one event, and tags of one page
 */
public record PageLimits(
    long maxPageBytes, int maxFieldBytes, long maxEvents, int maxAttributesPerEvent) {

  public static final PageLimits DEFAULT = new PageLimits(256L << 20, 64 << 20, 1_000_000, 10_000);

  public PageLimits {
    if (maxPageBytes <= 0 || maxPageBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "maxPageBytes must be in 1.." + Integer.MAX_VALUE + ": " + maxPageBytes);
    }
    if (maxFieldBytes <= 0) {
      throw new IllegalArgumentException("maxFieldBytes must be positive: " + maxFieldBytes);
    }
    if (maxEvents < 0) {
      throw new IllegalArgumentException("maxEvents must not be negative: " + maxEvents);
    }
    if (maxAttributesPerEvent < 0) {
      throw new IllegalArgumentException(
          "maxAttributesPerEvent must not be negative: " + maxAttributesPerEvent);
    }
  }
}
