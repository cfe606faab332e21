package io.prism.snapshotter.replay;

/**
 * How replay fetches.
 *
 * @param fetchThreads pages fetched and decoded at once
 * @param prefetchPages pages fetched ahead of the one being handed out; with {@code
 *     maxInMemoryPageBytes} this bounds replay's memory whatever the range
 * @param maxInMemoryPageBytes a page larger than this, stored or decoded, is not prefetched whole
 *     but streamed event by event
 * @param recentIdWindow ids remembered whatever their page, for retried publishes (see {@link
 *     RepeatedIds})
 * @param onCorrupt what a page that cannot be read does to the replay
 */
public record ReplaySettings(
    int fetchThreads,
    int prefetchPages,
    long maxInMemoryPageBytes,
    int recentIdWindow,
    OnCorrupt onCorrupt) {

  public static final ReplaySettings DEFAULT =
      new ReplaySettings(4, 8, 16L << 20, 65_536, OnCorrupt.FAIL);

  /** Settings under which a corrupt page fails the replay. */
  public ReplaySettings(
      int fetchThreads, int prefetchPages, long maxInMemoryPageBytes, int recentIdWindow) {
    this(fetchThreads, prefetchPages, maxInMemoryPageBytes, recentIdWindow, OnCorrupt.FAIL);
  }

  public ReplaySettings withOnCorrupt(OnCorrupt onCorrupt) {
    return new ReplaySettings(
        fetchThreads, prefetchPages, maxInMemoryPageBytes, recentIdWindow, onCorrupt);
  }

  public ReplaySettings {
    java.util.Objects.requireNonNull(onCorrupt, "onCorrupt");
    if (fetchThreads < 1 || prefetchPages < 1 || maxInMemoryPageBytes < 0 || recentIdWindow < 0) {
      throw new IllegalArgumentException(
          "replay settings out of range: fetchThreads "
              + fetchThreads
              + ", prefetchPages "
              + prefetchPages
              + ", maxInMemoryPageBytes "
              + maxInMemoryPageBytes
              + ", recentIdWindow "
              + recentIdWindow);
    }
  }
}
