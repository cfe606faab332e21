package io.prism.snapshotter.replay;

import io.prism.snapshotter.storage.NoSuchObjectException;

/**
 * A page is gone from storage, yet locating the writer's pages again still finds it: it was
 * deleted, not compacted, and where pages are located through the index its entry is dangling (it
 * stays, and every replay over its time fails the same way until the entry is removed).
 */
public final class StillLocatedException extends NoSuchObjectException {
  private final String pageKey;

  StillLocatedException(String pageKey, NoSuchObjectException gone) {
    super(
        "page "
            + pageKey
            + " is gone from storage but still located (deleted, not compacted?): "
            + gone.getMessage(),
        gone);
    this.pageKey = pageKey;
  }

  /** The page's key. */
  public String pageKey() {
    return pageKey;
  }
}
