package io.prism.snapshotter.metrics;

import io.prism.snapshotter.storage.ListPage;
import io.prism.snapshotter.storage.ObjectAlreadyExistsException;
import io.prism.snapshotter.storage.ObjectInfo;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.PutOptions;
import io.prism.snapshotter.storage.PutResult;
import java.io.InputStream;
import java.util.Optional;

/**
 * An object store that reports each write to a task's metrics: its size and latency on success,
 * a storage error on failure. A create-only write refused because the object exists is neither:
 * it is how a re-delivered page is recognised.
 */
public final class MeteredObjectStore implements ObjectStore {
  private final ObjectStore store;
  private final TaskMetrics metrics;

  public MeteredObjectStore(ObjectStore store, TaskMetrics metrics) {
    this.store = store;
    this.metrics = metrics;
  }

  @Override
  public PutResult put(String key, InputStream body, long length, PutOptions options) {
    long start = System.nanoTime();
    try {
      PutResult result = store.put(key, body, length, options);
      metrics.storageWrite(length, System.nanoTime() - start);
      return result;
    } catch (ObjectAlreadyExistsException exists) {
      throw exists;
    } catch (RuntimeException e) {
      metrics.storageFailed();
      throw e;
    }
  }

  @Override
  public InputStream get(String key) {
    return store.get(key);
  }

  @Override
  public InputStream get(String key, long offset, long length) {
    return store.get(key, offset, length);
  }

  @Override
  public boolean delete(String key) {
    return store.delete(key);
  }

  @Override
  public ListPage list(String prefix, int maxKeys, String continuationToken) {
    return store.list(prefix, maxKeys, continuationToken);
  }

  @Override
  public Optional<ObjectInfo> head(String key) {
    return store.head(key);
  }

  @Override
  public String describe() {
    return store.describe();
  }

  @Override
  public void close() {
    store.close();
  }
}
