package io.prism.snapshotter.page;

import io.prism.snapshotter.util.Printable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes pages, safely for hostile input: anything wrong with the bytes is a {@link
 * PageFormatException} saying what and where; memory is bounded by {@link PageLimits}. {@link
 * IOException} only ever means the caller's stream failed.
 *
 * <p>Compression and format come from explicit arguments if given, else from the key's extension,
 * else from the magic bytes (gzip, zstd; then '{' for NDJSON, 0x0a for protobuf). Whatever says so,
 * the page's own metadata must agree on the compression and on the event count.
 *
 * <p>The caller keeps ownership of the stream it passes: nothing here closes it. Thread-safe.
 */
public final class PageReader {
  private static final Logger LOG = LoggerFactory.getLogger(PageReader.class);

  /** Pre-size the event list from event_count only up to this, since event_count may lie. */
  private static final int MAX_PRESIZE = 4096;

  /** What {@link #open} peeks at before decoding: a magic number, or a zstd frame header. */
  private static final int STORED_HEAD_BYTES =
      Math.max(Compression.MAX_MAGIC_BYTES, ZstdWindow.MAX_HEADER_BYTES);

  private final PageLimits limits;

  public PageReader() {
    this(PageLimits.DEFAULT);
  }

  public PageReader(PageLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  public PageLimits limits() {
    return limits;
  }

  /**
   * Reads a whole page into memory; {@code keyHint} (nullable) is the object key. The heap must
   * hold the decoded page (up to {@link PageLimits#maxPageBytes()} of it); {@link #open} streams in
   * bounded memory instead.
   */
  public Page read(InputStream in, String keyHint) throws IOException, PageFormatException {
    try (PageCursor cursor = open(in, keyHint)) {
      return drain(cursor);
    }
  }

  /** Reads a whole page whose format and compression are known. */
  public Page read(InputStream in, PageFormat format, Compression compression)
      throws IOException, PageFormatException {
    try (PageCursor cursor = open(in, format, compression)) {
      return drain(cursor);
    }
  }

  /** Opens a page for streaming; the metadata is decoded before this returns. */
  public PageCursor open(InputStream in, String keyHint) throws IOException, PageFormatException {
    return open(in, PageFormat.fromKey(keyHint), Compression.fromKey(keyHint), keyHint);
  }

  /** Opens a page whose format and compression are known, for streaming. */
  public PageCursor open(InputStream in, PageFormat format, Compression compression)
      throws IOException, PageFormatException {
    return open(in, Optional.of(format), Optional.of(compression), null);
  }

  /**
   * Decodes only the metadata at the head of a page. Needs only the first bytes of the object
   * (enough to hold the metadata: the encoder flushes it as its own compressed block, so a few KiB
   * suffice unless the tags are huge), so it works on a ranged read.
   */
  public PageMetadata readMetadata(InputStream in, String keyHint)
      throws IOException, PageFormatException {
    try (PageCursor cursor = open(in, keyHint)) {
      return cursor.metadata();
    }
  }

  private Page drain(PageCursor cursor) throws IOException, PageFormatException {
    List<Event> events =
        new ArrayList<>((int) Math.min(cursor.metadata().eventCount(), MAX_PRESIZE));
    while (cursor.hasNext()) {
      events.add(cursor.next());
    }
    return new Page(cursor.metadata(), events);
  }

  private PageCursor open(
      InputStream in, Optional<PageFormat> format, Optional<Compression> compression, String key)
      throws IOException, PageFormatException {
    Objects.requireNonNull(in, "in");
    SourceInputStream source = new SourceInputStream(in);
    PushbackInputStream stored = new PushbackInputStream(source, STORED_HEAD_BYTES);
    Compression c = compression.isPresent() ? compression.get() : detectCompression(stored);
    if (c == Compression.ZSTD) {
      requireZstdWindowWithinLimit(stored, key);
    }
    InputStream decoder = decompress(c, stored, limits);
    PushbackInputStream body =
        new PushbackInputStream(new LimitedInputStream(decoder, limits.maxPageBytes()), 1);
    try {
      PageFormat f = format.isPresent() ? format.get() : detectFormat(body, c);
      DecodingCursor cursor =
          switch (f) {
            case PROTOBUF -> new ProtobufPageCursor(body, c, limits, decoder, source);
            case NDJSON -> new NdjsonPageCursor(body, c, limits, decoder, source);
          };
      cursor.start();
      return cursor;
    } catch (IOException | PageFormatException | RuntimeException e) {
      closeQuietly(decoder);
      if (e instanceof PageFormatException pfe) {
        LOG.debug("Rejected page: {}", pfe.getMessage());
      }
      throw e;
    }
  }

  private static Compression detectCompression(PushbackInputStream stored) throws IOException {
    byte[] head = new byte[Compression.MAX_MAGIC_BYTES];
    int n = peekStored(stored, head);
    return Compression.detect(head, n).orElse(Compression.NONE);
  }

  private static PageFormat detectFormat(PushbackInputStream body, Compression c)
      throws IOException, PageFormatException {
    byte[] head = new byte[1];
    int n;
    try {
      n = peek(body, head);
    } catch (SourceInputStream.SourceReadException e) {
      throw e.original();
    } catch (LimitedInputStream.LimitExceededException e) {
      throw new PageFormatException("byte 0: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new PageFormatException(
          "byte 0: " + c.configName() + " data is corrupt or truncated (" + e + ")", e);
    }
    if (n == 0) {
      throw new PageFormatException(
          "byte 0: empty page (no bytes after " + c.configName() + " decompression)");
    }
    return PageFormat.detect(head, n)
        .orElseThrow(
            () ->
                new PageFormatException(
                    String.format(
                        "byte 0: not a page: first byte 0x%02x is neither '{' (NDJSON) nor 0x0a (protobuf)%s",
                        head[0] & 0xff,
                        c == Compression.NONE
                            ? " and no gzip or zstd magic number was found"
                            : " after " + c.configName() + " decompression")));
  }

  /**
   * Refuses a zstd page whose (first) frame asks for a larger window than {@link
   * PageLimits#maxZstdWindowLog()} allows, before a decoder allocates it, naming the page and the
   * window. The decoder is made with the same limit, for frames after the first.
   */
  private void requireZstdWindowWithinLimit(PushbackInputStream stored, String key)
      throws IOException, PageFormatException {
    byte[] head = new byte[ZstdWindow.MAX_HEADER_BYTES];
    int n = peekStored(stored, head);
    long window = ZstdWindow.of(head, n);
    if (window > limits.maxZstdWindowBytes()) {
      throw new PageFormatException(
          "compressed byte 0 (zstd frame header): "
              + (key == null ? "the page" : "page " + Printable.quote(key))
              + " is a zstd frame that asks for a window of "
              + ZstdWindow.describe(window)
              + ", more than the "
              + ZstdWindow.describe(limits.maxZstdWindowBytes())
              + " a reader allows; refused before a decoder allocates it. This project's writers"
              + " ask for at most "
              + ZstdWindow.describe(1L << PageLimits.WRITTEN_ZSTD_WINDOW_LOG)
              + " (zstd level "
              + Compression.ZSTD_MAX_LEVEL
              + "), so the page is corrupt, hostile, or compressed elsewhere with a larger window"
              + " (zstd --long or --ultra): recompress such a page without them");
    }
  }

  private static InputStream decompress(Compression c, InputStream stored, PageLimits limits)
      throws IOException, PageFormatException {
    try {
      return c == Compression.ZSTD
          ? Compression.zstdDecoder(stored, limits.maxZstdWindowLog())
          : c.decompress(stored);
    } catch (SourceInputStream.SourceReadException e) {
      throw e.original();
    } catch (IOException | RuntimeException e) {
      throw new PageFormatException(
          "compressed byte 0: not a valid " + c.configName() + " stream (" + e + ")", e);
    }
  }

  /**
   * {@link #peek} at the stored (still compressed) page: a failure of the caller's stream is
   * rethrown as the stream threw it, as everywhere in this class.
   */
  private static int peekStored(PushbackInputStream stored, byte[] head) throws IOException {
    try {
      return peek(stored, head);
    } catch (SourceInputStream.SourceReadException e) {
      throw e.original();
    }
  }

  /**
   * Reads until {@code head} is full or the stream ends, then unreads what it read, so the decoder
   * after it still sees the stream from its start; the number of bytes read.
   */
  private static int peek(PushbackInputStream in, byte[] head) throws IOException {
    int n = 0;
    while (n < head.length) {
      int r = in.read(head, n, head.length - n);
      if (r < 0) {
        break;
      }
      n += r;
    }
    in.unread(head, 0, n);
    return n;
  }

  private static void closeQuietly(InputStream decoder) {
    try {
      decoder.close();
    } catch (IOException | RuntimeException ignored) {
      // The page error is what matters.
    }
  }
}
