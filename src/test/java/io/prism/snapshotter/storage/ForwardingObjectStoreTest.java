package io.prism.snapshotter.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wrapper that overrides nothing must keep the whole contract of the store it wraps: every call
 * (and every error) reaches the real store unchanged.
 */
class ForwardingObjectStoreTest extends ObjectStoreContract {

  @TempDir Path tempDir;

  @Override
  protected ObjectStore newStore() {
    return new ForwardingObjectStore(new FilesystemObjectStore(tempDir.resolve("store"))) {};
  }
}
