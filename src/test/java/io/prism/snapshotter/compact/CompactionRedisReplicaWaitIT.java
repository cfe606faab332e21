package io.prism.snapshotter.compact;

import static io.prism.snapshotter.compact.SinkWrittenPages.START_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.index.ForwardingPageIndex;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.IndexException;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.RedisPageIndex;
import io.prism.snapshotter.index.RedisSettings;
import io.prism.snapshotter.index.ReplicaWait;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.sink.CompactedKeys;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.testing.RedisProcess;
import io.prism.snapshotter.testing.RedisReplicaPair;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction through a Redis index that waits for a replica ({@code index.redis.wait.replicas}),
 * against a primary and a replica of the test's own: the merged pages' sources are deleted from
 * storage only once the replica no longer lists them, so a failover cannot bring back entries of
 * deleted pages.
 */
class CompactionRedisReplicaWaitIT {
  private static final Clock NOW =
      Clock.fixed(
          Instant.ofEpochMilli(START_MILLIS + Duration.ofDays(30).toMillis()), ZoneOffset.UTC);
  private static final int EVENTS = 240;
  private static final List<String> W_IDS = SinkWrittenPages.ids("w", 0, EVENTS);
  private static final CompactionSettings SETTINGS =
      new CompactionSettings(
          Duration.ofDays(1), 100_000, 6_000, PageFormat.PROTOBUF, Compression.ZSTD);

  @TempDir Path dir;
  RedisReplicaPair redis;
  RedisProcess primary;
  RedisProcess replica;

  @BeforeEach
  void startPrimaryAndReplica() throws Exception {
    redis = RedisReplicaPair.startIn(dir);
    primary = redis.primary();
    replica = redis.replica();
  }

  @AfterEach
  void stopRedis() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void withTheReplicaDownNoSourceIsDeletedAndTheNextRunFinishesOnceItIsBack() throws Exception {
    try (ObjectStore store = new FilesystemObjectStore(dir.resolve("pages"));
        RedisPageIndex index =
            RedisPageIndex.open(
                new RedisSettings(primary.url(), "compact", null, 0)
                    .withReplicaWait(new ReplicaWait(1, Duration.ofSeconds(2))))) {
      SinkWrittenPages.store(store, index, 0, EVENTS, 10, START_MILLIS);
      List<String> sources = keysOfW(store);
      assertThat(sources).hasSize(12);

      // The replica goes down after the first merged page is published, before its sources'
      // entries are removed.
      PageIndex replicaDownBeforeRemoving =
          new ForwardingPageIndex(index) {
            @Override
            public void remove(List<IndexEntry> entries) {
              stopReplica();
              super.remove(entries);
            }

            @Override
            public void close() {
              // the test closes the real one
            }
          };
      assertThatThrownBy(() -> compactor(store, replicaDownBeforeRemoving).run("w", false))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("Cannot remove 4 entries of writer 'w' in redis")
          .hasMessageContaining("the primary has removed them, but 0 of the 1 replicas")
          .hasMessageContaining("a failover now could bring them back");
      assertThat(keysOfW(store))
          .as("the first merge's sources are kept, their removal not replicated")
          .containsAll(sources);
      assertThat(SinkWrittenPages.replay(store, index, "w")).containsExactlyElementsOf(W_IDS);

      // A run while the replica is still down finds nothing left on the primary to remove, but
      // must not take that for a removal the replica has: it deletes nothing either (its publish
      // of the merged page's entry, again, waits first).
      assertThatThrownBy(() -> compactor(store, index).run("w", false))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("but 0 of the 1 replicas");
      assertThat(keysOfW(store)).containsAll(sources);

      replica.start();
      primary.awaitOnlineReplicas(1);
      CompactionReport report = compactor(store, index).run("w", false);

      assertThat(report.finished()).as("the unfinished merge").isEqualTo(1);
      assertThat(keysOfW(store)).hasSize(3).allMatch(CompactedKeys::looksMerged);
      assertThat(index.entries("w", TimeRange.ALL))
          .extracting(IndexEntry::pageKey)
          .containsExactlyInAnyOrderElementsOf(keysOfW(store));
      try (RedisPageIndex onReplica =
          RedisPageIndex.open(new RedisSettings(replica.url(), "compact", null, 0))) {
        assertThat(onReplica.entries("w", TimeRange.ALL))
            .as("what a failover now would leave")
            .extracting(IndexEntry::pageKey)
            .containsExactlyInAnyOrderElementsOf(keysOfW(store));
      }
      assertThat(SinkWrittenPages.replay(store, index, "w")).containsExactlyElementsOf(W_IDS);
    }
  }

  private void stopReplica() {
    try {
      replica.stop();
      primary.awaitOnlineReplicas(0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Compactor compactor(ObjectStore store, PageIndex index) {
    return new Compactor(store, index, WriterPages.fromIndex(index), SETTINGS, NOW);
  }

  private static List<String> keysOfW(ObjectStore store) throws Exception {
    return SinkWrittenPages.keys(store).stream().filter(k -> k.contains("/w/")).toList();
  }
}
