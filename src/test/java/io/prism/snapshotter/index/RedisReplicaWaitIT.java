package io.prism.snapshotter.index;

import static io.prism.snapshotter.index.PageIndexContract.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.testing.Poll;
import io.prism.snapshotter.testing.RedisProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
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
  @TempDir Path dir;
  RedisProcess primary;
  RedisProcess replica;
  final String prefix = "wait" + UUID.randomUUID().toString().replace("-", "");

  @BeforeEach
  void startPrimaryAndReplica() throws Exception {
    primary = RedisProcess.startIn(dir.resolve("primary"));
    replica = RedisProcess.startReplicaIn(dir.resolve("replica"), primary);
    primary.awaitOnlineReplicas(1);
  }

  @AfterEach
  void stopAll() throws Exception {
    try {
      replica.stop();
    } finally {
      primary.stop();
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
}
