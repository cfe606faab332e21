package io.prism.snapshotter.storage;

import java.io.InputStream;
import java.util.Optional;

/**
 * An {@link ObjectStore} that hands every call to another one: the base of the wrappers (metering,
 * the compaction tests' crash injection), which override only what they change.
 */
public abstract class ForwardingObjectStore implements ObjectStore {

  protected final ObjectStore delegate;

  protected ForwardingObjectStore(ObjectStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public PutResult put(String key, InputStream body, long length, PutOptions options) {
    return delegate.put(key, body, length, options);
  }

  @Override
  public InputStream get(String key) {
    return delegate.get(key);
  }

  @Override
  public InputStream get(String key, long offset, long length) {
    return delegate.get(key, offset, length);
  }

  @Override
  public boolean delete(String key) {
    return delegate.delete(key);
  }

  @Override
  public ListPage list(String prefix, int maxKeys, String continuationToken) {
    return delegate.list(prefix, maxKeys, continuationToken);
  }

  @Override
  public Optional<ObjectInfo> head(String key) {
    return delegate.head(key);
  }

  @Override
  public void probe() {
    delegate.probe();
  }

  @Override
  public int concurrentRequests() {
    return delegate.concurrentRequests();
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
