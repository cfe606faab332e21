package io.prism.snapshotter.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.testing.Poll;
import io.prism.snapshotter.testing.RedisProcess;
import io.prism.snapshotter.testing.TestServices;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

/** The contract against Debian's real redis-server, each test under a key prefix of its own. */
class RedisPageIndexIT extends PageIndexContract {
  String prefix;

  @Override
  protected PageIndex newIndex() {
    prefix = "it" + UUID.randomUUID().toString().replace("-", "");
    return RedisPageIndex.open(new RedisSettings(TestServices.redisUrl(), prefix, null, 0));
  }

  @Test
  void entriesLiveUnderTheRfcKeyPatternPlusPartitionAndTopicAsJson() {
    IndexEntry page = entry("w:1", 7, 1_000, 2_000); // partition 3 of "events"
    index.publish(List.of(page));

    try (RedisClient redis = RedisClient.create(TestServices.redisUrl())) {
      // ':' in the writer id (or topic) is percent-encoded: it separates the key's parts.
      String json = redis.get(prefix + ":w%3A1:1000:7:3:events");
      assertThat(IndexEntryJson.read(json)).isEqualTo(page);
      assertThat(json).contains("\"writer_id\":\"w:1\"", "\"page_key\"");
    }
  }

  @Test
  void anEntryUnderTheEarlierKeyWithoutPartitionAndTopicCountsOnceWhenPublishedAgain() {
    IndexEntry page = entry("w1", 5, 1_000, 2_000);
    try (RedisClient redis = RedisClient.create(TestServices.redisUrl())) {
      String legacyKey = prefix + ":w1:1000:5"; // as published before the suffix
      redis.set(legacyKey, IndexEntryJson.write(page));
      redis.zadd(prefix + ".pages:w1", 1_000, legacyKey);
      redis.zadd(prefix + ".span", 1_000, "w1");
      redis.zadd(prefix + ".writers", 0, "w1");

      index.publish(List.of(page)); // a re-delivery or a reindex

      assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(page);
      index.remove(List.of(page));
      assertThat(index.entries("w1", TimeRange.ALL)).isEmpty();
      assertThat(redis.exists(legacyKey)).isFalse();
    }
  }

  @Test
  void aWritersPagesAreFoundWhenItsSpanWasRemovedAsItPublished() {
    // An expiry or a removal found the writer without entries and took it out of the span and
    // writers sets, while a task published the writer's next page: that page must stay findable.
    IndexEntry page = entry("w1", 5, 1_000, 2_000);
    index.publish(List.of(page));
    try (RedisClient redis = RedisClient.create(TestServices.redisUrl())) {
      redis.zrem(prefix + ".span", "w1");
      redis.zrem(prefix + ".writers", "w1");
    }

    assertThat(index.entries("w1", new TimeRange(1_500, 1_600))).containsExactly(page);
    assertThat(index.entries("nobody", TimeRange.ALL)).isEmpty();
  }

  @Test
  void anEntryOfAnotherWriterUnderAKeyWrittenBeforeKeySegmentsIsNotReturned() {
    // Before writer ids and topics were percent-encoded in entry keys, writer "w:1000" could
    // overwrite writer "w"'s entry: the value then names "w:1000" in w's set.
    IndexEntry other = PageIndexContract.slotted("w:1000", 5, 0, 1, "x");
    try (RedisClient redis = RedisClient.create(TestServices.redisUrl())) {
      String collided = prefix + ":w:1000:5:0:1:x";
      redis.set(collided, IndexEntryJson.write(other));
      redis.zadd(prefix + ".pages:w", 1_000, collided);
      redis.zadd(prefix + ".span", 10, "w");
      redis.zadd(prefix + ".writers", 0, "w");
    }

    assertThat(index.entries("w", TimeRange.ALL)).isEmpty();
  }

  @Test
  void aTtlBecomesKeyExpiryCountedFromThePageEnd() {
    try (RedisPageIndex withTtl =
            RedisPageIndex.open(
                new RedisSettings(TestServices.redisUrl(), prefix + "ttl", null, 2),
                Clock.systemUTC());
        RedisClient redis = RedisClient.create(TestServices.redisUrl())) {
      long endedAnHourAgo = System.currentTimeMillis() - 3_600_000;
      IndexEntry recent = entry("w1", 1, endedAnHourAgo - 10, endedAnHourAgo);
      IndexEntry pastTtl = entry("w1", 2, 1_000, 2_000);
      withTtl.publish(List.of(recent, pastTtl));

      assertThat(withTtl.entries("w1", TimeRange.ALL)).containsExactly(recent);
      long ttlMillis = redis.pttl(prefix + "ttl:w1:" + recent.startTime() + ":1:1:events");
      assertThat(ttlMillis).isBetween(2 * 86_400_000L - 3_700_000L, 2 * 86_400_000L - 3_500_000L);
    }
  }

  @Test
  void anEntryEndingNearTheEndOfTimeIsPublishedWithItsTtl() {
    // A producer sending nanoseconds as milliseconds: end time + TTL passed Long.MAX_VALUE and
    // wrapped to a time long past, so the entry was skipped as expired and never indexed.
    try (RedisPageIndex withTtl =
            RedisPageIndex.open(
                new RedisSettings(TestServices.redisUrl(), prefix + "ttl", null, 30),
                Clock.systemUTC());
        RedisClient redis = RedisClient.create(TestServices.redisUrl())) {
      IndexEntry farOff = entry("w1", 1, Long.MAX_VALUE - 1_000, Long.MAX_VALUE - 10);
      withTtl.publish(List.of(farOff));

      assertThat(withTtl.entries("w1", TimeRange.ALL)).containsExactly(farOff);
      assertThat(redis.pttl(withTtl.entryKey(farOff)))
          .as("expires at the end of time, not now")
          .isGreaterThan(Duration.ofDays(365 * 1000).toMillis());
    }
  }

  @Test
  void aServerDownAtOpenIsNoErrorUntilACallNeedsIt() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    URI down = URI.create("redis://127.0.0.1:" + closedPort);
    try (RedisPageIndex index = RedisPageIndex.open(new RedisSettings(down, prefix, null, 0))) {
      assertThatThrownBy(() -> index.publish(List.of(entry("w1", 1, 10, 20))))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("redis://127.0.0.1:" + closedPort);
    }
  }

  @Test
  void aServerStillLoadingItsDataAtOpenIsNoErrorUntilACallNeedsIt(@TempDir Path dir)
      throws Exception {
    try (RedisProcess own = RedisProcess.startIn(dir)) {
      try (RedisClient redis = RedisClient.create(own.url())) {
        // 100,000 keys read back at 50 µs each: about 5 s of -LOADING after the restart. Written
        // 5,000 a script: one script of 100,000 outlasted the client's 2 s timeout on a busy
        // machine.
        for (int from = 1; from <= 100_000; from += 5_000) {
          redis.eval(
              "for i = "
                  + from
                  + ", "
                  + (from + 4_999)
                  + " do redis.call('set', 'filler:' .. i, 'x') end",
              0);
        }
      }
      own.stop();
      own.startLoadingSlowly(50);

      try (RedisPageIndex index =
          RedisPageIndex.open(new RedisSettings(own.url(), prefix, null, 0))) {
        assertThat(own.loading()).as("still loading after open").isTrue();
        assertThatThrownBy(() -> index.publish(List.of(entry("w1", 1, 10, 20))))
            .isInstanceOf(IndexException.class)
            .hasMessageContaining("LOADING");
        Poll.until("Redis loaded", Duration.ofSeconds(30), own::answers);
        index.publish(List.of(entry("w1", 1, 10, 20)));
        assertThat(index.entries("w1", TimeRange.ALL)).hasSize(1);
      }
    }
  }

  @Test
  void anErrorReplyFailsThePublishInsteadOfCountingAsDone(@TempDir Path dir) throws Exception {
    try (RedisProcess own = RedisProcess.startIn(dir);
        RedisClient redis = RedisClient.create(own.url());
        RedisPageIndex index = RedisPageIndex.open(new RedisSettings(own.url(), prefix, null, 0))) {
      redis.configSet("maxmemory-policy", "noeviction");
      redis.configSet("maxmemory", "1"); // every write is refused: -OOM

      assertThatThrownBy(() -> index.publish(List.of(entry("w1", 1, 10, 20))))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("OOM");

      redis.configSet("maxmemory", "0");
      index.publish(List.of(entry("w1", 1, 10, 20)));
      assertThat(index.entries("w1", TimeRange.ALL)).hasSize(1);
    }
  }

  /**
   * A publish writes the entry, its sets and the writer's span: if the server takes some of those
   * writes and refuses the rest (-OOM as memory runs out mid-publish, a restart or failover cutting
   * it short; here an ACL that denies the span's key), the publish fails and must leave nothing. It
   * used to leave the entry and its offsets member without the span: the sink (a partition's new
   * owner) and reindex then took the page as indexed and never published it again, while queries
   * over its later times, bounded by the writer's shorter span, never found it.
   */
  @Test
  void aPublishTheServerRefusesPartWayLeavesNothingBehind() {
    IndexEntry shortPage = entry("w1", 1, 1_000, 2_000); // the writer's span: 1 s
    index.publish(List.of(shortPage));
    String user = "prism-it-" + UUID.randomUUID();
    try (RedisClient redis = RedisClient.create(TestServices.redisUrl())) {
      redis.sendCommand(
          Protocol.Command.ACL,
          "SETUSER",
          user,
          "on",
          ">secret",
          "~" + prefix + ":*",
          "~" + prefix + ".pages:*",
          "~" + prefix + ".offsets:*",
          "~" + prefix + ".writers",
          "+@all");
    }
    URI asUser =
        URI.create(TestServices.redisUrl().toString().replace("redis://", "redis://" + user + "@"));
    IndexEntry longPage = entry("w1", 2, 10_000, 100_000); // partition 2 of "events"
    try (RedisPageIndex denied =
        RedisPageIndex.open(new RedisSettings(asUser, prefix, new Password("secret"), 0))) {
      assertThatThrownBy(() -> denied.publish(List.of(longPage)))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("NOPERM");
    } finally {
      try (RedisClient redis = RedisClient.create(TestServices.redisUrl())) {
        redis.sendCommand(Protocol.Command.ACL, "DELUSER", user);
      }
    }

    assertThat(index.holds(longPage)).as("reindex would publish it").isFalse();
    assertThat(index.entriesFromOffset("events", 2, 0, 10)).isEmpty();
    assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(shortPage);

    index.publish(List.of(longPage)); // the retry
    assertThat(index.entries("w1", new TimeRange(50_000, 60_000))).containsExactly(longPage);
  }

  @Test
  void thePasswordIsSentAndAWrongOneRefusedWithoutShowingIt() {
    String user = "prism-it-" + UUID.randomUUID();
    try (RedisClient redis = RedisClient.create(TestServices.redisUrl())) {
      redis.sendCommand(
          Protocol.Command.ACL, "SETUSER", user, "on", ">right-secret", "~*", "+@all");
    }
    URI asUser =
        URI.create(TestServices.redisUrl().toString().replace("redis://", "redis://" + user + "@"));
    try (RedisPageIndex ok =
        RedisPageIndex.open(new RedisSettings(asUser, prefix, new Password("right-secret"), 0))) {
      ok.publish(List.of(entry("w1", 1, 10, 20)));
      assertThat(ok.entries("w1", TimeRange.ALL)).hasSize(1);
    }
    var wrong = new RedisSettings(asUser, prefix, new Password("not-the-password"), 0);
    assertThatThrownBy(() -> RedisPageIndex.open(wrong))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining("redis://127.0.0.1")
        .hasMessageNotContaining("not-the-password");
  }
}
