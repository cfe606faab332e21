package io.prism.snapshotter.index;

import static io.prism.snapshotter.index.PageIndexContract.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.testing.CapturedLogs;
import io.prism.snapshotter.testing.Poll;
import io.prism.snapshotter.testing.RedisProcess;
import io.prism.snapshotter.testing.RedisReplicaPair;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * The Redis index found through Sentinel ({@code redis-sentinel://...#master}), against real
 * processes of the test's own: a primary, its replica, and one sentinel (quorum 1) watching them,
 * all from the redis-server that bin/test installs. After a failover the sentinel leads the index
 * to the new primary, with no new index object and no entry lost.
 */
class RedisSentinelIT {
  static final String MASTER = "prism-index";

  @TempDir Path dir;
  RedisProcess primary;
  RedisProcess replica;
  RedisReplicaPair redis;
  Process sentinel;
  int sentinelPort;
  final String prefix = "sent" + UUID.randomUUID().toString().replace("-", "");

  @BeforeEach
  void startPrimaryReplicaAndSentinel() throws Exception {
    redis = RedisReplicaPair.startIn(dir);
    primary = redis.primary();
    replica = redis.replica();
    try (ServerSocket socket = new ServerSocket(0)) {
      sentinelPort = socket.getLocalPort();
    }
    startSentinel(null);
  }

  /** A sentinel on {@link #sentinelPort}, asking for {@code password} when not null. */
  void startSentinel(String password) throws Exception {
    startSentinel(null, password, password == null ? "" : "requirepass " + password);
  }

  /**
   * A sentinel on {@link #sentinelPort} with {@code settings} in its configuration, which the
   * test's own connections sign in to as {@code user} (null: the default user) with {@code
   * password} (null: none).
   */
  void startSentinel(String user, String password, String... settings) throws Exception {
    Path conf = dir.resolve("sentinel.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "port " + sentinelPort,
            "bind 127.0.0.1",
            "dir " + dir,
            String.join("\n", settings),
            "sentinel monitor " + MASTER + " 127.0.0.1 " + primary.port() + " 1",
            "sentinel down-after-milliseconds " + MASTER + " 1000",
            "sentinel failover-timeout " + MASTER + " 5000",
            ""));
    sentinel =
        new ProcessBuilder("redis-server", conf.toString(), "--sentinel")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sentinel.log").toFile())
            .start();
    Poll.until(
        "the sentinel to see the replica",
        Duration.ofSeconds(30),
        () -> {
          try (Jedis s = new Jedis("127.0.0.1", sentinelPort)) {
            if (user != null) {
              s.auth(user, password);
            } else if (password != null) {
              s.auth(password);
            }
            return !s.sentinelReplicas(MASTER).isEmpty();
          } catch (RuntimeException notYet) {
            return false;
          }
        });
  }

  @AfterEach
  void stopAll() throws Exception {
    try {
      if (sentinel != null) {
        sentinel.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  URI url() {
    return URI.create("redis-sentinel://127.0.0.1:" + sentinelPort + "/0#" + MASTER);
  }

  HostAndPort primaryNamedBySentinel() {
    try (Jedis s = new Jedis("127.0.0.1", sentinelPort)) {
      return s.sentinelGetMasterAddrByName(MASTER).stream()
          .reduce((host, port) -> host + ":" + port)
          .map(HostAndPort::from)
          .orElseThrow();
    }
  }

  @Test
  void theIndexFollowsTheSentinelsToTheNewPrimaryAfterAFailover() throws Exception {
    List<IndexEntry> before = List.of(entry("w", 1, 1_000, 2_000), entry("w", 2, 3_000, 4_000));
    List<IndexEntry> after = List.of(entry("w", 3, 5_000, 6_000));
    try (CapturedLogs logs = CapturedLogs.capture();
        RedisPageIndex index = RedisPageIndex.open(new RedisSettings(url(), prefix, null, 0))) {
      assertThat(logs.lines())
          .anySatisfy(
              line ->
                  assertThat(line)
                      .contains(
                          "Redis page index at redis redis-sentinel://127.0.0.1:" + sentinelPort)
                      .contains("its primary now 127.0.0.1:" + primary.port()));
      assertThat(logs.lines()).noneSatisfy(line -> assertThat(line).contains("RESP3"));
      index.publish(before);
      assertThat(index.entries("w", TimeRange.ALL)).containsExactlyElementsOf(before);
      // Replication is asynchronous: a failover before the replica has them would lose them
      // (see INDEX.md). Wait until it has. Not with WAIT: that waits only for the writes of its
      // own connection.
      primary.awaitReplicatedTo(replica);

      // Refused (NOGOODSLAVE) until the sentinel has judged the replica fit to promote.
      Poll.until(
          "the sentinel to start a failover",
          Duration.ofSeconds(30),
          () -> {
            try (Jedis s = new Jedis("127.0.0.1", sentinelPort)) {
              s.sentinelFailover(MASTER);
              return true;
            } catch (RuntimeException notYet) {
              return false;
            }
          });
      Poll.until(
          "the sentinel to name the replica the primary",
          Duration.ofSeconds(30),
          () -> primaryNamedBySentinel().getPort() == replica.port());
      // Until the sentinel has made the old primary a replica, it still takes writes, which its
      // resync then drops: Redis's asynchronous failover, whoever the client (see INDEX.md).
      Poll.until(
          "the old primary to be a replica of the new one",
          Duration.ofSeconds(30),
          () -> {
            try (Jedis old = new Jedis("127.0.0.1", primary.port())) {
              return old.role().get(0).equals("slave");
            } catch (RuntimeException notYet) {
              return false;
            }
          });

      // Publishes during the switch fail (the old primary is read-only or gone) and are retried,
      // as the sink retries them.
      Poll.until(
          "a publish to go through to the new primary",
          Duration.ofSeconds(30),
          () -> {
            try {
              index.publish(after);
              return true;
            } catch (IndexException duringTheSwitch) {
              return false;
            }
          });
      List<IndexEntry> all = new ArrayList<>(before);
      all.addAll(after);
      assertThat(index.entries("w", TimeRange.ALL)).containsExactlyElementsOf(all);
    }
    // Every entry is on the new primary, written there or replicated to it before the switch.
    try (RedisPageIndex direct =
        RedisPageIndex.open(new RedisSettings(replica.url(), prefix, null, 0))) {
      assertThat(direct.entries("w", TimeRange.ALL)).hasSize(3);
    }
  }

  /** The wait for replicas asks on the connection to the primary the sentinels name. */
  @Test
  void aPublishThroughTheSentinelsWaitsForTheReplicasItAsksFor() throws Exception {
    primary.awaitOnlineReplicas(1);
    IndexEntry page = entry("w", 1, 1_000, 2_000);
    RedisSettings settings = new RedisSettings(url(), prefix, null, 0);
    try (RedisPageIndex one =
            RedisPageIndex.open(
                settings.withReplicaWait(new ReplicaWait(1, Duration.ofSeconds(10))));
        RedisPageIndex two =
            RedisPageIndex.open(
                settings.withReplicaWait(new ReplicaWait(2, Duration.ofSeconds(2))))) {
      one.publish(List.of(page));
      try (Jedis onReplica = new Jedis("127.0.0.1", replica.port())) {
        assertThat(onReplica.get(one.entryKey(page))).isNotNull();
      }
      assertThatThrownBy(() -> two.publish(List.of(page)))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("1 of the 2 replicas");
    }
  }

  @Test
  void sentinelsThatAskForAPasswordAreGivenTheirOwnAndARefusalIsSaidAtOnce() throws Exception {
    sentinel.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    startSentinel("sentinel-secret");
    RedisSettings settings = new RedisSettings(url(), prefix, null, 0);
    assertThatThrownBy(() -> RedisPageIndex.open(settings))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining(
            "Cannot find the primary of redis-sentinel://127.0.0.1:" + sentinelPort)
        .hasMessageContaining("refuse without one: index.redis.sentinel.password")
        .hasMessageNotContaining("sentinel-secret");
    try (RedisPageIndex index =
        RedisPageIndex.open(settings.withSentinelPassword(new Password("sentinel-secret")))) {
      IndexEntry page = entry("w", 1, 1_000, 2_000);
      index.publish(List.of(page));
      assertThat(index.entries("w", TimeRange.ALL)).containsExactly(page);
    }
  }

  @Test
  void sentinelsThatAdmitOnlyAnAclUserAreSignedInToAsThatUser() throws Exception {
    sentinel.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    startSentinel(
        "prism",
        "acl-secret",
        "user default off",
        "user prism on >acl-secret allcommands allchannels");
    RedisSettings settings = new RedisSettings(url(), prefix, null, 0);
    // The right password for the wrong user (the default one, switched off), then a wrong user.
    for (RedisSettings refused :
        List.of(
            settings.withSentinelPassword(new Password("acl-secret")),
            settings.withSentinelCredentials("someone", new Password("acl-secret")))) {
      assertThatThrownBy(() -> RedisPageIndex.open(refused))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining(
              "Cannot find the primary of redis-sentinel://127.0.0.1:" + sentinelPort)
          .hasMessageContaining("the sentinels answer")
          .hasMessageNotContaining("acl-secret");
    }
    try (RedisPageIndex index =
        RedisPageIndex.open(
            settings.withSentinelCredentials("prism", new Password("acl-secret")))) {
      IndexEntry page = entry("w", 1, 1_000, 2_000);
      index.publish(List.of(page));
      assertThat(index.entries("w", TimeRange.ALL)).containsExactly(page);
    }
  }

  /** As with a Redis server that is down at open: a Connect task starts and retries. */
  @Test
  void sentinelsDownWhenTheIndexOpensAreAskedAgainByLaterCalls() throws Exception {
    sentinel.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    IndexEntry page = entry("w", 1, 1_000, 2_000);
    try (CapturedLogs logs = CapturedLogs.capture();
        RedisPageIndex index = RedisPageIndex.open(new RedisSettings(url(), prefix, null, 0))) {
      assertThat(logs.lines())
          .anySatisfy(
              line ->
                  assertThat(line)
                      .contains(
                          "none of its sentinels [127.0.0.1:" + sentinelPort + "] answers now"));
      assertThatThrownBy(() -> index.publish(List.of(page)))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining(
              "Cannot publish 1 entries in redis redis-sentinel://127.0.0.1:" + sentinelPort);

      startSentinel(null);
      index.publish(List.of(page));
      assertThat(index.entries("w", TimeRange.ALL)).containsExactly(page);
      assertThat(logs.lines())
          .anySatisfy(line -> assertThat(line).contains("its sentinels answer now"));
    }
  }

  @Test
  void aSentinelPasswordWithoutSentinelsIsRefused() {
    assertThatThrownBy(
            () ->
                new RedisSettings(primary.url(), prefix, null, 0)
                    .withSentinelPassword(new Password("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index.redis.sentinel.password is given but Redis URL redis://");
  }

  @Test
  void aMasterNameTheSentinelsDoNotKnowIsSaidAtOnce() {
    URI unknown = URI.create("redis-sentinel://127.0.0.1:" + sentinelPort + "/0#no-such-master");
    assertThatThrownBy(() -> RedisPageIndex.open(new RedisSettings(unknown, prefix, null, 0)))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining(
            "Cannot find the primary of redis-sentinel://127.0.0.1:" + sentinelPort)
        .hasMessageContaining("#no-such-master");
  }
}
