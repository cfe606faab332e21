package io.prism.snapshotter.compact;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.ObjectStore;
import java.util.List;

/**
 * Where compaction finds a writer's pages: where replay finds them. With a page index, the index's
 * entries (pages it does not know are not replayed, so not merged either); without one, a listing
 * of storage.
 */
@FunctionalInterface
public interface WriterPages {
  /** The writer's pages as index entries, in any order. */
  List<IndexEntry> of(String writerId);

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
      public boolean stillLists(IndexEntry page) {
        return index.holds(page);
      }
    };
  }

  static WriterPages fromStorage(ObjectStore store, KeyTemplate template) {
    return new StoredWriterPages(store, template);
  }
}
