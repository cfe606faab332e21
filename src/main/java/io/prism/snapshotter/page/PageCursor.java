package io.prism.snapshotter.page;

import java.io.IOException;
import java.util.NoSuchElementException;

/**
 * A page being read: the metadata first (decoded when the cursor is opened), then the events one at
 * a time, so a huge page replays in bounded memory. Reaching the end checks the page against its
 * metadata (event count) and its compression trailer; a mismatch is a {@link PageFormatException}.
 *
 * <p>{@link IOException} means the caller's stream failed; anything wrong with the bytes is a
 * {@link PageFormatException}. Closing releases the decoder but not the caller's stream.
 */
public interface PageCursor extends AutoCloseable {

  PageMetadata metadata();

  /** Decodes the next event, if any; at the end, verifies the page is complete and consistent. */
  boolean hasNext() throws IOException, PageFormatException;

  /**
   * @throws NoSuchElementException if {@link #hasNext()} is false
   */
  Event next() throws IOException, PageFormatException;

  @Override
  void close() throws IOException;
}
