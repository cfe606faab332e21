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

  static WriterPages fromIndex(PageIndex index) {
    return writerId -> index.entries(writerId, TimeRange.ALL);
  }

  static WriterPages fromStorage(ObjectStore store, KeyTemplate template) {
    return new StoredWriterPages(store, template);
  }
}
