package io.prism.snapshotter.page;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * How a whole page is compressed. The single source of truth for the config name (the RFC's
 * {@code PageMetadata.compression} string), the object key extension, the magic bytes and the
 * stream wrappers.
 *
 * <p>{@link #compress} and {@link #decompress} follow the usual Java convention: closing the
 * returned stream finishes the compressed frame and closes the wrapped stream. Callers that must
 * keep their stream open wrap it in a close shield first (as {@link PageEncoder} does).
 */
public enum Compression {
    NONE("none", "") {
        @Override
        public OutputStream compress(OutputStream out) {
            return out;
        }

        @Override
        public InputStream decompress(InputStream in) {
            return in;
        }
    },
    GZIP("gzip", ".gz") {
        @Override
        public OutputStream compress(OutputStream out) throws IOException {
            return new GZIPOutputStream(out, STREAM_BUFFER_BYTES, false);
        }

        @Override
        public InputStream decompress(InputStream in) throws IOException {
            return new GZIPInputStream(in, STREAM_BUFFER_BYTES);
        }
    },
    ZSTD("zstd", ".zst") {
        @Override
        public OutputStream compress(OutputStream out) throws IOException {
            // The frame checksum costs little and lets a reader tell corrupt storage from a bug.
            // The no-finalizer variants with a recycling pool keep the sink's hot path free of
            // finalizers and of a fresh native-sized buffer per page.
            return new ZstdOutputStreamNoFinalizer(out, RecyclingBufferPool.INSTANCE, ZSTD_LEVEL)
                    .setChecksum(true);
        }

        @Override
        public InputStream decompress(InputStream in) throws IOException {
            return new ZstdInputStreamNoFinalizer(in, RecyclingBufferPool.INSTANCE);
        }
    };

    /** zstd's own default: the best throughput/ratio balance for a streaming sink. */
    public static final int ZSTD_LEVEL = 3;

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

    /** Wraps {@code out}; closing the result finishes the compressed data and closes {@code out}. */
    public abstract OutputStream compress(OutputStream out) throws IOException;

    /** Wraps {@code in}; gzip reads its header here, so a bad header fails in this call. */
    public abstract InputStream decompress(InputStream in) throws IOException;

    /** The compression whose {@link #configName()} is {@code name}. */
    public static Compression fromConfigName(String name) {
        for (Compression c : values()) {
            if (c.configName.equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("Unknown compression '" + name + "'; valid values are "
                + Arrays.stream(values()).map(Compression::configName).collect(Collectors.joining(", ")));
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
