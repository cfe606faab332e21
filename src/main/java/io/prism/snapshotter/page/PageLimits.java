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
 * @param maxZstdWindowLog the largest zstd window a page may ask for, as a power of two: a zstd
 *     decoder allocates about the window in native memory, per page being read, whatever the page's
 *     size, so a page that asks for more is refused on its frame header ({@value
 *     #MIN_ZSTD_WINDOW_LOG}..{@value #MAX_ZSTD_WINDOW_LOG})
 */
public record PageLimits(
    long maxPageBytes,
    int maxFieldBytes,
    long maxEvents,
    int maxAttributesPerEvent,
    int maxZstdWindowLog) {

  /**
   * The largest zstd window this project's writers ask for: 8 MiB, at zstd level 19 ({@link
   * Compression#ZSTD_MAX_LEVEL}) with the page's size unknown to zstd when it starts, as the sink
   * and compaction stream pages (zstd's level tables: level 3, the default, asks for 2 MiB; fast
   * levels for 512 KiB). Nothing here enables long-distance matching, which would ask for 128 MiB.
   */
  public static final int WRITTEN_ZSTD_WINDOW_LOG = 23;

  /**
   * What a reader allows by default: twice the largest window written here, so that a page of ours
   * always decodes, while a corrupt or hostile one can make a decoder allocate 16 MiB, not the 128
   * MiB (2^27) that zstd itself allows.
   */
  public static final int DEFAULT_MAX_ZSTD_WINDOW_LOG = WRITTEN_ZSTD_WINDOW_LOG + 1;

  /** zstd's smallest window (1 KiB). */
  public static final int MIN_ZSTD_WINDOW_LOG = 10;

  /** zstd's largest window on a 64-bit platform (2 GiB). */
  public static final int MAX_ZSTD_WINDOW_LOG = 31;

  public static final PageLimits DEFAULT = new PageLimits(256L << 20, 64 << 20, 1_000_000, 10_000);

  /** These limits with the default zstd window, {@value #DEFAULT_MAX_ZSTD_WINDOW_LOG}. */
  public PageLimits(
      long maxPageBytes, int maxFieldBytes, long maxEvents, int maxAttributesPerEvent) {
    this(
        maxPageBytes, maxFieldBytes, maxEvents, maxAttributesPerEvent, DEFAULT_MAX_ZSTD_WINDOW_LOG);
  }

  public PageLimits {
    if (maxZstdWindowLog < MIN_ZSTD_WINDOW_LOG || maxZstdWindowLog > MAX_ZSTD_WINDOW_LOG) {
      throw new IllegalArgumentException(
          "maxZstdWindowLog must be in "
              + MIN_ZSTD_WINDOW_LOG
              + ".."
              + MAX_ZSTD_WINDOW_LOG
              + ": "
              + maxZstdWindowLog);
    }
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

  /** The largest zstd window a page may ask for, in bytes. */
  public long maxZstdWindowBytes() {
    return 1L << maxZstdWindowLog;
  }

  /** These limits with another zstd window limit. */
  public PageLimits withMaxZstdWindowLog(int windowLog) {
    return new PageLimits(maxPageBytes, maxFieldBytes, maxEvents, maxAttributesPerEvent, windowLog);
  }
}
