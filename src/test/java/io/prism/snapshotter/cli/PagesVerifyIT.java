package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.config.StorageConfig;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.PublishMode;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.sink.ReindexerTestPages;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.ObjectStores;
import io.prism.snapshotter.storage.PutOptions;
import io.prism.snapshotter.testing.TestServices;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code snapshotter pages verify --repair} against real Redis and ClickHouse indexes (Debian's
 * redis-server and clickhouse-server): only the {@link PageIndex} interface is used, but each
 * backend walks a writer's entries in batches of its own way and removes in its own way.
 */
class PagesVerifyIT {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Path config, String... options) {
    out.reset();
    err.reset();
    PagesVerifyCommand command = new PagesVerifyCommand();
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    String[] args = new String[options.length + 2];
    args[0] = "--config";
    args[1] = config.toString();
    System.arraycopy(options, 0, args, 2, options.length);
    return new CommandLine(command).execute(args);
  }

  private Path configFile(Map<String, String> settings) throws Exception {
    Path config = dir.resolve("connector-" + UUID.randomUUID() + ".properties");
    StringBuilder text = new StringBuilder();
    settings.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    Files.writeString(config, text);
    return config;
  }

  private Map<String, String> redis() {
    return Map.of(
        "storage.backend",
        "filesystem",
        "storage.filesystem.path",
        dir.resolve("pages").toString(),
        "index.backend",
        "redis",
        "index.redis.url",
        TestServices.redisUrl().toString(),
        "index.redis.key.prefix",
        "verify-" + UUID.randomUUID());
  }

  private Map<String, String> clickHouse() {
    table = "verify_" + UUID.randomUUID().toString().replace("-", "");
    return Map.of(
        "storage.backend",
        "filesystem",
        "storage.filesystem.path",
        dir.resolve("pages").toString(),
        "index.backend",
        "clickhouse",
        "index.clickhouse.url",
        TestServices.clickHouseUrl().toString(),
        "index.clickhouse.database",
        "prism_it",
        "index.clickhouse.table",
        table,
        "index.clickhouse.user",
        "prism",
        "index.clickhouse.password",
        "prism-secret");
  }

  private String table;

  @AfterEach
  void dropTables() throws Exception {
    if (table == null) {
      return;
    }
    // The spans' view first: an insert into the main table fails while its target is missing.
    for (String name :
        List.of(table + "_spans_feed", table + "_spans", table, table + "_by_offset")) {
      URI uri =
          URI.create(
              TestServices.clickHouseUrl()
                  + "/?user=prism&password=prism-secret&query="
                  + URLEncoder.encode(
                      "DROP TABLE IF EXISTS prism_it." + name, StandardCharsets.UTF_8));
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
                  HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
  }

  @Test
  void repairRemovesTheDanglingEntriesFromRedisAndNothingElse() throws Exception {
    repairRemovesTheDanglingEntriesAndNothingElse(redis());
  }

  @Test
  void repairRemovesTheDanglingEntriesFromClickHouseAndNothingElse() throws Exception {
    repairRemovesTheDanglingEntriesAndNothingElse(clickHouse());
  }

  private void repairRemovesTheDanglingEntriesAndNothingElse(Map<String, String> settings)
      throws Exception {
    Path config = configFile(settings);
    List<IndexEntry> alice;
    String bobs;
    try (ObjectStore store = ObjectStores.open(new StorageConfig(settings));
        PageIndex index = new IndexConfig(settings).open(PublishMode.SYNC)) {
      ReindexerTestPages.store(store, index, PageFormat.PROTOBUF, Compression.ZSTD);
      alice = index.entries("alice", TimeRange.ALL);
      bobs = index.entries("bob", TimeRange.ALL).get(3).pageKey();
      store.delete(alice.get(0).pageKey());
      store.delete(alice.get(2).pageKey());
      store.delete(bobs);
    }

    assertThat(run(config)).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(66);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "dangling "
                + alice.get(0).pageKey()
                + " writer 'alice'\ndangling "
                + alice.get(2).pageKey()
                + " writer 'alice'\ndangling "
                + bobs
                + " writer 'bob'\n");

    assertThat(run(config, "--repair")).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines())
        .hasSize(3)
        .allMatch(l -> l.startsWith("removed "));
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("16 entries of 4 writers checked: 3 dangling (3 removed)");

    try (PageIndex index = new IndexConfig(settings).open(PublishMode.SYNC)) {
      assertThat(index.entries("alice", TimeRange.ALL)).containsExactly(alice.get(1), alice.get(3));
      assertThat(index.entries("bob", TimeRange.ALL)).hasSize(3);
      assertThat(index.entries("w'; DROP TABLE x; --", TimeRange.ALL)).hasSize(4);
    }
    assertThat(run(config)).as("a second look").isZero();
  }

  /**
   * A writer of 2,500 entries on ClickHouse: read in batches (time windows), HEADs 8 at a time, the
   * dangling ones reported in the index's order and removed, the rest left.
   */
  @Test
  void aLargeWriterOnClickHouseIsWalkedInBatchesAndRepaired() throws Exception {
    Map<String, String> settings = clickHouse();
    Path config = configFile(settings);
    List<IndexEntry> entries = new ArrayList<>();
    List<String> gone = new ArrayList<>();
    try (ObjectStore store = ObjectStores.open(new StorageConfig(settings));
        PageIndex index = new IndexConfig(settings).open(PublishMode.SYNC)) {
      byte[] page = {1, 2, 3};
      for (int i = 0; i < 2_500; i++) {
        IndexEntry entry =
            new IndexEntry(
                "big/" + i + ".pb.zst",
                "big",
                i,
                1_700_000_000_000L + (i * 7919L % 2_500) * 60_000,
                1_700_000_000_000L + (i * 7919L % 2_500) * 60_000 + 59_999,
                1,
                10,
                page.length,
                "protobuf",
                "zstd",
                "events",
                0,
                i,
                i);
        entries.add(entry);
        store.put(
            entry.pageKey(), new ByteArrayInputStream(page), page.length, PutOptions.defaults());
      }
      index.publish(entries);
      entries.sort(IndexEntry.QUERY_ORDER);
      for (int i = 17; i < entries.size(); i += 400) {
        gone.add(entries.get(i).pageKey());
        store.delete(entries.get(i).pageKey());
      }
    }

    assertThat(run(config, "--parallelism", "8"))
        .as(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(66);
    assertThat(out.toString(StandardCharsets.UTF_8).lines())
        .containsExactlyElementsOf(
            gone.stream().map(k -> "dangling " + k + " writer 'big'").toList());
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("2500 entries of 1 writer checked: 7 dangling, 0 with another size");

    assertThat(run(config, "--repair", "--parallelism", "8"))
        .as(err.toString(StandardCharsets.UTF_8))
        .isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines())
        .containsExactlyElementsOf(
            gone.stream().map(k -> "removed " + k + " writer 'big'").toList());
    try (PageIndex index = new IndexConfig(settings).open(PublishMode.SYNC)) {
      List<IndexEntry> left = new ArrayList<>(entries);
      left.removeIf(e -> gone.contains(e.pageKey()));
      assertThat(index.entries("big", TimeRange.ALL)).containsExactlyElementsOf(left);
    }
  }

  /**
   * Settings naming the wrong directory (one holding other objects) on ClickHouse: every entry
   * looks dangling; --repair refuses (78) and the index keeps every entry.
   */
  @Test
  void repairOnClickHouseRefusesAStoreHoldingNoneOfItsPages() throws Exception {
    Map<String, String> settings = clickHouse();
    try (ObjectStore store = ObjectStores.open(new StorageConfig(settings));
        PageIndex index = new IndexConfig(settings).open(PublishMode.SYNC)) {
      ReindexerTestPages.store(store, index, PageFormat.PROTOBUF, Compression.ZSTD);
    }
    Path elsewhere = dir.resolve("elsewhere");
    Files.createDirectories(elsewhere);
    Files.writeString(elsewhere.resolve("unrelated"), "x");
    Map<String, String> wrong = new java.util.HashMap<>(settings);
    wrong.put("storage.filesystem.path", elsewhere.toString());

    assertThat(run(configFile(wrong), "--repair"))
        .as(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(78);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("every one of the 16 entries checked is dangling");
    try (PageIndex index = new IndexConfig(settings).open(PublishMode.SYNC)) {
      assertThat(index.entries("alice", TimeRange.ALL)).hasSize(4);
    }
    assertThat(run(configFile(settings))).as("the right store").isZero();
  }
}
