package io.prism.snapshotter.index;

import java.util.List;

/** {@code index.backend=none}: pages are stored but not indexed; queries find nothing. */
final class NoPageIndex implements PageIndex {
  static final NoPageIndex INSTANCE = new NoPageIndex();

  private NoPageIndex() {}

  @Override
  public void publish(List<IndexEntry> entries) {}

  @Override
  public List<IndexEntry> entries(String writerId, TimeRange range) {
    return List.of();
  }

  @Override
  public EntryPage entryPage(String writerId, EntryCursor from, int limit) {
    EntryPage.requirePositive(limit);
    return new EntryPage(List.of(), null);
  }

  @Override
  public WriterPage writers(String after, int limit) {
    return new WriterPage(List.of(), null);
  }

  @Override
  public List<IndexEntry> entriesFromOffset(
      String topic, int partition, long fromOffset, int limit) {
    return List.of();
  }

  @Override
  public void remove(List<IndexEntry> entries) {}

  @Override
  public void expireBefore(long cutoffMillis) {}

  @Override
  public String describe() {
    return "none";
  }
}
