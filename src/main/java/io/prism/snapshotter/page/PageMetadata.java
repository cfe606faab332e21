package io.prism.snapshotter.page;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A page's metadata: the RFC's {@code prism.snapshotter.PageMetadata} message, with typed
 * compression, plus the {@link PageFormat} the page is serialized in (known from the page itself,
 * not a field of the message).
 *
 * @param startTime the earliest timestamp of the page's events, ms since the epoch (the RFC's
 *     "first event": the same when times grow, as they need not in Kafka)
 * @param endTime the latest timestamp of the page's events, ms since the epoch
 * @param pageSizeBytes the exact length of the uncompressed serialized page
 * @param tags never null; order kept
 */
public record PageMetadata(
    String writerId,
    long pageSequence,
    long startTime,
    long endTime,
    long eventCount,
    long pageSizeBytes,
    String formatVersion,
    Compression compression,
    Map<String, String> tags,
    PageFormat format) {

  /** The only schema version this codec writes and reads. */
  public static final String FORMAT_VERSION_V1 = "v1";

  /**
   * The start of the page's time range, whichever of its two times is earlier: pages stored before
   * 2026-11-27 took them from their first and last events, which can come in either order (an
   * inverted range would fail an index entry, and match no time range).
   */
  public long earliestTime() {
    return Math.min(startTime, endTime);
  }

  /** The end of the page's time range: see {@link #earliestTime}. */
  public long latestTime() {
    return Math.max(startTime, endTime);
  }

  public PageMetadata {
    Objects.requireNonNull(writerId, "writerId");
    Objects.requireNonNull(formatVersion, "formatVersion");
    Objects.requireNonNull(compression, "compression");
    Objects.requireNonNull(format, "format");
    tags =
        tags == null || tags.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  PageMetadata withPageSizeBytes(long size) {
    return new PageMetadata(
        writerId,
        pageSequence,
        startTime,
        endTime,
        eventCount,
        size,
        formatVersion,
        compression,
        tags,
        format);
  }
}
