package io.prism.snapshotter.replay;

import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.Page;
import io.prism.snapshotter.page.PageCursor;
import io.prism.snapshotter.page.PageFormatException;
import io.prism.snapshotter.page.PageMetadata;
import io.prism.snapshotter.page.PageReader;
import io.prism.snapshotter.storage.StorageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A page on its way out of replay: either fetched and decoded whole by a fetch thread (small pages,
 * the usual case), or — for a page larger than {@link ReplaySettings#maxInMemoryPageBytes()},
 * stored or decoded — streamed event by event on the reading thread, so no page is ever held whole
 * when it is big.
 *
 * <p>The decoded size matters as much as the stored one: compressible events (a merged page holds
 * up to 128 MiB of them in a few MiB) or a decompression bomb decode to many times their stored
 * size, and the prefetch window holds several decoded pages. A page's {@code page_size_bytes} says
 * how large it decodes, but other writers' pages need not state it exactly, so the events decoded
 * are counted as well.
 */
abstract sealed class FetchedPage implements AutoCloseable
    permits FetchedPage.Decoded, FetchedPage.Streamed {
  final PageRef ref;

  FetchedPage(PageRef ref) {
    this.ref = ref;
  }

  /**
   * Fetches and decodes the page whole, or prepares to stream it (decided by its stored and decoded
   * size).
   */
  static FetchedPage fetch(
      PageRef ref, PageSource source, PageReader reader, ReplaySettings settings) {
    if (ref.storedSizeBytes() > settings.maxInMemoryPageBytes()) {
      return new Streamed(ref, source, reader);
    }
    long limit = settings.maxInMemoryPageBytes();
    byte[] stored;
    try (InputStream in = source.open(ref)) {
      // A size the locator does not know (-1) is found out here, reading no more than needed.
      stored = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
    } catch (IOException e) {
      throw new StorageException(
          "fetching page " + ref.key() + " failed: " + e.getMessage(), true, e);
    }
    if (stored.length > limit) {
      return new Streamed(ref, source, reader);
    }
    try (PageCursor cursor = reader.open(new ByteArrayInputStream(stored), ref.key())) {
      if (cursor.metadata().pageSizeBytes() > limit) {
        return Streamed.inMemory(ref, stored, reader);
      }
      List<Event> events = new ArrayList<>();
      long held = 0;
      while (cursor.hasNext()) {
        Event event = cursor.next();
        held += heapBytes(event);
        if (held > limit) {
          return Streamed.inMemory(ref, stored, reader);
        }
        events.add(event);
      }
      return new Decoded(ref, new Page(cursor.metadata(), events), stored.length);
    } catch (PageFormatException e) {
      throw new CorruptPageException(ref.key(), e);
    } catch (IOException e) {
      throw new IllegalStateException("reading bytes in memory failed", e); // cannot happen
    }
  }

  /**
   * About the heap a decoded event holds: its payload, id and attributes and the objects around
   * them (so a page of many tiny attributes, which its bytes understate, counts as what it costs).
   */
  static long heapBytes(Event event) {
    long bytes = 64L + event.payloadLength() + 2L * event.eventId().length();
    for (Map.Entry<String, String> a : event.attributes().entrySet()) {
      bytes += 96L + 2L * (a.getKey().length() + a.getValue().length());
    }
    return bytes;
  }

  /** Opens the events; the metadata check against the locator's view happens here. */
  abstract void open();

  /** The page's metadata, once {@link #open opened}. */
  abstract PageMetadata metadata();

  abstract boolean hasNext();

  abstract Event next();

  /** Stored bytes read so far. */
  abstract long storedBytes();

  @Override
  public void close() {}

  void checkWriter(PageMetadata metadata) {
    if (!metadata.writerId().equals(ref.writerId())) {
      throw new CorruptPageException(
          ref.key(),
          "its metadata names writer '"
              + metadata.writerId()
              + "', its index entry or listing '"
              + ref.writerId()
              + "'");
    }
  }

  static final class Decoded extends FetchedPage {
    private final Page page;
    private final long storedBytes;
    private Iterator<Event> events;

    Decoded(PageRef ref, Page page, long storedBytes) {
      super(ref);
      this.page = page;
      this.storedBytes = storedBytes;
    }

    @Override
    void open() {
      checkWriter(page.metadata());
      events = page.events().iterator();
    }

    @Override
    PageMetadata metadata() {
      return page.metadata();
    }

    @Override
    boolean hasNext() {
      return events.hasNext();
    }

    @Override
    Event next() {
      return events.next();
    }

    @Override
    long storedBytes() {
      return storedBytes;
    }
  }

  static final class Streamed extends FetchedPage {
    private final PageSource source;
    private final PageReader reader;
    private final long storedBytes;
    private InputStream in;
    private PageCursor cursor;

    Streamed(PageRef ref, PageSource source, PageReader reader) {
      this(ref, source, reader, ref.storedSizeBytes());
    }

    private Streamed(PageRef ref, PageSource source, PageReader reader, long storedBytes) {
      super(ref);
      this.source = source;
      this.reader = reader;
      this.storedBytes = storedBytes;
    }

    /**
     * Streams a page already fetched (stored small, decoding large): its stored bytes, no larger
     * than a page decoded whole may be, stand in for the store.
     */
    static Streamed inMemory(PageRef ref, byte[] stored, PageReader reader) {
      return new Streamed(ref, page -> new ByteArrayInputStream(stored), reader, stored.length);
    }

    @Override
    void open() {
      in = source.open(ref);
      try {
        cursor = reader.open(in, ref.key());
      } catch (PageFormatException e) {
        throw new CorruptPageException(ref.key(), e);
      } catch (IOException e) {
        throw new StorageException(
            "fetching page " + ref.key() + " failed: " + e.getMessage(), true, e);
      }
      checkWriter(cursor.metadata());
    }

    @Override
    PageMetadata metadata() {
      return cursor.metadata();
    }

    @Override
    boolean hasNext() {
      try {
        return cursor.hasNext();
      } catch (PageFormatException e) {
        throw new CorruptPageException(ref.key(), e);
      } catch (IOException e) {
        throw new StorageException(
            "fetching page " + ref.key() + " failed: " + e.getMessage(), true, e);
      }
    }

    @Override
    Event next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      try {
        return cursor.next();
      } catch (PageFormatException e) {
        throw new CorruptPageException(ref.key(), e);
      } catch (IOException e) {
        throw new StorageException(
            "fetching page " + ref.key() + " failed: " + e.getMessage(), true, e);
      }
    }

    @Override
    long storedBytes() {
      return storedBytes;
    }

    @Override
    public void close() {
      try {
        if (cursor != null) {
          cursor.close();
        }
        if (in != null) {
          in.close();
        }
      } catch (IOException ignored) {
        // Nothing more to read from it.
      }
    }
  }
}
