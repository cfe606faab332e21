package io.prism.snapshotter.page;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.util.NoSuchElementException;

/**
 * What both formats' cursors share: look-ahead, the checks against the metadata, and the one place
 * that sorts failures into "the caller's stream failed" (IOException, rethrown as is) and "the
 * bytes are bad" ({@link PageFormatException}, with where it happened).
 */
abstract class DecodingCursor implements PageCursor {

  /** A step of decoding; may fail in any way the decoders fail. */
  @FunctionalInterface
  interface Step<T> {
    T run() throws IOException, PageFormatException;
  }

  protected final Compression compression;
  protected final PageLimits limits;
  private final InputStream decoder;
  private final SourceInputStream stored;

  private PageMetadata metadata;
  private Event pending;
  private long nextIndex;
  private boolean finished;

  /**
   * @param decoder the decompressing stream, closed with the cursor to release native/inflater
   *     state
   * @param stored the caller's stream as read by the decoder, for the compressed offset of errors
   */
  DecodingCursor(
      Compression compression, PageLimits limits, InputStream decoder, SourceInputStream stored) {
    this.compression = compression;
    this.limits = limits;
    this.decoder = decoder;
    this.stored = stored;
  }

  /** Decodes the metadata; empty page, wrong first field etc. are format errors. */
  protected abstract PageMetadata decodeMetadata() throws IOException, PageFormatException;

  /** The next event, checked to carry {@code index} as its sequence; null at the clean end. */
  protected abstract Event decodeEvent(long index) throws IOException, PageFormatException;

  /** Where decoding is now, for messages: "protobuf byte 812 (event 3)", "NDJSON line 5". */
  protected abstract String where();

  final void start() throws IOException, PageFormatException {
    PageMetadata m = guarded(this::decodeMetadata);
    if (!PageMetadata.FORMAT_VERSION_V1.equals(m.formatVersion())) {
      throw new PageFormatException(
          where()
              + ": unsupported format_version '"
              + m.formatVersion()
              + "'; this reader understands '"
              + PageMetadata.FORMAT_VERSION_V1
              + "'");
    }
    if (m.compression() != compression) {
      throw new PageFormatException(
          where()
              + ": metadata says compression '"
              + m.compression().configName()
              + "' but the page is stored with '"
              + compression.configName()
              + "'");
    }
    if (m.eventCount() < 0 || m.eventCount() > limits.maxEvents()) {
      throw new PageFormatException(
          where() + ": event_count " + m.eventCount() + " is outside 0.." + limits.maxEvents());
    }
    if (m.pageSizeBytes() < 0) {
      throw new PageFormatException(
          where() + ": page_size_bytes is negative (" + m.pageSizeBytes() + ")");
    }
    this.metadata = m;
  }

  @Override
  public final PageMetadata metadata() {
    return metadata;
  }

  @Override
  public final boolean hasNext() throws IOException, PageFormatException {
    if (pending != null) {
      return true;
    }
    if (finished) {
      return false;
    }
    Event e = guarded(() -> decodeEvent(nextIndex));
    if (e == null) {
      finished = true;
      if (nextIndex != metadata.eventCount()) {
        throw new PageFormatException(
            where()
                + ": the page ends after "
                + nextIndex
                + " events but its metadata declares event_count "
                + metadata.eventCount());
      }
      return false;
    }
    if (nextIndex >= metadata.eventCount()) {
      throw new PageFormatException(
          where() + ": more events than the declared event_count " + metadata.eventCount());
    }
    nextIndex++;
    pending = e;
    return true;
  }

  @Override
  public final Event next() throws IOException, PageFormatException {
    if (!hasNext()) {
      throw new NoSuchElementException("No more events in this page");
    }
    Event e = pending;
    pending = null;
    return e;
  }

  @Override
  public void close() throws IOException {
    try {
      decoder.close();
    } catch (IOException | RuntimeException e) {
      // Releasing a decoder of a bad page may fail again; the page error was already reported.
    }
  }

  /** The events decoded so far count as read: used to name "event N" in messages. */
  protected final long eventsRead() {
    return nextIndex;
  }

  protected final PageFormatException error(String what) {
    return new PageFormatException(where() + ": " + what);
  }

  final <T> T guarded(Step<T> step) throws IOException, PageFormatException {
    try {
      return step.run();
    } catch (PageFormatException e) {
      throw e;
    } catch (SourceInputStream.SourceReadException e) {
      throw e.original();
    } catch (LimitedInputStream.LimitExceededException e) {
      throw new PageFormatException(where() + ": " + e.getMessage(), e);
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new PageFormatException(where() + ": " + e.getMessage(), e);
    } catch (IOException e) {
      // Anything else comes from the decompressor: a corrupt or truncated gzip/zstd stream.
      throw new PageFormatException(
          where()
              + ": "
              + compression.configName()
              + " data is corrupt or truncated, within the first "
              + stored.count()
              + " stored bytes ("
              + e
              + ")",
          e);
    } catch (RuntimeException e) {
      // No decoder should throw these on bad bytes, but a hostile page must never escape
      // the reader's contract.
      throw new PageFormatException(where() + ": undecodable page (" + e + ")", e);
    }
  }
}
