package io.prism.snapshotter.verify;

import io.prism.snapshotter.index.EntryCursor;
import io.prism.snapshotter.index.EntryPage;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * One writer's entries, read from the index a batch at a time ({@link PageIndex#entryPage}): one
 * batch in memory, whatever the writer's size.
 */
final class WriterEntries implements Iterator<IndexEntry> {
  private final PageIndex index;
  private final String writerId;
  private final int batchSize;
  private EntryCursor cursor = EntryCursor.FIRST;
  private List<IndexEntry> batch = List.of();
  private int next;

  WriterEntries(PageIndex index, String writerId, int batchSize) {
    this.index = index;
    this.writerId = writerId;
    this.batchSize = batchSize;
  }

  @Override
  public boolean hasNext() {
    // A batch may be empty while more follow (a ClickHouse time window with no entries).
    while (next == batch.size() && cursor != null) {
      EntryPage page = index.entryPage(writerId, cursor, batchSize);
      batch = page.entries();
      cursor = page.next();
      next = 0;
    }
    return next < batch.size();
  }

  @Override
  public IndexEntry next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return batch.get(next++);
  }
}
