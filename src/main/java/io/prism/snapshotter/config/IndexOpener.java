package io.prism.snapshotter.config;

import io.prism.snapshotter.index.ClickHousePageIndex;
import io.prism.snapshotter.index.FanOutPageIndex;
import io.prism.snapshotter.index.IndexBackend;
import io.prism.snapshotter.index.IndexDecorator;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.PublishMode;
import io.prism.snapshotter.index.PublishPath;
import io.prism.snapshotter.index.QueuedPageIndex;
import io.prism.snapshotter.index.RedisPageIndex;
import io.prism.snapshotter.index.ScheduledExpiry;
import io.prism.snapshotter.index.SqlitePageIndex;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts the page index of valid {@link IndexConfig} settings together: the primary, its secondaries
 * behind a fan-out, a publish queue in async mode, and a scheduled expiry where a backend does not
 * expire entries itself. Checking the settings is {@link IndexConfig}'s.
 */
final class IndexOpener {
  private final IndexConfig config;

  IndexOpener(IndexConfig config) {
    this.config = config;
  }

  /**
   * The primary and its secondaries opened for {@code use}, each part wrapped by {@code decorator}
   * as it is put together (see {@link IndexConfig#open(PublishMode, IndexDecorator)}).
   */
  PageIndex open(PublishMode mode, IndexDecorator decorator, Use use) {
    List<PageIndex> opened = new ArrayList<>();
    try {
      PageIndex primary = openBackend(config.backend(), use);
      opened.add(primary);
      List<PageIndex> secondaries = new ArrayList<>();
      for (IndexBackend secondary : config.secondaries()) {
        PageIndex index = openBackend(secondary, use);
        opened.add(index);
        secondaries.add(decorator.decorate(index, PublishPath.BACKGROUND_TO_SECONDARY));
      }
      PageIndex index =
          secondaries.isEmpty()
              ? primary
              : new FanOutPageIndex(primary, secondaries, config.publishQueueMaxEntries());
      if (mode == PublishMode.ASYNC) {
        PageIndex queued =
            new QueuedPageIndex(
                decorator.decorate(index, PublishPath.BACKGROUND_TO_PRIMARY),
                config.publishQueueMaxEntries());
        return decorator.decorate(queued, PublishPath.TASK_TO_QUEUE);
      }
      return decorator.decorate(index, PublishPath.TASK_TO_INDEX);
    } catch (RuntimeException e) {
      opened.forEach(PageIndex::close);
      throw e;
    }
  }

  /** What a backend is opened for. */
  enum Use {
    /** Publishing, a SQLite file created where missing (the sink, reindex). */
    CREATING,
    /** Publishing or removing, in a SQLite file that must be there (compact, pages verify). */
    EXISTING,
    /** Reading only: nothing written, no expiry (replay, pages list, check --read-only). */
    READING
  }

  /**
   * Opens one backend for {@code use}, with a scheduled expiry where the backend does not expire
   * entries itself (unless only read).
   */
  PageIndex openBackend(IndexBackend which, Use use) {
    PageIndex index;
    boolean expiresByItself = false;
    switch (which) {
      case SQLITE ->
          index =
              switch (use) {
                case CREATING -> SqlitePageIndex.open(config.sqlitePath());
                case EXISTING -> SqlitePageIndex.openExisting(config.sqlitePath());
                case READING -> SqlitePageIndex.openForReading(config.sqlitePath());
              };
      case CLICKHOUSE -> {
        ClickHousePageIndex clickHouse =
            use == Use.READING
                ? ClickHousePageIndex.openForReading(config.clickHouse())
                : ClickHousePageIndex.open(config.clickHouse());
        expiresByItself = clickHouse.serverExpiresEntries();
        index = clickHouse;
      }
      // Redis keys expire by themselves; the scheduled pass tidies the sets.
      case REDIS -> index = RedisPageIndex.open(config.redis());
      case NONE -> {
        return PageIndex.none();
      }
      default -> throw new IllegalStateException("unknown index backend " + which);
    }
    if (use != Use.READING && config.ttlDays() > 0 && !expiresByItself) {
      return new ScheduledExpiry(index, Duration.ofDays(config.ttlDays()), Clock.systemUTC());
    }
    return index;
  }
}
