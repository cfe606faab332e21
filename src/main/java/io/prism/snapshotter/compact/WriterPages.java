package io.prism.snapshotter.compact;

import io.prism.snapshotter.index.EntryCursor;
import io.prism.snapshotter.index.EntryPage;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.ObjectStore;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where compaction finds a writer's pages: where replay finds them. With a page index, the index's
 * entries (pages it does not know are not replayed, so not merged either); without one, a listing
 * of storage.
 */
@FunctionalInterface
public interface WriterPages {
  /** Entries asked of the index at a time in a {@link #walk}. */
  int WALK_BATCH = 1_000;

  /** The writer's pages as index entries, in any order. */
  List<IndexEntry> of(String writerId);

  /**
   * Hands the writer's pages to {@code page} one at a time, in any order: what a run plans from. By
   * default from {@link #of}; {@link #fromIndex} and {@link #fromStorage} read a bounded batch at a
   * time instead, so a writer of any size is walked in bounded memory.
   */
  default void walk(String writerId, Consumer<IndexEntry> page) {
    of(writerId).forEach(page);
  }

  /**
   * Whether the pages come from an index (then removing their entries is part of replacing them).
   */
  default boolean indexed() {
    return true;
  }

  /**
   * Whether the writer's pages, asked again now, still include {@code page} (its writer's, by key):
   * what tells a dangling entry from a page another run replaced, and an interrupted run's merged
   * page from one another run published. {@code page}'s times are its entry's (or its stored
   * metadata's, which the entry was made from). By default the writer's pages are listed again;
   * {@link #fromIndex} asks the index about that page's time range only ({@link PageIndex#holds}).
   */
  default boolean stillLists(IndexEntry page) {
    return of(page.writerId()).stream().anyMatch(e -> e.pageKey().equals(page.pageKey()));
  }

  static WriterPages fromIndex(PageIndex index) {
    return new WriterPages() {
      @Override
      public List<IndexEntry> of(String writerId) {
        return index.entries(writerId, TimeRange.ALL);
      }

      @Override
      public void walk(String writerId, Consumer<IndexEntry> page) {
        EntryCursor cursor = EntryCursor.FIRST;
        while (cursor != null) {
          EntryPage batch = index.entryPage(writerId, cursor, WALK_BATCH);
          batch.entries().forEach(page);
          cursor = batch.next();
        }
      }

      @Override
      public boolean stillLists(IndexEntry page) {
        return index.holds(page);
      }
    };
  }

  static WriterPages fromStorage(ObjectStore store, KeyTemplate template) {
    return new StoredWriterPages(store, template);
  }
}
