package io.prism.snapshotter.sink;

import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.storage.ObjectStore;

/**
 * Test pages for other packages' tests: 16 pages of 4 writers, stored through the real committer.
 */
public final class ReindexerTestPages {
  private ReindexerTestPages() {}

  public static void store(
      ObjectStore store, PageIndex index, PageFormat format, Compression compression)
      throws Exception {
    ReindexerTest.storePages(store, index, format, compression);
  }
}
