package io.prism.snapshotter.compact;

import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.CompressionLevel;
import io.prism.snapshotter.page.PageFormat;
import java.time.Duration;
import java.util.Objects;

/**
 * What a compaction run merges and how it writes.
 *
 * @param olderThan only pages whose latest event is older than this (relative to the run's clock)
 * @param minPageSizeBytes only pages whose stored size is below this
 * @param targetSizeBytes merged pages' stored size, at most (the sum of their sources'), {@code
 *     page.target.size.mb}
 * @param format the merged pages' format ({@code page.format})
 * @param compression the merged pages' compression ({@code page.compression})
 * @param compressionLevel its level ({@code page.compression.level}), which {@code compression}
 *     must accept
 */
public record CompactionSettings(
    Duration olderThan,
    long minPageSizeBytes,
    long targetSizeBytes,
    PageFormat format,
    Compression compression,
    CompressionLevel compressionLevel) {
  public static final Duration DEFAULT_OLDER_THAN = Duration.ofDays(1);

  public CompactionSettings {
    Objects.requireNonNull(olderThan, "olderThan");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(compression, "compression");
    Objects.requireNonNull(compressionLevel, "compressionLevel");
    compressionLevel.resolve(compression);
    if (olderThan.isNegative()) {
      throw new IllegalArgumentException("--older-than must not be negative: " + olderThan);
    }
    if (minPageSizeBytes <= 0 || targetSizeBytes <= 0) {
      throw new IllegalArgumentException(
          "page sizes must be positive: min " + minPageSizeBytes + ", target " + targetSizeBytes);
    }
  }

  /** Settings that compress at the codec's default level. */
  public CompactionSettings(
      Duration olderThan,
      long minPageSizeBytes,
      long targetSizeBytes,
      PageFormat format,
      Compression compression) {
    this(
        olderThan,
        minPageSizeBytes,
        targetSizeBytes,
        format,
        compression,
        CompressionLevel.CODEC_DEFAULT);
  }

  /** The merged pages' file extension, e.g. {@code .pb.gz}. */
  public String extension() {
    return format.extension() + compression.extension();
  }
}
