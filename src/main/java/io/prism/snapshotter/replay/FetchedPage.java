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
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A page on its way out of replay: either fetched and decoded whole by a fetch thread (small pages,
 * the usual case), or — for a page stored larger than {@link ReplaySettings#maxInMemoryPageBytes()}
 * — streamed event by event on the reading thread, so no page is ever held whole when it is big.
 */
abstract sealed class FetchedPage implements AutoCloseable
    permits FetchedPage.Decoded, FetchedPage.Streamed {
  final PageRef ref;

  FetchedPage(PageRef ref) {
    this.ref = ref;
  }

  /** Fetches and decodes the page whole, or prepares to stream it (decided by its stored size). */
  static FetchedPage fetch(
      PageRef ref, PageSource source, PageReader reader, ReplaySettings settings) {
    if (ref.storedSizeBytes() > settings.maxInMemoryPageBytes()) {
      return new Streamed(ref, source, reader);
    }
    byte[] stored;
    try (InputStream in = source.open(ref)) {
      stored = in.readAllBytes();
    } catch (IOException e) {
      throw new StorageException(
          "fetching page " + ref.key() + " failed: " + e.getMessage(), true, e);
    }
    try {
      return new Decoded(
          ref, reader.read(new ByteArrayInputStream(stored), ref.key()), stored.length);
    } catch (PageFormatException e) {
      throw new CorruptPageException(ref.key(), e);
    } catch (IOException e) {
      throw new IllegalStateException("reading bytes in memory failed", e); // cannot happen
    }
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
    private InputStream in;
    private PageCursor cursor;

    Streamed(PageRef ref, PageSource source, PageReader reader) {
      super(ref);
      this.source = source;
      this.reader = reader;
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
      return ref.storedSizeBytes();
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
