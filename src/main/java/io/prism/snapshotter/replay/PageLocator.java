package io.prism.snapshotter.replay;

import java.util.List;
import java.util.function.Consumer;

/**
 * Finds the pages replay must read: the seam between replay and whatever knows where pages are.
 * {@link StorageScanLocator} lists the object store; an index-backed locator (the page index's
 * query "entries of a writer in a time range, ordered by start time then sequence") plugs in here
 * too.
 */
public interface PageLocator {

  /**
   * The pages of {@code writerId} that may hold events in {@code range} (a page overlaps when its
   * {@code [start_time, end_time]} does), sorted in {@link PageRef#WRITER_ORDER}. Empty when the
   * writer has no pages.
   *
   * @throws CorruptPageException a page's metadata cannot be decoded
   * @throws io.prism.snapshotter.storage.StorageException storage failed
   */
  List<PageRef> locate(String writerId, TimeRange range);

  /**
   * As {@link #locate(String, TimeRange)}, but a page whose metadata cannot be decoded is handed to
   * {@code corrupt} and left out instead of failing the call ({@link OnCorrupt#SKIP}). Locators
   * that decode no page (an index's) have nothing to hand over.
   */
  default List<PageRef> locate(String writerId, TimeRange range, Consumer<SkippedPage> corrupt) {
    return locate(writerId, range);
  }
}
