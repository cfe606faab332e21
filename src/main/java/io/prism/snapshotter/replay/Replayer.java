package io.prism.snapshotter.replay;

import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.index.IndexBackend;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.ObjectStores;
import io.prism.snapshotter.util.Printable;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a writer's events from its pages: locate ({@link PageLocator}), fetch ahead in parallel
 * ({@link PageSource}), decode, drop repeated ids ({@link RepeatedIds}), filter ({@link
 * EventFilter}), and hand them out in the writer's order ({@link ReplayStream}). Memory stays
 * bounded whatever the range: prefetched pages, the located page list, and the remembered ids of
 * overlapping pages. A page that vanishes between locating and fetching (a compaction merged and
 * deleted it) makes the replay locate again and go on ({@link ReplayStream}).
 *
 * <pre>{@code
 * try (Replayer replayer = Replayer.open(config);
 *      ReplayStream events = replayer.replay("user-1", EventFilter.ALL)) {
 *     while (events.hasNext()) { handle(events.next()); }
 * }
 * }</pre>
 */
public final class Replayer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Replayer.class);

  private final PageLocator locator;
  private final PageSource source;
  private final ReplaySettings settings;
  private final ExecutorService executor;
  private final AutoCloseable owned;

  /** A replayer over the given locator and source; {@code owned} (nullable) is closed with it. */
  public Replayer(
      Function<ExecutorService, PageLocator> locator,
      PageSource source,
      ReplaySettings settings,
      AutoCloseable owned) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.executor = Executors.newFixedThreadPool(settings.fetchThreads(), fetchThreads());
    this.locator = locator.apply(executor);
    this.source = Objects.requireNonNull(source, "source");
    this.owned = owned;
  }

  /**
   * A replayer reading the store {@code config} names. Pages are located through the page index
   * when the settings name an {@code index.backend} other than {@code none} ({@link
   * IndexPageLocator}), else by listing the store ({@link StorageScanLocator}).
   *
   * @throws org.apache.kafka.common.config.ConfigException the storage settings are incomplete, or
   *     name a filesystem store's directory or a SQLite index file that is not there (neither is
   *     created)
   */
  public static Replayer open(SnapshotterConfig config, ReplaySettings settings) {
    // openExisting, openForReading: a replayer only reads; a store or index it created would be
    // empty, and an expiry or publish queue it started would write.
    ObjectStore store = ObjectStores.openExisting(config.storage());
    try {
      // Storage is the truth and the index an accelerator one opts into: only an index.backend the
      // settings name explicitly is used (its default would otherwise point at an empty
      // ./data/index.db).
      boolean indexed =
          config.originals().containsKey(IndexConfig.BACKEND)
              && config.index().backend() != IndexBackend.NONE;
      if (!indexed) {
        return new Replayer(
            pool -> new StorageScanLocator(store, config.storage().keyTemplate(), pool),
            new StorePageSource(store),
            settings,
            store);
      }
      PageIndex index = config.index().openForReading();
      return new Replayer(
          pool -> new IndexPageLocator(index),
          new StorePageSource(store),
          settings,
          () -> {
            try {
              index.close();
            } finally {
              store.close();
            }
          });
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  public static Replayer open(SnapshotterConfig config) {
    return open(config, ReplaySettings.DEFAULT);
  }

  /**
   * Locates the writer's pages that overlap the filter's range and starts fetching them.
   *
   * @throws CorruptPageException a page's metadata cannot be decoded (unless {@link
   *     ReplaySettings#onCorrupt()} is {@link OnCorrupt#SKIP})
   * @throws io.prism.snapshotter.storage.StorageException storage failed
   */
  public ReplayStream replay(String writerId, EventFilter filter) {
    Objects.requireNonNull(writerId, "writerId");
    Objects.requireNonNull(filter, "filter");
    // Pages skipped as corrupt while locating (the first time, or again after a page vanished)
    // join those the stream skips itself.
    SkippedPages skipped = new SkippedPages();
    Function<TimeRange, List<PageRef>> locate =
        settings.onCorrupt() == OnCorrupt.SKIP
            ? range -> locator.locate(writerId, range, skipped::add)
            : range -> locator.locate(writerId, range);
    List<PageRef> pages = locate.apply(filter.range());
    log.debug("Replaying writer {}: {} pages", Printable.quote(writerId), pages.size());
    return new ReplayStream(writerId, pages, locate, source, filter, settings, executor, skipped);
  }

  @Override
  public void close() {
    executor.shutdownNow();
    if (owned != null) {
      try {
        owned.close();
      } catch (Exception e) {
        log.warn("Closing {} failed: {}", owned, e.toString());
      }
    }
  }

  private static ThreadFactory fetchThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "replay-fetch-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
