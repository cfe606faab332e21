package io.prism.snapshotter.index;

import java.util.List;

/**
 * One page of a writer listing.
 *
 * @param writers writer ids in ascending UTF-8 byte order
 * @param next pass as {@code after} to continue; {@code null} when the listing is done
 */
public record WriterPage(List<String> writers, String next) {
  public WriterPage {
    writers = List.copyOf(writers);
  }

  /**
   * The page for {@code writers} fetched with {@code limit}: more may follow only if it is full.
   */
  static WriterPage of(List<String> writers, int limit) {
    return new WriterPage(writers, writers.size() < limit ? null : writers.get(writers.size() - 1));
  }
}
