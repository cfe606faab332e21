package io.prism.snapshotter.index;

import static io.prism.snapshotter.index.PageIndexContract.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.testing.CapturedLogs;
import io.prism.snapshotter.testing.ConnectTestCluster;
import io.prism.snapshotter.testing.Poll;
import io.prism.snapshotter.testing.RedisProcess;
import io.prism.snapshotter.testing.RedisReplicaPair;
import io.prism.snapshotter.testing.StoredPages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * {@code index.redis.wait.replicas}: a publish counts as done only once that many replicas have its
 * entries (Redis's WAIT), against real processes of the test's own, a primary and its replica.
 */
class RedisReplicaWaitIT {
  static final int RECORDS = 3_000;

  @TempDir Path dir;
  RedisReplicaPair redis;
  RedisProcess primary;
  RedisProcess replica;
  ConnectTestCluster cluster;
  CapturedLogs logs;
  final String prefix = "wait" + UUID.randomUUID().toString().replace("-", "");

  @BeforeEach
  void startPrimaryAndReplica() throws Exception {
    redis = RedisReplicaPair.startIn(dir);
    primary = redis.primary();
    replica = redis.replica();
  }

  @AfterEach
  void stopAll() throws Exception {
    try {
      if (logs != null) {
        logs.close();
      }
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      stopRedis();
    }
  }

  void stopRedis() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  RedisPageIndex open(int replicas, Duration timeout) {
    return RedisPageIndex.open(
        new RedisSettings(primary.url(), prefix, null, 0)
            .withReplicaWait(new ReplicaWait(replicas, timeout)));
  }

  @Test
  void aPublishReturnsWithItsEntriesOnTheReplica() {
    IndexEntry page = entry("w", 1, 1_000, 2_000);
    try (RedisPageIndex index = open(1, Duration.ofSeconds(10))) {
      index.publish(List.of(page));
      try (Jedis onReplica = new Jedis("127.0.0.1", replica.port())) {
        assertThat(onReplica.get(index.entryKey(page))).isNotNull();
      }
    }
  }

  @Test
  void withTheReplicaDownAPublishFailsSayingHowManyAcknowledgedAndGoesThroughOnceItIsBack()
      throws Exception {
    IndexEntry page = entry("w", 1, 1_000, 2_000);
    try (RedisPageIndex index = open(1, Duration.ofMillis(300))) {
      replica.stop();
      primary.awaitOnlineReplicas(0);
      assertThatThrownBy(() -> index.publish(List.of(page)))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("Cannot publish 1 entries in redis redis://127.0.0.1:")
          .hasMessageContaining("the primary has them, but 0 of the 1 replicas")
          .hasMessageContaining("index.redis.wait.replicas")
          .hasMessageContaining("within 300 ms (index.redis.wait.timeout.ms)");

      replica.start(); // a replica again, as it was started
      primary.awaitOnlineReplicas(1);
      // As the sink retries it: the same entries again.
      Poll.until(
          "a publish acknowledged by the replica",
          Duration.ofSeconds(30),
          () -> {
            try {
              index.publish(List.of(page));
              return true;
            } catch (IndexException notYet) {
              return false;
            }
          });
      assertThat(index.entries("w", TimeRange.ALL)).containsExactly(page);
      try (Jedis onReplica = new Jedis("127.0.0.1", replica.port())) {
        assertThat(onReplica.get(index.entryKey(page))).isNotNull();
      }
    }
  }

  @Test
  void withTheReplicaDownARemovalFailsSayingSoAndTheReplicaCatchesUpOnceBack() throws Exception {
    IndexEntry kept = entry("w", 1, 1_000, 2_000);
    IndexEntry removed = entry("w", 2, 3_000, 4_000);
    try (RedisPageIndex index = open(1, Duration.ofSeconds(2))) {
      index.publish(List.of(kept, removed));
      replica.stop();
      primary.awaitOnlineReplicas(0);

      assertThatThrownBy(() -> index.remove(List.of(removed)))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("Cannot remove 1 entries of writer 'w' in redis redis://127.0.0.1:")
          .hasMessageContaining("the primary has removed them, but 0 of the 1 replicas")
          .hasMessageContaining("within 2000 ms (index.redis.wait.timeout.ms)")
          .hasMessageContaining("a failover now could bring them back");
      assertThat(index.entries("w", TimeRange.ALL)).containsExactly(kept);
      // Retried, as a compaction's next run does: nothing left on the primary, but the replica
      // still lacks the first removal, so the retry fails too.
      assertThatThrownBy(() -> index.remove(List.of(removed)))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("Cannot remove 1 entries of writer 'w' in redis redis://127.0.0.1:")
          .hasMessageContaining(
              "the primary holds none of them (removed before), but 0 of the 1 replicas");

      replica.start();
      primary.awaitOnlineReplicas(1);
      index.remove(List.of(removed)); // acknowledged: the replica has the first removal
      primary.awaitReplicatedTo(replica);
      try (RedisPageIndex onReplica =
          RedisPageIndex.open(new RedisSettings(replica.url(), prefix, null, 0))) {
        assertThat(onReplica.entries("w", TimeRange.ALL)).containsExactly(kept);
      }
    }
  }

  @Test
  void expiringEntriesWaitsForTheReplicaToo() throws Exception {
    IndexEntry old = entry("w", 1, 1_000, 2_000);
    try (RedisPageIndex index = open(1, Duration.ofSeconds(2))) {
      index.publish(List.of(old));
      replica.stop();
      primary.awaitOnlineReplicas(0);
      assertThatThrownBy(() -> index.expireBefore(10_000))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("the primary has removed them, but 0 of the 1 replicas");
    }
  }

  @Test
  void moreReplicasThanThereAreFailEveryPublishSayingHowManyThereWere() {
    try (RedisPageIndex index = open(2, Duration.ofSeconds(2))) {
      assertThatThrownBy(() -> index.publish(List.of(entry("w", 1, 1_000, 2_000))))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("1 of the 2 replicas");
    }
  }

  @Test
  void withoutAWaitAPublishDoesNotWaitForAReplicaThatIsDown() throws Exception {
    replica.stop();
    primary.awaitOnlineReplicas(0);
    try (RedisPageIndex index =
        RedisPageIndex.open(new RedisSettings(primary.url(), prefix, null, 0))) {
      index.publish(List.of(entry("w", 1, 1_000, 2_000)));
      assertThat(index.entries("w", TimeRange.ALL)).hasSize(1);
    }
  }

  /**
   * Through a real Connect worker whose Redis index waits for one replica: while the replica is
   * down (about 15 s, mid-stream) the offsets stay where they were and the task keeps running;
   * afterwards every record is in exactly one stored page, and the replica holds every entry.
   */
  @Test
  void aSyncConnectorHoldsItsOffsetsWhileTheReplicaItWaitsForIsDownAndLosesNothing()
      throws Exception {
    cluster = ConnectTestCluster.start(1);
    String topic = "wait-" + UUID.randomUUID().toString().substring(0, 8);
    cluster.createTopic(topic, 2);
    Path storage = dir.resolve("pages");
    Map<String, String> config =
        new HashMap<>(
            IndexEndToEndIT.connectorConfig(topic, storage, "redis", "sync", dir, primary.url()));
    config.put("index.redis.wait.replicas", "1");
    config.put("index.redis.wait.timeout.ms", "500");
    cluster.startConnector(config);
    IndexEndToEndIT.cluster = cluster;
    // About 30 s of records (100 every second): through the replica's outage and after it.
    logs = CapturedLogs.capture();
    CompletableFuture<Void> producing =
        CompletableFuture.runAsync(
            () -> IndexEndToEndIT.produce(topic, RECORDS, Duration.ofMillis(1_000)));
    Thread.sleep(5_000);
    FilesystemObjectStore store = new FilesystemObjectStore(storage);
    assertThat(IndexedPages.indexedPageKeys(store, config))
        .as("pages indexed before the replica stopped")
        .isNotEmpty();

    replica.stop();
    Thread.sleep(5_000); // pages acknowledged just before may still be committed in this time
    Map<TopicPartition, Long> committedEarly = cluster.committedOffsets();
    Thread.sleep(10_000);
    Map<TopicPartition, Long> committedLate = cluster.committedOffsets();
    List<String> statesWhileDown = cluster.taskStates();
    replica.start();
    assertThat(producing).as("still producing when the replica came back").isNotDone();

    assertThat(committedLate)
        .as("offsets held while the replica was down")
        .isEqualTo(committedEarly);
    assertThat(statesWhileDown).as("tasks while the replica was down").containsOnly("RUNNING");
    assertThat(logs.lines())
        .anyMatch(
            line ->
                line.startsWith("WARN io.prism.snapshotter.connect.StorageFailures")
                    && line.contains("0 of the 1 replicas index.redis.wait.replicas asks for"));

    producing.get();
    cluster.assertTopicHolds(topic, 2, RECORDS);
    cluster.awaitAllCommitted(topic, 2, Duration.ofSeconds(90));
    ConnectTestCluster.await(
        "every page indexed", Duration.ofSeconds(60), () -> IndexedPages.allIndexed(store, config));
    IndexedPages.assertEveryPageIndexedOnce(store, config);
    assertThat(StoredPages.distinctEventIds(store)).as("distinct events stored").isEqualTo(RECORDS);
    // Every entry on the replica too, as a failover now would find them.
    Map<String, String> onReplica = new HashMap<>(config);
    onReplica.put("index.redis.url", replica.url().toString());
    assertThat(IndexedPages.indexedPageKeys(store, onReplica))
        .as("entries on the replica")
        .isEqualTo(IndexedPages.indexedPageKeys(store, config));
    assertThat(cluster.taskStates()).containsOnly("RUNNING");
  }
}
