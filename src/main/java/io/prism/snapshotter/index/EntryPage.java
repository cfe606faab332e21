package io.prism.snapshotter.index;

import java.util.List;

/**
 * One batch of a writer's entries ({@link PageIndex#entryPage}).
 *
 * @param entries in the order of {@link PageIndex#entries}: start time, sequence, page key
 * @param next pass to continue; {@code null} when the walk is done. A batch may hold fewer entries
 *     than asked, even none, while {@code next} is not null.
 */
public record EntryPage(List<IndexEntry> entries, EntryCursor next) {
  public EntryPage {
    entries = List.copyOf(entries);
  }

  /** The batch {@code entries} fetched with {@code limit}: more may follow only if it is full. */
  static EntryPage of(List<IndexEntry> entries, int limit) {
    return new EntryPage(
        entries,
        entries.size() < limit ? null : EntryCursor.after(entries.get(entries.size() - 1)));
  }

  static void requirePositive(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("a batch of entries needs a limit of 1 or more: " + limit);
    }
  }
}
