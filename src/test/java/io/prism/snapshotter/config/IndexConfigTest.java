package io.prism.snapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.index.IndexBackend;
import io.prism.snapshotter.index.IndexDecorator;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.PublishMode;
import io.prism.snapshotter.index.QueuedPageIndex;
import io.prism.snapshotter.index.ReplicaWait;
import io.prism.snapshotter.index.SqlitePageIndex;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsAreAnEmbeddedSqliteFilePublishedSynchronously() {
    IndexConfig config = new IndexConfig(Map.of());
    assertThat(config.backend()).isEqualTo(IndexBackend.SQLITE);
    assertThat(config.sqlitePath()).isEqualTo(Path.of("./data/index.db"));
    assertThat(config.publishMode()).isEqualTo(PublishMode.SYNC);
    assertThat(config.ttlDays()).isZero();
    assertThat(config.secondaries()).isEmpty();
    assertThat(config.crossKeyErrors()).isEmpty();
  }

  @Test
  void opensTheConfiguredBackendInTheConfiguredMode() {
    String path = dir.resolve("index.db").toString();
    try (PageIndex sync = new IndexConfig(Map.of("index.sqlite.path", path)).open()) {
      assertThat(sync).isInstanceOf(SqlitePageIndex.class);
    }
    try (PageIndex async =
        new IndexConfig(Map.of("index.sqlite.path", path, "index.publish.mode", "ASYNC")).open()) {
      assertThat(async).isInstanceOf(QueuedPageIndex.class);
      assertThat(async.describe()).contains(path, "async");
    }
  }

  /**
   * Replay and pages list only read: no publish queue and its thread, no scheduled expiry (which
   * would delete entries in a replay running past a minute), no secondary (not even connected).
   */
  @Test
  void openedForReadingItIsThePrimaryAloneWithNothingThatWrites() {
    String path = dir.resolve("index.db").toString();
    new IndexConfig(Map.of("index.sqlite.path", path)).open().close(); // as the sink made it
    IndexConfig config =
        new IndexConfig(
            Map.of(
                "index.sqlite.path", path,
                "index.publish.mode", "ASYNC",
                "index.ttl.days", "30",
                "index.secondary", "redis",
                "index.redis.url", "redis://127.0.0.1:1"));

    try (PageIndex reading = config.openForReading()) {
      assertThat(reading).isInstanceOf(SqlitePageIndex.class);
      assertThat(reading.entries("w", io.prism.snapshotter.index.TimeRange.ALL)).isEmpty();
    }
  }

  /**
   * Reading opens the primary alone, so a SQLite secondary's missing file does not stop it; a
   * command that publishes or repairs (which reaches the secondaries) still requires it.
   */
  @Test
  void aSqliteSecondaryNotThereStopsOnlyCommandsThatReachTheSecondaries() {
    Path missing = dir.resolve("secondary.db");
    IndexConfig config =
        new IndexConfig(
            Map.of(
                "index.backend", "redis",
                "index.redis.url", "redis://127.0.0.1:1",
                "index.secondary", "sqlite",
                "index.sqlite.path", missing.toString()));

    config.requirePrimaryExisting();
    assertThatThrownBy(config::requireExisting)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("index.sqlite.path")
        .hasMessageContaining(missing.toString());
    assertThat(missing).doesNotExist();
  }

  @Test
  void aSqlitePrimaryNotThereStopsReading() {
    Path missing = dir.resolve("index.db");
    IndexConfig config = new IndexConfig(Map.of("index.sqlite.path", missing.toString()));

    assertThatThrownBy(config::requirePrimaryExisting)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(missing.toString());
    assertThatThrownBy(config::openForReading).isInstanceOf(ConfigException.class);
    assertThat(missing).doesNotExist();
  }

  @Test
  void aSecondaryOfNoIndexIsRefusedOnBothKeys() {
    IndexConfig config =
        new IndexConfig(Map.of("index.backend", "none", "index.secondary", "sqlite"));

    assertThat(config.crossKeyErrors())
        .containsOnlyKeys("index.backend", "index.secondary")
        .allSatisfy(
            (key, messages) ->
                assertThat(messages)
                    .anySatisfy(
                        message ->
                            assertThat(message)
                                .contains(
                                    "index.backend is none", "make sqlite the index.backend")));
  }

  /** What check opens when a SQLite secondary's file is not there yet: the rest, as they were. */
  @Test
  void withoutASecondaryTheOtherSettingsStay() {
    IndexConfig config =
        new IndexConfig(
            Map.of(
                "index.backend", "clickhouse",
                "index.clickhouse.url", "http://ch:8123",
                "index.secondary", "sqlite, redis",
                "index.redis.url", "redis://r:6379",
                "index.ttl.days", "7"));

    IndexConfig without = config.withoutSecondary(IndexBackend.SQLITE);

    assertThat(without.secondaries()).containsExactly(IndexBackend.REDIS);
    assertThat(without.backend()).isEqualTo(IndexBackend.CLICKHOUSE);
    assertThat(without.redis().url()).hasToString("redis://r:6379");
    assertThat(without.ttlDays()).isEqualTo(7);
    assertThat(config.secondaries()).containsExactly(IndexBackend.SQLITE, IndexBackend.REDIS);
  }

  @Test
  void theDecoratorWrapsEachPartByWhereItsPublishesComeFrom() {
    String path = dir.resolve("index.db").toString();
    List<String> seen = new ArrayList<>();
    IndexDecorator recording =
        (part, from) -> {
          seen.add(from + " " + part.getClass().getSimpleName());
          return part;
        };
    IndexConfig config = new IndexConfig(Map.of("index.sqlite.path", path));
    try (PageIndex sync = config.open(PublishMode.SYNC, recording)) {
      assertThat(seen).containsExactly("TASK_TO_INDEX SqlitePageIndex");
    }
    seen.clear();
    try (PageIndex async = config.open(PublishMode.ASYNC, recording)) {
      assertThat(seen)
          .containsExactly(
              "BACKGROUND_TO_PRIMARY SqlitePageIndex", "TASK_TO_QUEUE QueuedPageIndex");
    }
  }

  @Test
  void aBackendWithoutItsUrlIsAnErrorOnEveryKeyInvolved() {
    IndexConfig config =
        new IndexConfig(Map.of("index.backend", "clickhouse", "index.secondary", "redis"));
    assertThat(config.crossKeyErrors())
        .containsKeys(
            "index.backend", "index.secondary", "index.clickhouse.url", "index.redis.url");
    // Every problem at once, each once: a user fixes both backends' URLs in one go.
    assertThatThrownBy(config::open)
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid index configuration: clickhouse is an index but index.clickhouse.url is not"
                + " set; redis is an index but index.redis.url is not set (key index.backend)");
  }

  @Test
  void anIndexNamedTwiceIsAnError() {
    IndexConfig config =
        new IndexConfig(Map.of("index.backend", "sqlite", "index.secondary", "sqlite"));
    assertThat(config.crossKeyErrors().get("index.secondary"))
        .singleElement()
        .asString()
        .contains("once");
  }

  @Test
  void redisPublishesWaitForNoReplicaUnlessToldHowManyAndHowLong() {
    Map<String, String> redis = Map.of("index.backend", "redis", "index.redis.url", "redis://h/0");
    assertThat(new IndexConfig(redis).redis().replicaWait()).isEqualTo(ReplicaWait.NONE);
    Map<String, String> waiting = new java.util.HashMap<>(redis);
    waiting.put("index.redis.wait.replicas", "2");
    waiting.put("index.redis.wait.timeout.ms", "1500");
    assertThat(new IndexConfig(waiting).redis().replicaWait())
        .isEqualTo(new ReplicaWait(2, Duration.ofMillis(1500)));
  }

  @Test
  void theSentinelsCredentialsReachTheSettingsAndNeedASentinelUrlAndAPassword() {
    Map<String, String> sentinels =
        Map.of(
            "index.backend", "redis",
            "index.redis.url", "redis-sentinel://h:26379/0#main",
            "index.redis.sentinel.user", "prism",
            "index.redis.sentinel.password", "s3cret");
    IndexConfig config = new IndexConfig(sentinels);
    assertThat(config.crossKeyErrors()).isEmpty();
    assertThat(config.redis().sentinelUser()).isEqualTo("prism");
    assertThat(config.redis().sentinelPassword().value()).isEqualTo("s3cret");

    Map<String, String> userAlone = new java.util.HashMap<>(sentinels);
    userAlone.remove("index.redis.sentinel.password");
    assertThat(new IndexConfig(userAlone).crossKeyErrors())
        .containsOnlyKeys("index.redis.sentinel.user", "index.redis.sentinel.password")
        .allSatisfy(
            (key, errors) ->
                assertThat(errors)
                    .singleElement()
                    .asString()
                    .contains("needs the user's password in index.redis.sentinel.password"));
    assertThatThrownBy(() -> new IndexConfig(userAlone).redis())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("index.redis.sentinel.user needs the user's password");

    Map<String, String> noSentinels = new java.util.HashMap<>(sentinels);
    noSentinels.put("index.redis.url", "redis://h:6379/0");
    assertThat(new IndexConfig(noSentinels).crossKeyErrors())
        .containsOnlyKeys("index.redis.sentinel.password", "index.redis.url")
        .allSatisfy(
            (key, errors) ->
                assertThat(errors)
                    .singleElement()
                    .asString()
                    .contains("does not start with redis-sentinel://"));
  }

  @Test
  void aReplicaWaitBeyondTheClientsSocketTimeoutOrBelowZeroIsRefusedWithItsKey() {
    assertThatThrownBy(() -> new IndexConfig(Map.of("index.redis.wait.timeout.ms", "30000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("index.redis.wait.timeout.ms")
        .hasMessageContaining("20000");
    assertThatThrownBy(() -> new IndexConfig(Map.of("index.redis.wait.timeout.ms", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("index.redis.wait.timeout.ms");
    assertThatThrownBy(() -> new IndexConfig(Map.of("index.redis.wait.replicas", "-1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("index.redis.wait.replicas");
  }

  @Test
  void unknownNamesAreRefusedWithTheirKey() {
    assertThatThrownBy(() -> new IndexConfig(Map.of("index.secondary", "sqlite,cassandra")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("index.secondary")
        .hasMessageContaining("cassandra");
    assertThatThrownBy(() -> new IndexConfig(Map.of("index.publish.mode", "later")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("index.publish.mode");
    assertThatThrownBy(() -> new IndexConfig(Map.of("index.ttl.days", "-1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("index.ttl.days");
  }

  @Test
  void badClickHouseNamesAreConfigErrors() {
    IndexConfig config =
        new IndexConfig(
            Map.of(
                "index.backend",
                "clickhouse",
                "index.clickhouse.url",
                "http://127.0.0.1:1",
                "index.clickhouse.table",
                "pages; DROP"));
    assertThatThrownBy(config::clickHouse)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("index.clickhouse.table");
  }

  @Test
  void passwordsAreHiddenWhenPrinted() {
    IndexConfig config =
        new IndexConfig(
            Map.of(
                "index.backend",
                "redis",
                "index.redis.url",
                "redis://h:1/0",
                "index.redis.password",
                "s3cret"));
    assertThat(config.redis().toString()).doesNotContain("s3cret");
    assertThat(config.redis().password().value()).isEqualTo("s3cret");
  }

  @Test
  void aTlsCaFileIsReadWhenTheSettingsAreMadeAndBelongsToItsIndexes() throws Exception {
    Path ca = Path.of(getClass().getResource("/tls/test-ca.pem").toURI());
    IndexConfig config =
        new IndexConfig(
            Map.of(
                "index.backend", "clickhouse",
                "index.clickhouse.url", "https://ch:8443",
                "index.clickhouse.tls.ca.file", ca.toString(),
                "index.secondary", "redis",
                "index.redis.url", "rediss://r:6380/0",
                "index.redis.tls.ca.file", ca.toString()));
    assertThat(config.crossKeyErrors()).isEmpty();
    assertThat(config.clickHouse().tlsCa().path()).isEqualTo(ca);
    assertThat(config.redis().tlsCa().certificates()).hasSize(1);
    assertThat(new IndexConfig(Map.of("index.redis.url", "rediss://r:6380/0")).redis().tlsCa())
        .isNull();
  }

  @Test
  void aTlsCaFileThatIsNotThereIsAnErrorOnItsKey() {
    Path missing = dir.resolve("missing-ca.pem");
    IndexConfig config =
        new IndexConfig(
            Map.of(
                "index.backend", "redis",
                "index.redis.url", "rediss://r:6380/0",
                "index.redis.tls.ca.file", missing.toString()));
    assertThat(config.crossKeyErrors())
        .containsOnlyKeys("index.redis.tls.ca.file")
        .extractingByKey("index.redis.tls.ca.file")
        .asString()
        .contains(missing + " does not exist");
    assertThatThrownBy(config::redis)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("index.redis.tls.ca.file")
        .hasMessageContaining(missing.toString());
  }

  @Test
  void aTlsCaFileForAPlainTextUrlIsAnErrorOnBothKeys() throws Exception {
    Path ca = Path.of(getClass().getResource("/tls/test-ca.pem").toURI());
    IndexConfig config =
        new IndexConfig(
            Map.of(
                "index.backend", "clickhouse",
                "index.clickhouse.url", "http://ch:8123",
                "index.clickhouse.tls.ca.file", ca.toString()));
    assertThat(config.crossKeyErrors())
        .containsOnlyKeys("index.clickhouse.tls.ca.file", "index.clickhouse.url");
    assertThat(config.crossKeyErrors().get("index.clickhouse.url"))
        .singleElement()
        .asString()
        .contains("does not start with https://");
    assertThatThrownBy(config::clickHouse)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not https://");
  }

  @Test
  void aTlsCaFileOfAnIndexNotInUseIsNotChecked() {
    IndexConfig config =
        new IndexConfig(Map.of("index.redis.tls.ca.file", dir.resolve("nope.pem").toString()));
    assertThat(config.crossKeyErrors()).isEmpty();
  }

  @Test
  void aClickHouseClientCertificateNeedsItsKeyAndAnHttpsUrl() throws Exception {
    Path cert = Path.of(getClass().getResource("/tls/test-ca.pem").toURI());
    Path key = Path.of(getClass().getResource("/tls/test-ca-key.pem").toURI());
    Map<String, String> https =
        Map.of(
            "index.backend",
            "clickhouse",
            "index.clickhouse.url",
            "https://ch:8443",
            "index.clickhouse.tls.client.cert.file",
            cert.toString(),
            "index.clickhouse.tls.client.key.file",
            key.toString());
    IndexConfig good = new IndexConfig(https);
    Map<String, String> withoutKey = new java.util.HashMap<>(https);
    withoutKey.remove("index.clickhouse.tls.client.key.file");
    Map<String, String> plainText = new java.util.HashMap<>(https);
    plainText.put("index.clickhouse.url", "http://ch:8123");

    assertThat(good.crossKeyErrors()).isEmpty();
    assertThat(good.clickHouse().tlsClient().certificateFile()).isEqualTo(cert);
    assertThat(good.clickHouse().tlsClient().keyFile()).isEqualTo(key);
    assertThat(new IndexConfig(withoutKey).crossKeyErrors())
        .containsOnlyKeys(
            "index.clickhouse.tls.client.cert.file", "index.clickhouse.tls.client.key.file");
    assertThat(new IndexConfig(plainText).crossKeyErrors().get("index.clickhouse.url"))
        .singleElement()
        .asString()
        .contains("does not start with https://");
  }

  @Test
  void aRedisClientCertificateNeedsItsKeyAndATlsUrl() throws Exception {
    Path cert = Path.of(getClass().getResource("/tls/test-ca.pem").toURI());
    Path key = Path.of(getClass().getResource("/tls/test-ca-key.pem").toURI());
    IndexConfig good =
        new IndexConfig(
            Map.of(
                "index.backend",
                "redis",
                "index.redis.url",
                "rediss://r:6380/0",
                "index.redis.tls.client.cert.file",
                cert.toString(),
                "index.redis.tls.client.key.file",
                key.toString()));
    IndexConfig withoutKey =
        new IndexConfig(
            Map.of(
                "index.backend", "redis",
                "index.redis.url", "rediss://r:6380/0",
                "index.redis.tls.client.cert.file", cert.toString()));
    IndexConfig plainText =
        new IndexConfig(
            Map.of(
                "index.backend",
                "redis",
                "index.redis.url",
                "redis://r:6379/0",
                "index.redis.tls.client.cert.file",
                cert.toString(),
                "index.redis.tls.client.key.file",
                key.toString()));

    assertThat(good.crossKeyErrors()).isEmpty();
    assertThat(good.redis().tlsClient()).isNotNull();
    assertThat(withoutKey.crossKeyErrors())
        .containsOnlyKeys("index.redis.tls.client.cert.file", "index.redis.tls.client.key.file");
    assertThatThrownBy(withoutKey::redis)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("go together");
    assertThat(plainText.crossKeyErrors())
        .containsOnlyKeys("index.redis.tls.client.cert.file", "index.redis.url");
  }
}
