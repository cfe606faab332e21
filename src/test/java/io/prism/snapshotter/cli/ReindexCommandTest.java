package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReindexCommandTest {
  @TempDir Path dir;

  String run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ReindexCommand command = new ReindexCommand();
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    int code = new CommandLine(command).execute(args);
    assertThat(code).as("exit code").isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The index file is not there yet: reindex creates it (rebuilding a lost index is its job). */
  @Test
  void rebuildsTheConfiguredIndexAndPrintsCounts() throws Exception {
    Path pages = dir.resolve("pages");
    try (PageIndex throwaway = SqlitePageIndex.open(dir.resolve("throwaway.db"))) {
      io.prism.snapshotter.sink.ReindexerTestPages.store(
          new FilesystemObjectStore(pages), throwaway, PageFormat.PROTOBUF, Compression.GZIP);
    }
    Path config = dir.resolve("snapshotter.properties");
    Files.writeString(
        config,
        "storage.backend=filesystem\nstorage.filesystem.path="
            + pages
            + "\nindex.backend=sqlite\nindex.sqlite.path="
            + dir.resolve("index.db")
            + "\n");

    assertThat(run("--config", config.toString()))
        .contains("listed 16,", "already indexed 0,", "added 16,");
    assertThat(run("--config", config.toString(), "--since", "2000-01-01"))
        .contains("already indexed 16,", "added 0,");
    assertThat(run("--config", config.toString(), "--prefix", "nothing/")).contains("listed 0,");
  }

  /** The pages ended in 2023: with a TTL of a day, none is added, on any run. */
  @Test
  void pagesOlderThanTheTtlAreSkippedNotAdded() throws Exception {
    Path pages = dir.resolve("pages");
    try (PageIndex throwaway = SqlitePageIndex.open(dir.resolve("throwaway.db"))) {
      io.prism.snapshotter.sink.ReindexerTestPages.store(
          new FilesystemObjectStore(pages), throwaway, PageFormat.PROTOBUF, Compression.GZIP);
    }
    Path config = dir.resolve("snapshotter.properties");
    Files.writeString(
        config,
        "storage.filesystem.path="
            + pages
            + "\nindex.backend=sqlite\nindex.ttl.days=1\nindex.sqlite.path="
            + dir.resolve("index.db")
            + "\n");

    for (int run = 0; run < 2; run++) {
      assertThat(run("--config", config.toString()))
          .contains("listed 16,", "skipped (older than index.ttl.days) 16,", "added 0,");
    }
  }

  /**
   * A mistyped storage.filesystem.path: reindex made the directory, listed nothing ("listed 0,
   * added 0", exit 0) and created an empty index beside it.
   */
  @Test
  void aStoreDirectoryThatIsNotThereIsABadConfigAndNothingIsCreated() throws Exception {
    Path absent = dir.resolve("typo/pages");
    Path index = dir.resolve("index/index.db");
    Path config = dir.resolve("snapshotter.properties");
    Files.writeString(
        config,
        "storage.filesystem.path=" + absent + "\nindex.backend=sqlite\nindex.sqlite.path=" + index);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ReindexCommand command = new ReindexCommand();
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);

    assertThat(new CommandLine(command).execute("--config", config.toString())).isEqualTo(78);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "reindex: storage.filesystem.path="
                + absent
                + " does not exist (nothing was ever stored there; check the path, or give the"
                + " --config the connector runs with)\n");
    assertThat(out.size()).isZero();
    assertThat(absent.getParent()).doesNotExist();
    assertThat(index.getParent()).doesNotExist();
  }
}
