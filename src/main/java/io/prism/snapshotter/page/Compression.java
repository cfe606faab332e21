package io.prism.snapshotter.page;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * How a whole page is compressed. The single source of truth for the config name (the RFC's {@code
 * PageMetadata.compression} string), the object key extension, the magic bytes and the stream
 * wrappers.
 *
 * <p>{@link #compress} and {@link #decompress} follow the usual Java convention: closing the
 * returned stream finishes the compressed frame and closes the wrapped stream. Callers that must
 * keep their stream open wrap it in a close shield first (as {@link PageEncoder} does).
 *
 * <p>Levels ({@code page.compression.level}) change only how hard the writer works: a reader needs
 * no level, so pages of any level decode alike. Each codec has its own range and default ({@link
 * #acceptsLevel}, {@link #levelRange}, {@link #defaultLevel}); NONE ignores the level.
 */
public enum Compression {
  NONE("none", "") {
    @Override
    public OutputStream compress(OutputStream out, int level) {
      return out;
    }

    @Override
    public boolean acceptsLevel(int level) {
      return true; // nothing to tune: the level is ignored
    }

    @Override
    public String levelRange() {
      return "none takes no level (it is ignored)";
    }

    @Override
    public int defaultLevel() {
      return 0;
    }

    @Override
    public InputStream decompress(InputStream in) {
      return in;
    }
  },
  GZIP("gzip", ".gz") {
    @Override
    public OutputStream compress(OutputStream out, int level) throws IOException {
      requireLevel(level);
      return new LeveledGzipOutputStream(out, STREAM_BUFFER_BYTES, level);
    }

    @Override
    public boolean acceptsLevel(int level) {
      return level >= Deflater.BEST_SPEED && level <= Deflater.BEST_COMPRESSION;
    }

    @Override
    public String levelRange() {
      return "gzip levels are " + Deflater.BEST_SPEED + ".." + Deflater.BEST_COMPRESSION;
    }

    @Override
    public int defaultLevel() {
      return GZIP_DEFAULT_LEVEL;
    }

    @Override
    public InputStream decompress(InputStream in) throws IOException {
      return new GZIPInputStream(in, STREAM_BUFFER_BYTES);
    }
  },
  ZSTD("zstd", ".zst") {
    @Override
    public OutputStream compress(OutputStream out, int level) throws IOException {
      requireLevel(level);
      // The frame checksum costs little and lets a reader tell corrupt storage from a bug.
      // The no-finalizer variants with a recycling pool keep the sink's hot path free of
      // finalizers and of a fresh native-sized buffer per page.
      return new ZstdOutputStreamNoFinalizer(out, RecyclingBufferPool.INSTANCE, level)
          .setChecksum(true);
    }

    @Override
    public boolean acceptsLevel(int level) {
      // 0 is zstd's alias for its default; asking for the default is leaving the level unset.
      return (level >= 1 && level <= ZSTD_MAX_LEVEL)
          || (level >= Zstd.minCompressionLevel() && level < 0);
    }

    @Override
    public String levelRange() {
      return "zstd levels are 1.."
          + ZSTD_MAX_LEVEL
          + ", or "
          + Zstd.minCompressionLevel()
          + "..-1 for zstd's fast levels";
    }

    @Override
    public int defaultLevel() {
      return ZSTD_LEVEL;
    }

    /** Allows windows up to {@link PageLimits#DEFAULT_MAX_ZSTD_WINDOW_LOG}. */
    @Override
    public InputStream decompress(InputStream in) throws IOException {
      return zstdDecoder(in, PageLimits.DEFAULT_MAX_ZSTD_WINDOW_LOG);
    }
  };

  /** zstd's own default: the best throughput/ratio balance for a streaming sink. */
  public static final int ZSTD_LEVEL = 3;

  /**
   * The strongest zstd level accepted. zstd's "ultra" levels 20..22 need windows of 32 MB and more,
   * per context and per reader, for little gain on pages of a few MB at most.
   */
  public static final int ZSTD_MAX_LEVEL = 19;

  /** What zlib does for {@link Deflater#DEFAULT_COMPRESSION}, and so what gzip pages always had. */
  public static final int GZIP_DEFAULT_LEVEL = 6;

  private static final int STREAM_BUFFER_BYTES = 64 * 1024;
  private static final byte[] GZIP_MAGIC = {(byte) 0x1f, (byte) 0x8b};
  private static final byte[] ZSTD_MAGIC = {(byte) 0x28, (byte) 0xb5, (byte) 0x2f, (byte) 0xfd};

  /** The longest magic number {@link #detect} looks at. */
  public static final int MAX_MAGIC_BYTES = 4;

  private final String configName;
  private final String extension;

  Compression(String configName, String extension) {
    this.configName = configName;
    this.extension = extension;
  }

  /** The name used in configuration and in the page metadata: "none", "gzip", "zstd". */
  public String configName() {
    return configName;
  }

  /** The object key suffix after the format's extension: "", ".gz", ".zst". */
  public String extension() {
    return extension;
  }

  /**
   * Wraps {@code out} at this codec's {@link #defaultLevel()}; closing the result finishes the
   * compressed data and closes {@code out}.
   */
  public OutputStream compress(OutputStream out) throws IOException {
    return compress(out, defaultLevel());
  }

  /**
   * Wraps {@code out} at {@code level}; closing the result finishes the compressed data and closes
   * {@code out}.
   *
   * @throws IllegalArgumentException if this codec does not {@linkplain #acceptsLevel accept}
   *     {@code level}
   */
  public abstract OutputStream compress(OutputStream out, int level) throws IOException;

  /** Whether {@code level} is one of this codec's levels (NONE accepts, and ignores, any). */
  public abstract boolean acceptsLevel(int level);

  /** The levels this codec accepts, in words for an error message, e.g. "gzip levels are 1..9". */
  public abstract String levelRange();

  /** The level used when none is configured: zstd 3, gzip 6 (0 for NONE, which has none). */
  public abstract int defaultLevel();

  /**
   * @throws IllegalArgumentException naming the range when this codec does not accept {@code level}
   */
  public void requireLevel(int level) {
    if (!acceptsLevel(level)) {
      throw new IllegalArgumentException(
          "Compression level " + level + " is not valid for " + configName + ": " + levelRange());
    }
  }

  /** Wraps {@code in}; gzip reads its header here, so a bad header fails in this call. */
  public abstract InputStream decompress(InputStream in) throws IOException;

  /**
   * A zstd decoder of {@code in} that refuses frames asking for a window over 2^{@code
   * windowLogMax} bytes ("Frame requires too much memory for decoding") instead of allocating it:
   * zstd's own limit is 2^27 (128 MiB of native memory per decoder).
   */
  static InputStream zstdDecoder(InputStream in, int windowLogMax) throws IOException {
    return new ZstdInputStreamNoFinalizer(in, RecyclingBufferPool.INSTANCE)
        .setLongMax(windowLogMax);
  }

  /** The compression whose {@link #configName()} is {@code name}. */
  public static Compression fromConfigName(String name) {
    for (Compression c : values()) {
      if (c.configName.equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "Unknown compression '"
            + name
            + "'; valid values are "
            + Arrays.stream(values())
                .map(Compression::configName)
                .collect(Collectors.joining(", ")));
  }

  /** Like {@link #fromConfigName} but empty instead of throwing. */
  static Optional<Compression> findByConfigName(String name) {
    for (Compression c : values()) {
      if (c.configName.equals(name)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /**
   * The compression a page key's extension names: {@code x.pb.gz} is GZIP, {@code x.ndjson.zst}
   * ZSTD, and a key ending in a page format's extension ({@code x.pb}, {@code x.ndjson}) NONE.
   * Empty when the key says nothing (no known extension).
   */
  public static Optional<Compression> fromKey(String key) {
    if (key == null) {
      return Optional.empty();
    }
    for (Compression c : values()) {
      if (c != NONE && key.endsWith(c.extension)) {
        return Optional.of(c);
      }
    }
    for (PageFormat f : PageFormat.values()) {
      if (key.endsWith(f.extension())) {
        return Optional.of(NONE);
      }
    }
    return Optional.empty();
  }

  /** The key with this compression's extension removed, if it has it. */
  static String stripExtension(String key) {
    for (Compression c : values()) {
      if (c != NONE && key.endsWith(c.extension)) {
        return key.substring(0, key.length() - c.extension.length());
      }
    }
    return key;
  }

  /**
   * GZIP or ZSTD when the first {@code len} bytes of {@code head} start with that format's magic
   * number; empty otherwise (the data may be an uncompressed page, or garbage).
   */
  public static Optional<Compression> detect(byte[] head, int len) {
    if (startsWith(head, len, ZSTD_MAGIC)) {
      return Optional.of(ZSTD);
    }
    if (startsWith(head, len, GZIP_MAGIC)) {
      return Optional.of(GZIP);
    }
    return Optional.empty();
  }

  /** A gzip stream at a chosen level: the JDK's only way to set it is its protected deflater. */
  private static final class LeveledGzipOutputStream extends GZIPOutputStream {
    LeveledGzipOutputStream(OutputStream out, int bufferBytes, int level) throws IOException {
      super(out, bufferBytes, false);
      // Nothing is deflated yet (the constructor only wrote the header), so every byte of the
      // body is at this level.
      def.setLevel(level);
    }
  }

  private static boolean startsWith(byte[] head, int len, byte[] magic) {
    if (len < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (head[i] != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
