package io.prism.snapshotter.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.testing.ConnectTestCluster;
import io.prism.snapshotter.testing.StoredPages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An index server stopped for 30 s while records stream in (about 60 s of them), through a real
 * Connect worker, with one connector in each publish mode (both through the same outage): nothing
 * is lost, and afterwards every stored page has exactly one index entry. And a connector started
 * while the server is down runs, and indexes every page once it is back. One subclass per backend
 * whose server a test can stop and start again.
 */
abstract class IndexOutageScenarios {
  static final String SYNC = "sync-connector";
  static final String ASYNC = "async-connector";
  static final int RECORDS = 6_000;

  ConnectTestCluster cluster;
  @TempDir Path dir;

  /** {@code index.backend}. */
  abstract String backend();

  /**
   * The connector config of {@link IndexEndToEndIT#connectorConfig}, pointed at the server this
   * test stops.
   */
  abstract Map<String, String> connectorConfig(String topic, Path storage, String mode);

  /** Stops the index server, and returns once it no longer answers. */
  abstract void stopIndex() throws Exception;

  /** Starts the index server again, with the data it had, and returns once it answers. */
  abstract void startIndex() throws Exception;

  /** After the cluster is closed: leave the server as the next test expects it. */
  abstract void restoreIndex() throws Exception;

  @AfterEach
  void cleanUp() throws Exception {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      restoreIndex();
    }
  }

  @Test
  void anOutageLosesNothingInEitherPublishMode() throws Exception {
    cluster = ConnectTestCluster.start(1);
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String syncTopic = "outage-sync-" + suffix;
    String asyncTopic = "outage-async-" + suffix;
    cluster.createTopic(syncTopic, 2);
    cluster.createTopic(asyncTopic, 2);
    Map<String, String> syncConfig = connectorConfig(syncTopic, dir.resolve("sync-pages"), "sync");
    Map<String, String> asyncConfig =
        connectorConfig(asyncTopic, dir.resolve("async-pages"), "async");
    cluster.connect().configureConnector(SYNC, syncConfig);
    cluster.connect().configureConnector(ASYNC, asyncConfig);
    awaitTasksRunning(SYNC);
    awaitTasksRunning(ASYNC);

    IndexEndToEndIT.cluster = cluster;
    CompletableFuture<Void> producing =
        CompletableFuture.allOf(
            CompletableFuture.runAsync(
                () -> IndexEndToEndIT.produce(syncTopic, RECORDS, Duration.ofMillis(1_000))),
            CompletableFuture.runAsync(
                () -> IndexEndToEndIT.produce(asyncTopic, RECORDS, Duration.ofMillis(1_000))));
    FilesystemObjectStore syncStore = new FilesystemObjectStore(dir.resolve("sync-pages"));
    FilesystemObjectStore asyncStore = new FilesystemObjectStore(dir.resolve("async-pages"));
    // Not a fixed sleep: on a loaded machine the first pages can take longer than any guess. The
    // records keep coming for about 60 s, so the outage below still falls inside them.
    ConnectTestCluster.await(
        "first pages indexed (sync) and stored (async) before the outage",
        Duration.ofSeconds(20),
        () -> {
          try {
            return !IndexedPages.indexedPageKeys(syncStore, syncConfig).isEmpty()
                && !StoredPages.readAll(asyncStore, "").isEmpty();
          } catch (Exception e) {
            throw new AssertionError("reading the pages and index entries so far failed", e);
          }
        });
    int syncPagesBefore = StoredPages.readAll(syncStore, "").size();
    int asyncPagesBefore = StoredPages.readAll(asyncStore, "").size();
    Set<String> syncIndexedBefore = IndexedPages.indexedPageKeys(syncStore, syncConfig);

    // Records keep coming for about 60 s: through the whole outage.
    stopIndex();
    Thread.sleep(5_000); // pages indexed just before the stop may still be committed in this time
    Map<TopicPartition, Long> syncCommittedEarly = cluster.committedOffsetsOf(SYNC);
    Map<TopicPartition, Long> asyncCommittedEarly = cluster.committedOffsetsOf(ASYNC);
    Thread.sleep(25_000);
    Map<TopicPartition, Long> syncCommittedLate = cluster.committedOffsetsOf(SYNC);
    Map<TopicPartition, Long> asyncCommittedLate = cluster.committedOffsetsOf(ASYNC);
    int asyncPagesDuring = StoredPages.readAll(asyncStore, "").size();
    startIndex();
    assertThat(producing).as("still producing when the %s index came back", backend()).isNotDone();
    // What was indexed before the stop is there after the restart (nothing re-publishes it: its
    // offsets are committed).
    assertThat(syncIndexedBefore).as("sync pages indexed before the outage").isNotEmpty();
    assertThat(IndexedPages.indexedPageKeys(syncStore, syncConfig))
        .as("entries published before the outage, after the restart")
        .containsAll(syncIndexedBefore);
    // sync: no offset passes a page that could not be indexed; async: offsets follow stored pages.
    assertThat(syncCommittedLate)
        .as("sync offsets held during the outage")
        .isEqualTo(syncCommittedEarly);
    assertThat(sum(asyncCommittedLate))
        .as("async offsets advance during the outage")
        .isGreaterThan(sum(asyncCommittedEarly));

    producing.get();
    awaitAllCommitted(SYNC, syncTopic);
    awaitAllCommitted(ASYNC, asyncTopic);
    ConnectTestCluster.await(
        "every sync page indexed",
        Duration.ofSeconds(90),
        () -> IndexedPages.allIndexed(syncStore, syncConfig));
    ConnectTestCluster.await(
        "every async page indexed",
        Duration.ofSeconds(90),
        () -> IndexedPages.allIndexed(asyncStore, asyncConfig));
    IndexedPages.assertEveryPageIndexedOnce(syncStore, syncConfig);
    IndexedPages.assertEveryPageIndexedOnce(asyncStore, asyncConfig);

    assertThat(syncPagesBefore).isPositive();
    assertThat(asyncPagesDuring)
        .as("async stores pages during the outage")
        .isGreaterThan(asyncPagesBefore);
    assertThat(StoredPages.totalEvents(syncStore))
        .as("sync: no event lost")
        .isGreaterThanOrEqualTo(RECORDS);
    assertThat(StoredPages.totalEvents(asyncStore))
        .as("async: no event lost")
        .isGreaterThanOrEqualTo(RECORDS);
    assertThat(StoredPages.distinctEventIds(syncStore)).isEqualTo(RECORDS);
    assertThat(StoredPages.distinctEventIds(asyncStore)).isEqualTo(RECORDS);
  }

  @Test
  void aConnectorStartedWhileTheIndexIsDownRunsAndIndexesEveryPageOnceItIsBack() throws Exception {
    cluster = ConnectTestCluster.start(1);
    String topic = "down-at-start-" + UUID.randomUUID().toString().substring(0, 8);
    cluster.createTopic(topic, 2);
    Map<String, String> config = connectorConfig(topic, dir.resolve("pages"), "sync");
    stopIndex();
    cluster.connect().configureConnector(SYNC, config);
    IndexEndToEndIT.cluster = cluster;
    IndexEndToEndIT.produce(topic, 2_000, Duration.ofMillis(1));
    awaitTasksRunning(SYNC);
    Thread.sleep(5_000);
    assertThat(cluster.taskStates(SYNC))
        .as("tasks keep running while the %s index is down", backend())
        .containsOnly("RUNNING");

    startIndex();
    awaitAllCommitted(SYNC, topic);
    FilesystemObjectStore store = new FilesystemObjectStore(dir.resolve("pages"));
    ConnectTestCluster.await(
        "every page indexed", Duration.ofSeconds(90), () -> IndexedPages.allIndexed(store, config));
    IndexedPages.assertEveryPageIndexedOnce(store, config);
    assertThat(StoredPages.distinctEventIds(store)).isEqualTo(2_000);
  }

  private void awaitTasksRunning(String connector) {
    ConnectTestCluster.await(
        connector + ": both tasks running",
        Duration.ofSeconds(60),
        () -> {
          var states = cluster.taskStates(connector);
          return states.size() == 2 && states.stream().allMatch("RUNNING"::equals);
        });
  }

  private static long sum(Map<TopicPartition, Long> offsets) {
    return offsets.values().stream().mapToLong(Long::longValue).sum();
  }

  private void awaitAllCommitted(String connector, String topic) {
    cluster.awaitAllCommitted(connector, topic, 2, Duration.ofSeconds(120));
  }
}
