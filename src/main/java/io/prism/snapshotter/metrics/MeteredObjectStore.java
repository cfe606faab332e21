package io.prism.snapshotter.metrics;

import io.prism.snapshotter.storage.ForwardingObjectStore;
import io.prism.snapshotter.storage.ObjectAlreadyExistsException;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.PutOptions;
import io.prism.snapshotter.storage.PutResult;
import java.io.InputStream;

/**
 * An object store that reports each write to a task's metrics: its size and latency on success, a
 * storage error on failure. A create-only write refused because the object exists is neither: it is
 * how a re-delivered page is recognised. Reads, lists and deletes pass through unmetered.
 */
public final class MeteredObjectStore extends ForwardingObjectStore {
  private final TaskMetrics metrics;

  public MeteredObjectStore(ObjectStore store, TaskMetrics metrics) {
    super(store);
    this.metrics = metrics;
  }

  @Override
  public PutResult put(String key, InputStream body, long length, PutOptions options) {
    long start = System.nanoTime();
    try {
      PutResult result = super.put(key, body, length, options);
      metrics.storageWrite(length, System.nanoTime() - start);
      return result;
    } catch (ObjectAlreadyExistsException exists) {
      throw exists;
    } catch (RuntimeException e) {
      metrics.storageFailed();
      throw e;
    }
  }
}
