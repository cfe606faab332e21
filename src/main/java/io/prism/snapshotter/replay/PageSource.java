package io.prism.snapshotter.replay;

import java.io.InputStream;

/**
 * Opens a located page's stored bytes. Safe for concurrent use: replay fetches several pages at
 * once.
 */
public interface PageSource {

  /**
   * The page's stored (compressed) bytes; the caller closes the stream.
   *
   * @throws io.prism.snapshotter.storage.StorageException storage failed or the page is gone
   */
  InputStream open(PageRef page);
}
