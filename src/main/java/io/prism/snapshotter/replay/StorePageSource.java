package io.prism.snapshotter.replay;

import io.prism.snapshotter.storage.ObjectStore;
import java.io.InputStream;
import java.util.Objects;

/** Pages straight from the object store. */
public final class StorePageSource implements PageSource {
  private final ObjectStore store;

  public StorePageSource(ObjectStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  @Override
  public InputStream open(PageRef page) {
    return store.get(page.key());
  }
}
