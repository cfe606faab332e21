package io.prism.snapshotter.compact;

import static io.prism.snapshotter.compact.SinkWrittenPages.START_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.compact.CrashingStore.Countdown;
import io.prism.snapshotter.compact.CrashingStore.CrashingIndex;
import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.config.StorageConfig;
import io.prism.snapshotter.index.FanOutPageIndex;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.PublishMode;
import io.prism.snapshotter.index.RedisPageIndex;
import io.prism.snapshotter.index.RedisSettings;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.sink.CompactedKeys;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.ObjectStores;
import io.prism.snapshotter.testing.RestartableS3;
import io.prism.snapshotter.testing.TestServices;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compaction against real servers: pages in S3 (S3Proxy), indexed in ClickHouse (Debian's 18.16,
 * whose deletes are asynchronous mutations) with Redis as a secondary index. A run is cut short
 * after a step of each kind; replay through the index then shows each event once, and a second run
 * finishes: storage and both indexes hold only the merged pages.
 */
class CompactionS3IT {
  private static final Clock NOW =
      Clock.fixed(
          Instant.ofEpochMilli(START_MILLIS + Duration.ofDays(30).toMillis()), ZoneOffset.UTC);
  private static final int EVENTS = 240;
  private static final List<String> W_IDS = SinkWrittenPages.ids("w", 0, EVENTS);
  private static final CompactionSettings SETTINGS =
      new CompactionSettings(
          Duration.ofDays(1), 100_000, 6_000, PageFormat.NDJSON, Compression.GZIP);

  static RestartableS3 s3;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = RestartableS3.start();
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  private static Map<String, String> storageSettings(String name) {
    s3.createBucket(name);
    return Map.of(
        "storage.backend",
        "s3",
        "storage.s3.bucket",
        name,
        "storage.s3.endpoint",
        s3.endpoint(),
        "storage.s3.region",
        "us-east-1",
        "storage.s3.path.style",
        "true",
        "storage.s3.access.key",
        RestartableS3.ACCESS_KEY,
        "storage.s3.secret.key",
        RestartableS3.SECRET_KEY);
  }

  private static Map<String, String> indexSettings(String name) {
    return Map.of(
        "index.backend", "clickhouse",
        "index.secondary", "redis",
        "index.clickhouse.url", TestServices.clickHouseUrl().toString(),
        "index.clickhouse.database", "prism_it",
        "index.clickhouse.table", name,
        "index.clickhouse.user", "prism",
        "index.clickhouse.password", "prism-secret",
        "index.redis.url", TestServices.redisUrl().toString(),
        "index.redis.key.prefix", name);
  }

  @Test
  void allWritersCompactsEveryWriterClickHouseLists() throws Exception {
    String name = "a" + UUID.randomUUID().toString().replace("-", "");
    Map<String, String> settings = storageSettings(name);
    try (ObjectStore store = ObjectStores.open(new StorageConfig(settings));
        PageIndex index = new IndexConfig(indexSettings(name)).open(PublishMode.SYNC);
        RedisPageIndex redis =
            RedisPageIndex.open(new RedisSettings(TestServices.redisUrl(), name, null, 0))) {
      SinkWrittenPages.store(store, index, 0, EVENTS, 10, START_MILLIS);
      assertThat(((FanOutPageIndex) index).awaitSecondaries(Duration.ofSeconds(30))).isTrue();
      Compactor compactor =
          new Compactor(store, index, WriterPages.fromIndex(index), SETTINGS, NOW);
      List<String> changed = new java.util.ArrayList<>();
      AllWritersCompaction.Listener listener =
          new AllWritersCompaction.Listener() {
            @Override
            public void compacted(CompactionReport report) {
              changed.add(report.writerId());
            }

            @Override
            public void failed(
                String writerId, AllWritersCompaction.FailureKind kind, Exception cause) {
              throw new AssertionError("writer " + writerId + " failed", cause);
            }
          };

      AllWritersCompaction.Summary summary =
          new AllWritersCompaction(index, compactor).run(false, listener);

      assertThat(changed).containsExactly("other", "w");
      assertThat(summary.writersSeen()).isEqualTo(2);
      assertThat(summary.pagesReplaced()).isEqualTo(24);
      assertThat(summary.failed()).isZero();
      for (String writer : List.of("w", "other")) {
        List<String> stored =
            SinkWrittenPages.keys(store).stream()
                .filter(k -> k.contains("/" + writer + "/"))
                .toList();
        assertThat(stored).hasSize(3).allMatch(CompactedKeys::looksMerged);
        assertThat(index.entries(writer, TimeRange.ALL))
            .extracting(IndexEntry::pageKey)
            .containsExactlyInAnyOrderElementsOf(stored);
        assertThat(redis.entries(writer, TimeRange.ALL))
            .as("the secondary")
            .extracting(IndexEntry::pageKey)
            .containsExactlyInAnyOrderElementsOf(stored);
        assertThat(SinkWrittenPages.replay(store, index, writer))
            .containsExactlyElementsOf(SinkWrittenPages.ids(writer, 0, EVENTS));
      }
      assertThat(new AllWritersCompaction(index, compactor).run(false, listener).writersChanged())
          .isZero();
    }
  }

  /**
   * @param crashAfterStep 1: the first merged page is stored; 2: published; 3: the old entries
   *     removed; 5: two old pages deleted; 8: the second merged page stored
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 8})
  void aRunCutShortIsFinishedByTheNext(int crashAfterStep) throws Exception {
    String name = "c" + UUID.randomUUID().toString().replace("-", "");
    Map<String, String> settings = storageSettings(name);
    Map<String, String> indexSettings = indexSettings(name);
    try (ObjectStore store = ObjectStores.open(new StorageConfig(settings));
        PageIndex index = new IndexConfig(indexSettings).open(PublishMode.SYNC);
        RedisPageIndex redis =
            RedisPageIndex.open(new RedisSettings(TestServices.redisUrl(), name, null, 0))) {
      assertThat(index).isInstanceOf(FanOutPageIndex.class);
      SinkWrittenPages.store(store, index, 0, EVENTS, 10, START_MILLIS);
      assertThat(((FanOutPageIndex) index).awaitSecondaries(Duration.ofSeconds(30))).isTrue();
      assertThat(redis.entries("w", TimeRange.ALL)).hasSize(12);

      Countdown countdown = new Countdown(crashAfterStep);
      Compactor crashing =
          new Compactor(
              new CrashingStore(store, countdown),
              new CrashingIndex(index, countdown),
              WriterPages.fromIndex(index),
              SETTINGS,
              NOW);
      assertThatThrownBy(() -> crashing.run("w", false)).isInstanceOf(CrashingStore.Crash.class);
      assertThat(SinkWrittenPages.replay(store, index, "w")).containsExactlyElementsOf(W_IDS);

      CompactionReport report =
          new Compactor(store, index, WriterPages.fromIndex(index), SETTINGS, NOW).run("w", false);

      assertThat(report.finished())
          .as("merges published but not finished")
          .isEqualTo(crashAfterStep == 2 || crashAfterStep == 3 || crashAfterStep == 5 ? 1 : 0);
      assertThat(report.merges())
          .as("the groups the first run had not published")
          .hasSize(crashAfterStep == 1 ? 3 : 2);
      assertThat(report.merges().stream().filter(CompactionReport.Merge::reused).count())
          .as("merged pages the first run stored but did not publish")
          .isEqualTo(crashAfterStep == 1 || crashAfterStep == 8 ? 1 : 0);
      List<String> stored =
          SinkWrittenPages.keys(store).stream().filter(k -> k.contains("/w/")).toList();
      assertThat(stored)
          .hasSize(3)
          .allMatch(CompactedKeys::looksMerged)
          .allMatch(k -> k.endsWith(".ndjson.gz"));
      assertThat(index.entries("w", TimeRange.ALL))
          .extracting(IndexEntry::pageKey)
          .containsExactlyInAnyOrderElementsOf(stored);
      assertThat(redis.entries("w", TimeRange.ALL))
          .as("the secondary")
          .extracting(IndexEntry::pageKey)
          .containsExactlyInAnyOrderElementsOf(stored);
      assertThat(SinkWrittenPages.replay(store, index, "w")).containsExactlyElementsOf(W_IDS);
      assertThat(SinkWrittenPages.replay(store, null, "w"))
          .as("listing storage")
          .containsExactlyElementsOf(W_IDS);
      assertThat(SinkWrittenPages.replay(store, index, "other"))
          .containsExactlyElementsOf(SinkWrittenPages.ids("other", 0, EVENTS));
    }
  }
}
