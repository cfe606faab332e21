package io.prism.snapshotter.page;

import java.util.OptionalInt;

/**
 * The {@code page.compression.level} setting: either the codec's own default, or one number that
 * the chosen {@link Compression} must accept. Kept apart from the codec because the same setting
 * reads differently per codec (zstd 3 and gzip 6 by default; NONE ignores it).
 */
public final class CompressionLevel {
  /** No level configured: each codec at its {@link Compression#defaultLevel()}. */
  public static final CompressionLevel CODEC_DEFAULT = new CompressionLevel(OptionalInt.empty());

  private final OptionalInt level;

  private CompressionLevel(OptionalInt level) {
    this.level = level;
  }

  /** A configured level; whether a codec accepts it is checked by {@link #resolve}. */
  public static CompressionLevel of(int level) {
    return new CompressionLevel(OptionalInt.of(level));
  }

  /** {@link #CODEC_DEFAULT} for null, else {@link #of}. */
  public static CompressionLevel ofNullable(Integer level) {
    return level == null ? CODEC_DEFAULT : of(level);
  }

  /** The configured number, empty for the codec's default. */
  public OptionalInt value() {
    return level;
  }

  /**
   * The level {@code compression} writes at: the configured one, or the codec's default.
   *
   * @throws IllegalArgumentException naming the codec's range when it does not accept the
   *     configured level
   */
  public int resolve(Compression compression) {
    if (level.isEmpty()) {
      return compression.defaultLevel();
    }
    compression.requireLevel(level.getAsInt());
    return level.getAsInt();
  }

  /** Whether {@code compression} can write at this level (the default always can). */
  public boolean fits(Compression compression) {
    return level.isEmpty() || compression.acceptsLevel(level.getAsInt());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CompressionLevel that && level.equals(that.level);
  }

  @Override
  public int hashCode() {
    return level.hashCode();
  }

  @Override
  public String toString() {
    return level.isEmpty() ? "codec default" : Integer.toString(level.getAsInt());
  }
}
