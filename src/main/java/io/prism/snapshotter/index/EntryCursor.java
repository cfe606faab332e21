package io.prism.snapshotter.index;

/**
 * Where the next batch of a writer's entries starts, in a walk with {@link PageIndex#entryPage}:
 * {@link #FIRST}, then each {@link EntryPage#next()}. Opaque to callers: it holds the last entry
 * returned, and the hints a backend keeps between batches (ClickHouse's time window).
 */
public final class EntryCursor {
  /** From the writer's first entry. */
  public static final EntryCursor FIRST = new EntryCursor(null, 0, 0);

  private final IndexEntry after;
  private final long windowMillis;
  private final long lastStartMillis;

  private EntryCursor(IndexEntry after, long windowMillis, long lastStartMillis) {
    this.after = after;
    this.windowMillis = windowMillis;
    this.lastStartMillis = lastStartMillis;
  }

  /** After {@code entry}, in the order of {@link PageIndex#entries}; no hints. */
  public static EntryCursor after(IndexEntry entry) {
    return new EntryCursor(java.util.Objects.requireNonNull(entry, "entry"), 0, 0);
  }

  /** After {@code entry}, with a backend's hints. */
  static EntryCursor after(IndexEntry entry, long windowMillis, long lastStartMillis) {
    return new EntryCursor(entry, windowMillis, lastStartMillis);
  }

  /** The last entry returned; null for {@link #FIRST}. */
  IndexEntry lastEntry() {
    return after;
  }

  /** ClickHouse: the width of a time window that held about one batch; 0 when unknown. */
  long windowMillis() {
    return windowMillis;
  }

  /** ClickHouse: the writer's latest start time when the walk began (valid if a window is set). */
  long lastStartMillis() {
    return lastStartMillis;
  }

  @Override
  public String toString() {
    return after == null ? "first" : "after " + after.pageKey();
  }
}
