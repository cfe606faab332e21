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
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.util.SafeEncoder;

/**
 * The Redis index when its address leads to a read-only replica: the old primary after a Sentinel
 * or cluster failover, while a DNS name or VIP still points at it. Two redis-servers of the test's
 * own, a primary and one started as its replica ({@code --replicaof}, read-only as Redis's
 * default).
 */
class RedisReadOnlyIT {
  static final int RECORDS = 4_000;

  @TempDir Path dir;
  RedisReplicaPair redis;
  RedisProcess primary;
  RedisProcess replica;
  ConnectTestCluster cluster;
  CapturedLogs logs;
  final String prefix = "ro" + UUID.randomUUID().toString().replace("-", "");

  @BeforeEach
  void startPrimaryAndReplica() throws Exception {
    redis = RedisReplicaPair.startIn(dir);
    primary = redis.primary();
    replica = redis.replica();
    Poll.until(
        "the replica in sync with its primary",
        Duration.ofSeconds(30),
        () ->
            role(replica)
                .equals(List.of("slave", "127.0.0.1", Long.toString(primary.port()), "connected")));
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
      if (redis != null) {
        redis.close();
      }
    }
  }

  @Test
  void aPublishToAReplicaFailsSayingSoLeavesNothingAndSucceedsOnceItIsPromoted() throws Exception {
    List<IndexEntry> pages = List.of(entry("w1", 1, 1_000, 2_000), entry("w1", 2, 3_000, 4_000));
    try (RedisPageIndex index = open(replica)) {
      // IndexException is what the sink retries (StorageFailures: only a page that cannot be
      // formed,
      // or storage's own fatal errors, stop the task); the end-to-end test below shows it.
      assertThatThrownBy(() -> index.publish(pages))
          .isExactlyInstanceOf(IndexException.class)
          .hasMessageContaining(
              "Cannot publish 2 entries in redis redis://127.0.0.1:" + replica.port() + "/0")
          .hasMessageContaining("READONLY You can't write against a read only replica.")
          .hasMessageContaining("the server at this address is a read-only replica");
      assertThat(dbSize(replica)).as("keys on the replica after the refused publish").isZero();
      assertThat(dbSize(primary)).as("keys on the primary after the refused publish").isZero();

      command(
          replica,
          Protocol.Command.REPLICAOF,
          "NO",
          "ONE"); // promoted: the same address now takes writes
      index.publish(pages);

      assertThat(index.entries("w1", TimeRange.ALL)).containsExactlyElementsOf(pages);
      assertThat(index.entriesFromOffset("events", 1, 0, 100)).containsExactly(pages.get(0));
      assertThat(index.entriesFromOffset("events", 2, 0, 100)).containsExactly(pages.get(1));
    }
  }

  /**
   * A task starting against a replica starts (it may be the old primary at an address that follows
   * the new one seconds later; a task failed for that would wait for a person), says at once what
   * it found, reads what the replica holds, and publishes once the server is promoted.
   */
  @Test
  void anIndexOpenedOnAReplicaStartsSaysItIsAReplicaOfWhichPrimaryAndReads() throws Exception {
    IndexEntry before = entry("w1", 1, 1_000, 2_000);
    try (RedisPageIndex onPrimary = open(primary)) {
      onPrimary.publish(List.of(before));
    }
    awaitReplicated();
    try (CapturedLogs logs = CapturedLogs.capture();
        RedisPageIndex index = open(replica)) {
      String replicaAddress = "redis://127.0.0.1:" + replica.port() + "/0 prefix " + prefix;
      assertThat(logs.lines())
          .anyMatch(
              line ->
                  line.startsWith("WARN ")
                      && line.contains(
                          "Redis index redis "
                              + replicaAddress
                              + " is a replica of 127.0.0.1:"
                              + primary.port()
                              + " (link connected): it refuses writes"));
      assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(before);

      command(replica, Protocol.Command.REPLICAOF, "NO", "ONE");
      IndexEntry after = entry("w1", 2, 3_000, 4_000);
      index.publish(List.of(after));
      assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(before, after);
    }
    try (CapturedLogs logs = CapturedLogs.capture();
        RedisPageIndex index = open(primary)) {
      assertThat(logs.lines()).noneMatch(line -> line.contains("is a replica of"));
    }
  }

  /**
   * ROLE is an @admin command: a user an ACL denies it opens the index on a replica all the same.
   */
  @Test
  void aUserWithoutRoleOpensTheIndexOnAReplicaAndItsPublishStillSaysReadOnly() throws Exception {
    command(
        replica,
        Protocol.Command.ACL,
        "SETUSER",
        "indexer",
        "on",
        ">secret",
        "~*",
        "+@all",
        "-role");
    URI asIndexer = URI.create("redis://indexer@127.0.0.1:" + replica.port() + "/0");
    try (CapturedLogs logs = CapturedLogs.capture();
        RedisPageIndex index =
            RedisPageIndex.open(new RedisSettings(asIndexer, prefix, new Password("secret"), 0))) {
      assertThat(logs.lines()).noneMatch(line -> line.contains("is a replica of"));
      assertThatThrownBy(() -> index.publish(List.of(entry("w1", 1, 1_000, 2_000))))
          .isExactlyInstanceOf(IndexException.class)
          .hasMessageContaining("READONLY You can't write against a read only replica.");
    }
  }

  /**
   * A query drops the sorted-set members whose entry has vanished (expired); a replica refuses that
   * write, and the query must answer anyway: it was failing with -READONLY.
   */
  @Test
  void queriesOnAReplicaAnswerWhenAnEntryHasVanished() throws Exception {
    IndexEntry kept = entry("w1", 1, 1_000, 2_000);
    IndexEntry vanished = entry("w1", 5, 3_000, 4_000); // partition 1, as kept's
    String keptKey;
    try (RedisPageIndex onPrimary = open(primary)) {
      onPrimary.publish(List.of(kept, vanished));
      command(primary, Protocol.Command.DEL, onPrimary.entryKey(vanished)); // as its expiry would
      keptKey = onPrimary.entryKey(kept);
    }
    awaitReplicated();
    try (RedisPageIndex index = open(replica)) {
      assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(kept);
      assertThat(index.entriesFromOffset("events", 1, 0, 100)).containsExactly(kept);
    }
    try (RedisPageIndex onPrimary = open(primary);
        RedisClient redis = RedisClient.create(primary.url())) {
      assertThat(onPrimary.entries("w1", TimeRange.ALL)).containsExactly(kept);
      assertThat(redis.zrange(prefix + ".pages:w1", 0, -1))
          .as("the primary's query tidied")
          .containsExactly(keptKey);
    }
  }

  /**
   * Replay's credentials: an ACL user allowed only reads (not even PING, which opening the index
   * sends) queries an index whose sorted set still names a vanished entry; the query answers,
   * leaving the tidying to the sink's user.
   */
  @Test
  void aReadOnlyAclUserQueriesWhenAnEntryHasVanished() throws Exception {
    IndexEntry kept = entry("w1", 1, 1_000, 2_000);
    IndexEntry vanished = entry("w1", 5, 3_000, 4_000);
    try (RedisPageIndex onPrimary = open(primary)) {
      onPrimary.publish(List.of(kept, vanished));
      command(primary, Protocol.Command.DEL, onPrimary.entryKey(vanished)); // as its expiry would
    }
    command(primary, Protocol.Command.ACL, "SETUSER", "replayer", "on", ">secret", "~*", "+@read");
    URI asReplayer = URI.create("redis://replayer@127.0.0.1:" + primary.port() + "/0");
    try (RedisPageIndex reader =
        RedisPageIndex.open(new RedisSettings(asReplayer, prefix, new Password("secret"), 0))) {
      assertThat(reader.entries("w1", TimeRange.ALL)).containsExactly(kept);
      assertThat(reader.entriesFromOffset("events", 1, 0, 100)).containsExactly(kept);
      assertThatThrownBy(() -> reader.publish(List.of(entry("w1", 9, 5_000, 6_000))))
          .isExactlyInstanceOf(IndexException.class)
          .hasMessageContaining("NOPERM");
    }
  }

  /**
   * Through a real Connect worker: the connector's Redis is demoted to a replica mid-stream for
   * about 20 s (a failover to the other server), then promoted again. Its offsets stay where they
   * were while it refuses writes; the task keeps running; afterwards every record is in exactly one
   * stored page and every page has exactly one entry.
   */
  @Test
  void aSyncConnectorHoldsItsOffsetsWhileItsRedisIsAReplicaAndLosesNothing() throws Exception {
    cluster = ConnectTestCluster.start(1);
    String topic = "readonly-" + UUID.randomUUID().toString().substring(0, 8);
    cluster.createTopic(topic, 2);
    Path storage = dir.resolve("pages");
    Map<String, String> config =
        IndexEndToEndIT.connectorConfig(topic, storage, "redis", "sync", dir, primary.url());
    cluster.startConnector(config);
    IndexEndToEndIT.cluster = cluster;
    // About 40 s of records (100 every second): through the whole read-only time and after it.
    logs = CapturedLogs.capture();
    CompletableFuture<Void> producing =
        CompletableFuture.runAsync(
            () -> IndexEndToEndIT.produce(topic, RECORDS, Duration.ofMillis(1_000)));
    Thread.sleep(5_000);
    FilesystemObjectStore store = new FilesystemObjectStore(storage);
    Set<String> indexedBefore = IndexedPages.indexedPageKeys(store, config);

    failOver(primary, replica); // the connector's address now leads to a read-only replica
    Thread.sleep(5_000); // pages indexed just before may still be committed in this time
    Map<TopicPartition, Long> committedEarly = cluster.committedOffsets();
    Thread.sleep(15_000);
    Map<TopicPartition, Long> committedLate = cluster.committedOffsets();
    Set<String> notIndexedWhileReadOnly = storedPageKeys(store);
    notIndexedWhileReadOnly.removeAll(
        IndexedPages.indexedPageKeys(store, config)); // read from the replica
    List<String> statesWhileReadOnly = cluster.taskStates();
    failOver(replica, primary); // promoted again
    assertThat(producing)
        .as("still producing when the connector's Redis was promoted again")
        .isNotDone();

    assertThat(indexedBefore).as("pages indexed before the failover").isNotEmpty();
    assertThat(committedLate)
        .as("offsets held while Redis was a replica")
        .isEqualTo(committedEarly);
    assertThat(notIndexedWhileReadOnly)
        .as("pages stored but not indexed while Redis was a replica")
        .isNotEmpty();
    assertThat(statesWhileReadOnly).as("tasks while Redis was a replica").containsOnly("RUNNING");
    // The retry's log says why: Redis's reply, the address, and what it means.
    assertThat(logs.lines())
        .anyMatch(
            line ->
                line.startsWith("WARN io.prism.snapshotter.connect.StorageFailures")
                    && line.contains("redis://127.0.0.1:" + primary.port() + "/0")
                    && line.contains("READONLY You can't write against a read only replica.")
                    && line.contains("the server at this address is a read-only replica"));

    producing.get();
    cluster.assertTopicHolds(topic, 2, RECORDS);
    cluster.awaitAllCommitted(topic, 2, Duration.ofSeconds(90));
    ConnectTestCluster.await(
        "every page indexed", Duration.ofSeconds(60), () -> IndexedPages.allIndexed(store, config));
    IndexedPages.assertEveryPageIndexedOnce(store, config);
    assertThat(IndexedPages.indexedPageKeys(store, config))
        .as("entries published before the failover, after it")
        .containsAll(indexedBefore);
    assertThat(StoredPages.distinctEventIds(store)).as("distinct events stored").isEqualTo(RECORDS);
    assertThat(StoredPages.totalEvents(store))
        .as("events stored, each copy counted")
        .isEqualTo(RECORDS);
    assertThat(cluster.taskStates()).containsOnly("RUNNING");
  }

  private static Set<String> storedPageKeys(FilesystemObjectStore store) throws Exception {
    return StoredPages.readAll(store, "").stream()
        .map(StoredPages.StoredPage::key)
        .collect(Collectors.toCollection(HashSet::new));
  }

  private RedisPageIndex open(RedisProcess server) {
    return RedisPageIndex.open(new RedisSettings(server.url(), prefix, null, 0));
  }

  /**
   * {@code from}, a primary with {@code to} as its replica, hands over: Redis's FAILOVER waits
   * until {@code to} has every write {@code from} acknowledged, promotes it and makes {@code from}
   * its replica ({@code REPLICAOF to}) — a failover that loses nothing, so the test can count
   * entries. Then, as Sentinel does on the server it demotes, {@code from}'s clients are
   * disconnected ({@code CLIENT KILL TYPE normal}); they connect anew and meet a replica.
   */
  private static void failOver(RedisProcess from, RedisProcess to) throws Exception {
    command(
        from,
        Protocol.Command.FAILOVER,
        "TO",
        "127.0.0.1",
        Integer.toString(to.port()),
        "TIMEOUT",
        "10000");
    List<String> following =
        List.of("slave", "127.0.0.1", Integer.toString(to.port()), "connected");
    Poll.until(
        from.url() + " a replica of " + to.url(),
        Duration.ofSeconds(30),
        () -> role(from).equals(following) && role(to).get(0).equals("master"));
    command(from, Protocol.Command.CLIENT, "KILL", "TYPE", "normal");
  }

  /** The primary's writes so far are on the replica. */
  private void awaitReplicated() throws InterruptedException {
    primary.awaitReplicatedTo(replica);
  }

  /** ROLE's first four fields, as text: a replica's is [slave, host, port, link state]. */
  private static List<String> role(RedisProcess server) {
    Object reply = command(server, Protocol.Command.ROLE);
    return ((List<?>) reply)
        .stream()
            .limit(4)
            .map(
                field ->
                    field instanceof byte[] bytes
                        ? SafeEncoder.encode(bytes)
                        : String.valueOf(field))
            .toList();
  }

  private static long dbSize(RedisProcess server) {
    try (RedisClient redis = RedisClient.create(server.url())) {
      return redis.dbSize();
    }
  }

  private static Object command(RedisProcess server, Protocol.Command command, String... args) {
    try (RedisClient redis = RedisClient.create(server.url())) {
      return redis.sendCommand(command, args);
    }
  }
}
