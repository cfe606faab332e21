package io.prism.snapshotter.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.index.EntryTtl;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.RedisPageIndex;
import io.prism.snapshotter.index.RedisSettings;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.testing.TestServices;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reindex} into a real Redis whose entries expire ({@code index.ttl.days}). */
class ReindexerRedisIT {
  @TempDir Path dir;

  /**
   * Redis does not take an entry already past its TTL (its key would expire at once): reindex
   * counted such pages as added, on every run. They are counted as past the TTL instead, and a
   * second run adds nothing.
   */
  @Test
  void pagesPastTheTtlAreNotCountedAsAddedOnEveryRun() throws Exception {
    ObjectStore store = new FilesystemObjectStore(dir.resolve("pages"));
    long day = Duration.ofDays(1).toMillis();
    // Pages end about 100, 200, 300 and 400 s after the first event: the first two a day and 50 s
    // or more ago, past the TTL; the others within it for 50 s or more, longer than the test.
    long firstEvent = System.currentTimeMillis() - day - 250_000;
    List<IndexEntry> original;
    try (SqlitePageIndex live = SqlitePageIndex.open(dir.resolve("live.db"))) {
      ReindexerTest.storePages(store, live, PageFormat.PROTOBUF, Compression.ZSTD, firstEvent);
      original = ReindexerTest.allEntries(live);
    }
    long now = System.currentTimeMillis();
    List<IndexEntry> withinTtl =
        original.stream().filter(entry -> entry.endTime() + day > now).toList();
    long pastTtl = original.size() - withinTtl.size();
    assertThat(pastTtl).isPositive().isLessThan(original.size());

    String prefix = "reindex-ttl-" + UUID.randomUUID();
    try (RedisPageIndex redis =
        RedisPageIndex.open(new RedisSettings(TestServices.redisUrl(), prefix, null, 1))) {
      Reindexer reindexer = new Reindexer(store, redis, EntryTtl.ofDays(1), Clock.systemUTC());

      Reindexer.Result first = reindexer.run("", Long.MIN_VALUE, (done, total) -> {});
      assertThat(first.expired()).isEqualTo(pastTtl);
      assertThat(first.added()).isEqualTo(withinTtl.size());
      assertThat(ReindexerTest.allEntries(redis)).containsExactlyInAnyOrderElementsOf(withinTtl);

      Reindexer.Result second = reindexer.run("", Long.MIN_VALUE, (done, total) -> {});
      assertThat(second.expired()).isEqualTo(pastTtl);
      assertThat(second.alreadyIndexed()).isEqualTo(withinTtl.size());
      assertThat(second.added()).as("added again on every run").isZero();
    }
  }
}
