package io.prism.snapshotter.index;

import java.util.List;

/**
 * A {@link PageIndex} that hands every call to another one: the base of the wrappers (publish
 * queue, fan-out, scheduled expiry), which override only what they change.
 */
public abstract class ForwardingPageIndex implements PageIndex {
  protected final PageIndex delegate;

  protected ForwardingPageIndex(PageIndex delegate) {
    this.delegate = delegate;
  }

  @Override
  public void publish(List<IndexEntry> entries) {
    delegate.publish(entries);
  }

  @Override
  public List<IndexEntry> entries(String writerId, TimeRange range) {
    return delegate.entries(writerId, range);
  }

  @Override
  public EntryPage entryPage(String writerId, EntryCursor from, int limit) {
    return delegate.entryPage(writerId, from, limit);
  }

  @Override
  public WriterPage writers(String after, int limit) {
    return delegate.writers(after, limit);
  }

  @Override
  public List<IndexEntry> entriesFromOffset(
      String topic, int partition, long fromOffset, int limit) {
    return delegate.entriesFromOffset(topic, partition, fromOffset, limit);
  }

  @Override
  public void remove(List<IndexEntry> entries) {
    delegate.remove(entries);
  }

  @Override
  public void expireBefore(long cutoffMillis) {
    delegate.expireBefore(cutoffMillis);
  }

  @Override
  public int queuedEntries() {
    return delegate.queuedEntries();
  }

  @Override
  public long droppedEntries() {
    return delegate.droppedEntries();
  }

  @Override
  public void ping() {
    delegate.ping();
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
