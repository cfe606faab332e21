package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.sink.CompactedKeys;
import io.prism.snapshotter.sink.ReindexerTestPages;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CompactCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    CompactCommand command = new CompactCommand();
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    return new CommandLine(command)
        .setErr(
            new java.io.PrintWriter(
                new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true))
        .execute(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * 16 pages of 4 writers from 2023 (4 each: alice's are 25 events of 50 bytes, far below 64 KiB).
   */
  private Path config(boolean indexed) throws Exception {
    Path pages = dir.resolve("pages");
    try (SqlitePageIndex index = SqlitePageIndex.open(dir.resolve("index.db"))) {
      ReindexerTestPages.store(
          new FilesystemObjectStore(pages), index, PageFormat.PROTOBUF, Compression.GZIP);
    }
    Path config = dir.resolve("snapshotter.properties");
    Files.writeString(
        config,
        "storage.backend=filesystem\nstorage.filesystem.path="
            + pages
            + "\npage.format=ndjson\npage.compression=zstd\n"
            + (indexed
                ? "index.backend=sqlite\nindex.sqlite.path=" + dir.resolve("index.db") + "\n"
                : ""));
    return config;
  }

  @Test
  void mergesThroughTheConfiguredIndexAndSaysWhat() throws Exception {
    Path config = config(true);

    assertThat(
            run(
                "--config",
                config.toString(),
                "--writer",
                "alice",
                "--min-page-size",
                "64k",
                "--dry-run"))
        .isZero();
    assertThat(out())
        .contains(
            "would merge 4 pages",
            "writer 'alice': 1 merged page would replace 4 pages; 0 interrupted merges finished;"
                + " 0 unindexed leftovers deleted");
    try (SqlitePageIndex index = SqlitePageIndex.open(dir.resolve("index.db"))) {
      assertThat(index.entries("alice", TimeRange.ALL)).hasSize(4);
    }

    assertThat(run("--config", config.toString(), "--writer", "alice", "--min-page-size", "64k"))
        .isZero();
    assertThat(out())
        .contains(
            "merged 4 pages",
            "100 events",
            "writer 'alice': 1 merged page replaces 4 pages; 0 interrupted merges finished;");
    try (SqlitePageIndex index = SqlitePageIndex.open(dir.resolve("index.db"))) {
      assertThat(index.entries("alice", TimeRange.ALL))
          .singleElement()
          .satisfies(e -> assertThat(CompactedKeys.looksMerged(e.pageKey())).isTrue())
          .satisfies(e -> assertThat(e.pageKey()).endsWith(".ndjson.zst"))
          .extracting(IndexEntry::eventCount)
          .isEqualTo(100L);
      assertThat(index.entries("bob", TimeRange.ALL)).as("another writer's pages").hasSize(4);
    }
  }

  @Test
  void withoutAnIndexItListsStorage() throws Exception {
    Path config = config(false);

    assertThat(
            run(
                "--config",
                config.toString(),
                "--writer",
                "bob",
                "--older-than",
                "P7D",
                "--min-page-size",
                "65536"))
        .isZero();

    assertThat(out()).contains("merged 4 pages", "writer 'bob': 1 merged page replaces 4 pages");
  }

  @Test
  void nothingIsMergedWhenThePagesAreNewerThanTheCutoff() throws Exception {
    Path config = config(true);
    long yearsSince2023 =
        Duration.ofMillis(System.currentTimeMillis() - 1_700_000_000_000L).toDays() + 30;

    assertThat(
            run(
                "--config",
                config.toString(),
                "--writer",
                "alice",
                "--min-page-size",
                "64k",
                "--older-than",
                yearsSince2023 + "d"))
        .isZero();

    assertThat(out()).contains("writer 'alice': 0 merged pages replace 0 pages");
  }

  @Test
  void allWritersCompactsEachWriterTheIndexListsAndSaysWhatInTotal() throws Exception {
    Path config = config(true);

    assertThat(
            run(
                "--config",
                config.toString(),
                "--all-writers",
                "--min-page-size",
                "64k",
                "--dry-run"))
        .isZero();
    assertThat(out())
        .contains(
            "writer 'alice': 1 merged page would replace 4 pages",
            "bytes before, unknown after",
            "all writers: 4 seen, ",
            "to compact",
            "unknown after; 0 failed");
    try (SqlitePageIndex index = SqlitePageIndex.open(dir.resolve("index.db"))) {
      assertThat(index.entries("alice", TimeRange.ALL)).hasSize(4);
    }

    assertThat(run("--config", config.toString(), "--all-writers", "--min-page-size", "64k"))
        .isZero();
    assertThat(out())
        .contains(
            "writer 'alice': 1 merged page replaces 4 pages", "all writers: 4 seen, ", "; 0 failed")
        .doesNotContain("merged 4 pages (");
    // Every writer has small pages (one of them also a page of 200 KB, left alone): each one's
    // line, then the total.
    assertThat(out().lines().filter(l -> l.startsWith("writer ")).count()).isEqualTo(4);
    assertThat(out()).contains("all writers: 4 seen, 4 compacted, 15 pages merged into 4; ");

    assertThat(run("--config", config.toString(), "--all-writers", "--min-page-size", "64k"))
        .isZero();
    assertThat(out()).as("a second run").startsWith("all writers: 4 seen, 0 compacted");
  }

  @Test
  void allWritersNamesTheWriterWhosePageIsUnreadableAndExitsWith65() throws Exception {
    Path config = config(true);
    Path page;
    try (SqlitePageIndex index = SqlitePageIndex.open(dir.resolve("index.db"))) {
      page = dir.resolve("pages").resolve(index.entries("alice", TimeRange.ALL).get(1).pageKey());
    }
    Files.writeString(page, "not a page");

    assertThat(run("--config", config.toString(), "--all-writers", "--min-page-size", "64k"))
        .isEqualTo(Main.EXIT_BAD_DATA);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("compact: writer 'alice' failed: page ", " is not readable");
    assertThat(out()).contains("writer 'bob': 1 merged page replaces 4 pages", "; 1 failed");
  }

  /**
   * An index entry whose page is gone stays gone: "run again" would fail for ever. The message
   * names the key and `pages verify --repair`, which lets the next compaction through.
   */
  @Test
  void aPageTheIndexListsButStorageLacksNamesTheFixNotRunAgain() throws Exception {
    Path config = config(true);
    String gone;
    try (SqlitePageIndex index = SqlitePageIndex.open(dir.resolve("index.db"))) {
      gone = index.entries("alice", TimeRange.ALL).get(1).pageKey();
    }
    Files.delete(dir.resolve("pages").resolve(gone));

    String[] compactAlice = {
      "--config", config.toString(), "--writer", "alice", "--min-page-size", "64k"
    };
    assertThat(run(compactAlice)).isEqualTo(Main.EXIT_BAD_DATA);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("compact: page " + gone + " of writer 'alice' is in the page index but not")
        .contains("`snapshotter pages verify --writer 'alice' --repair`")
        .doesNotContain("run again to finish");

    assertThat(run("--config", config.toString(), "--all-writers", "--min-page-size", "64k"))
        .isEqualTo(Main.EXIT_BAD_DATA);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("compact: writer 'alice' failed: page " + gone)
        .doesNotContain("run again to finish");

    assertThat(Main.run("pages", "verify", "--config", config.toString(), "--repair")).isZero();
    assertThat(run(compactAlice)).isZero();
    assertThat(out()).contains("writer 'alice': 1 merged page replaces 3 pages");
  }

  @Test
  void exactlyOneOfWriterAndAllWritersIsRequired() throws Exception {
    Path config = config(true);
    assertThat(run("--config", config.toString())).as("neither").isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--writer", "--all-writers");
    assertThat(run("--config", config.toString(), "--writer", "alice", "--all-writers"))
        .as("both")
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("mutually exclusive");
    Path unindexed = config(false);
    assertThat(run("--config", unindexed.toString(), "--all-writers"))
        .as("no index to list writers")
        .isEqualTo(Main.EXIT_BAD_CONFIG);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("index.backend");
  }

  @Test
  void badInputGetsItsExitCode() throws Exception {
    assertThat(run("--writer", "alice", "--older-than", "soon")).as("bad usage").isEqualTo(2);
    assertThat(run("--writer", "alice", "--min-page-size", "-5")).as("bad usage").isEqualTo(2);
    Path empty = dir.resolve("empty.properties");
    Files.writeString(empty, "storage.backend=s3\n");
    assertThat(run("--config", empty.toString(), "--writer", "alice"))
        .as("no bucket")
        .isEqualTo(Main.EXIT_BAD_CONFIG);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("compact: ");
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /**
   * A mistyped storage.filesystem.path (or index.sqlite.path): compact made the directory (and the
   * index file) and reported "nothing to merge", exit 0.
   */
  @Test
  void aStoreDirectoryOrIndexFileThatIsNotThereIsABadConfigAndIsNotCreated() throws Exception {
    config(true);
    Path absentStore = dir.resolve("typo/pages");
    Path absentIndex = dir.resolve("typo/index.db");
    Path settings = dir.resolve("typo.properties");
    for (String store : new String[] {absentStore.toString(), dir.resolve("pages").toString()}) {
      for (String index : new String[] {"", "index.backend=sqlite\nindex.sqlite.path=%s\n"}) {
        if (store.equals(dir.resolve("pages").toString()) && index.isEmpty()) {
          continue; // both there: nothing missing
        }
        Files.writeString(
            settings,
            "storage.filesystem.path=" + store + "\n" + String.format(index, absentIndex));
        assertThat(run("--config", settings.toString(), "--writer", "alice")).isEqualTo(78);
        String missing =
            store.equals(absentStore.toString())
                ? "storage.filesystem.path="
                    + absentStore
                    + " does not exist (nothing was ever stored there; check the path"
                : "index.sqlite.path="
                    + absentIndex
                    + " does not exist (no page was ever indexed there; check the path";
        assertThat(err()).startsWith("compact: " + missing);
        assertThat(out()).isEmpty();
        assertThat(dir.resolve("typo")).doesNotExist();
      }
    }
  }
}
