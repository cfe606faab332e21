package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.IndexEntryJson;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.PageIndexContract;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.testing.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The reading commands (replay's {@link IndexConfig#openForReading}, {@code pages list}, {@code
 * check --read-only}) as {@code prism_strict_reader}, a user of ClickHouse's {@code readonly=1}
 * (bin/lib/services.sh), on an index the sink's user {@code prism} made: first a table of an older
 * version (no companion, no writer spans), which they must read without creating anything; then the
 * same table once the sink has opened it and made what it needs.
 */
class ClickHouseReadOnlyIT {
  static final String DATABASE = "prism_it";
  static final long NOW = 1_700_000_000_000L;

  @TempDir Path dir;
  final String table = "pages_ro_" + UUID.randomUUID().toString().replace("-", "");

  @AfterEach
  void dropTables() throws Exception {
    for (String suffix : List.of("_spans_feed", "_spans", "", "_by_offset")) {
      http("DROP TABLE IF EXISTS " + DATABASE + "." + table + suffix);
    }
  }

  @Test
  void aReadOnlyUserListsReplaysAndChecksAnIndexTheSinksUserMade() throws Exception {
    http("CREATE DATABASE IF NOT EXISTS " + DATABASE);
    http(
        "CREATE TABLE "
            + DATABASE
            + "."
            + table
            + " (page_key String, writer_id String, page_sequence Int64, start_time_ms Int64,"
            + " end_time_ms Int64, event_count Int64, page_size_bytes Int64, storage_size_bytes"
            + " Int64, format String, compression String, topic String, kafka_partition Int32,"
            + " first_offset Int64, last_offset Int64, start_time DateTime('UTC') MATERIALIZED"
            + " toDateTime(intDiv(start_time_ms, 1000), 'UTC'), end_time DateTime('UTC')"
            + " MATERIALIZED toDateTime(intDiv(end_time_ms, 1000), 'UTC')) ENGINE ="
            + " ReplacingMergeTree() PARTITION BY toYYYYMM(start_time) ORDER BY (writer_id,"
            + " start_time_ms, page_sequence, page_key)");
    IndexEntry aYearLong = PageIndexContract.entry("w1", 1, NOW - 365 * 86_400_000L, NOW - 1);
    IndexEntry recent = PageIndexContract.entry("w1", 2, NOW - 60_000, NOW - 30_000);
    http(
        "INSERT INTO "
            + DATABASE
            + "."
            + table
            + " FORMAT JSONEachRow "
            + rowOf(aYearLong)
            + "\n"
            + rowOf(recent));
    String tables =
        "SELECT name FROM system.tables WHERE database = '"
            + DATABASE
            + "' AND name LIKE '"
            + table
            + "%' ORDER BY name FORMAT TSV";

    assertTheReaderFinds(List.of(aYearLong, recent));
    assertThat(http(tables)).as("nothing created").isEqualTo(table + "\n");

    // The sink's user opens it as the connector does: the companion and the spans are made.
    try (PageIndex sink = new IndexConfig(settings("prism", "prism-secret")).open()) {
      IndexEntry later = PageIndexContract.entry("w1", 3, NOW - 20_000, NOW - 10_000);
      sink.publish(List.of(later));
      assertThat(http(tables))
          .isEqualTo(
              String.join(
                  "\n", table, table + "_by_offset", table + "_spans", table + "_spans_feed", ""));
      assertTheReaderFinds(List.of(aYearLong, recent, later));
    }
  }

  /** Replay's open, {@code pages list} and {@code check --read-only}, as the read-only user. */
  private void assertTheReaderFinds(List<IndexEntry> lastHour) throws Exception {
    Map<String, String> reader = settings("prism_strict_reader", "reader-secret");
    try (PageIndex index = new IndexConfig(reader).openForReading()) {
      assertThat(index.entries("w1", new TimeRange(NOW - 3_600_000L, NOW)))
          .containsExactlyElementsOf(lastHour);
      assertThat(index.entriesFromOffset("events", 1, 0, 10)).contains(lastHour.get(0));
    }

    Path config = dir.resolve("reader.properties");
    StringBuilder properties = new StringBuilder("storage.filesystem.path=" + pages() + "\n");
    reader.forEach((key, value) -> properties.append(key).append('=').append(value).append('\n'));
    Files.writeString(config, properties);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PagesListCommand list = new PagesListCommand();
    list.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    list.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    int listed =
        new CommandLine(list)
            .setCaseInsensitiveEnumValuesAllowed(true)
            .execute(
                "--writer",
                "w1",
                "--from",
                Long.toString(NOW - 3_600_000L),
                "--config",
                config.toString(),
                "--output",
                "json");
    assertThat(listed).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines().map(IndexEntryJson::read))
        .containsExactlyElementsOf(lastHour);

    ByteArrayOutputStream checked = new ByteArrayOutputStream();
    CheckCommand check = new CheckCommand();
    check.out = new PrintStream(checked, true, StandardCharsets.UTF_8);
    check.err = check.out;
    int code = new CommandLine(check).execute("--config", config.toString(), "--read-only");
    String output = checked.toString(StandardCharsets.UTF_8);
    assertThat(code).as(output).isZero();
    assertThat(output).contains("index    read", "ok").doesNotContain("FAILED");
  }

  private Path pages() throws Exception {
    return Files.createDirectories(dir.resolve("pages"));
  }

  private Map<String, String> settings(String user, String password) {
    return Map.of(
        "index.backend", "clickhouse",
        "index.clickhouse.url", TestServices.clickHouseUrl().toString(),
        "index.clickhouse.database", DATABASE,
        "index.clickhouse.table", table,
        "index.clickhouse.user", user,
        "index.clickhouse.password", password);
  }

  private static String rowOf(IndexEntry e) {
    return "{\"page_key\":\""
        + e.pageKey()
        + "\",\"writer_id\":\""
        + e.writerId()
        + "\",\"page_sequence\":"
        + e.pageSequence()
        + ",\"start_time_ms\":"
        + e.startTime()
        + ",\"end_time_ms\":"
        + e.endTime()
        + ",\"event_count\":"
        + e.eventCount()
        + ",\"page_size_bytes\":"
        + e.pageSizeBytes()
        + ",\"storage_size_bytes\":"
        + e.storageSizeBytes()
        + ",\"format\":\""
        + e.format()
        + "\",\"compression\":\""
        + e.compression()
        + "\",\"topic\":\""
        + e.topic()
        + "\",\"kafka_partition\":"
        + e.partition()
        + ",\"first_offset\":"
        + e.firstOffset()
        + ",\"last_offset\":"
        + e.lastOffset()
        + "}";
  }

  /** A query as the sink's user, {@code prism}. */
  private static String http(String sql) throws Exception {
    URI uri =
        URI.create(
            TestServices.clickHouseUrl()
                + "/?user=prism&password=prism-secret&wait_end_of_query=1");
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri)
                    .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8))
                    .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }
}
