package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.index.OlderSqliteIndexFile;
import io.prism.snapshotter.index.PageIndexContract;
import io.prism.snapshotter.index.SqlitePageIndex;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CheckCommandTest {
  @TempDir Path dir;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();

  int run(String settings, String... options) throws Exception {
    Path config = dir.resolve("connector.properties");
    Files.writeString(config, settings);
    CheckCommand command = new CheckCommand();
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(out, true, StandardCharsets.UTF_8);
    String[] args = new String[options.length + 2];
    args[0] = "--config";
    args[1] = config.toString();
    System.arraycopy(options, 0, args, 2, options.length);
    return new CommandLine(command).execute(args);
  }

  String output() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aWorkingStoreAndIndexPassEveryCheck() throws Exception {
    Files.createDirectory(dir.resolve("pages")); // as the sink made them when it started
    SqlitePageIndex.open(dir.resolve("index.db")).close();
    int code =
        run(
            "name=c\ntopics=events\nstorage.filesystem.path="
                + dir.resolve("pages")
                + "\nindex.backend=sqlite\nindex.sqlite.path="
                + dir.resolve("index.db")
                + "\n");
    assertThat(code).as(output()).isZero();
    assertThat(output())
        .contains("storage  create-only", "index    write", "All 9 checks passed")
        .doesNotContain("FAILED");
  }

  @Test
  void badSettingsExit78NamingEachKeyAndTouchNoService() throws Exception {
    int code = run("storage.backend=s3\nstorage.s3.bucket=b\nbuffer.max.events=0\n");
    assertThat(code).isEqualTo(Main.EXIT_BAD_CONFIG);
    assertThat(output()).contains("buffer.max.events", "FAILED").doesNotContain("storage  write");
  }

  @Test
  void anUnreachableStoreExits69WithTheReason() throws Exception {
    int code =
        run(
            "storage.backend=s3\nstorage.s3.bucket=b\nstorage.s3.endpoint=http://127.0.0.1:1\n"
                + "storage.s3.region=us-east-1\nstorage.s3.access.key=a\nstorage.s3.secret.key=s\nindex.backend=none\n");
    assertThat(code).isEqualTo(Main.EXIT_UNAVAILABLE);
    assertThat(output())
        .contains("storage  write", "FAILED", "127.0.0.1:1", "index.backend=none")
        .contains("1 of 7 checks FAILED");
  }

  @Test
  void readOnlyListsAndReadsTheStoreAndReadsTheIndexWritingNothing() throws Exception {
    Path pages = Files.createDirectory(dir.resolve("pages"));
    SqlitePageIndex.open(dir.resolve("index.db")).close(); // as the connector left it
    int code =
        run(
            "storage.filesystem.path="
                + pages
                + "\nindex.backend=sqlite\nindex.sqlite.path="
                + dir.resolve("index.db")
                + "\n",
            "--read-only");
    assertThat(code).as(output()).isZero();
    assertThat(output())
        .contains("storage  list", "no objects there yet", "index    read", "All 4 checks passed")
        .doesNotContain("create-only");
    try (var files = Files.walk(pages)) {
      assertThat(files.filter(Files::isRegularFile)).as("nothing written").isEmpty();
    }
  }

  /** --read-only reads the index as replay does: an older version's file is not written. */
  @Test
  void readOnlyReadsAnOlderVersionsIndexFileWithoutWritingIt() throws Exception {
    Path pages = Files.createDirectory(dir.resolve("pages"));
    Path older = dir.resolve("older.db");
    OlderSqliteIndexFile.create(
        older, List.of(PageIndexContract.entry("w1", 1, 1_700_000_000_000L, 1_700_000_001_000L)));
    OlderSqliteIndexFile.State before = OlderSqliteIndexFile.State.settled(older);
    int code =
        run(
            "storage.filesystem.path="
                + pages
                + "\nindex.backend=sqlite\nindex.sqlite.path="
                + older,
            "--read-only");
    assertThat(code).as(output()).isZero();
    assertThat(output()).contains("index    read", "All 4 checks passed");
    assertThat(OlderSqliteIndexFile.State.of(older)).as("the file as it was").isEqualTo(before);
  }

  @Test
  void readOnlyFailsOnASqliteIndexThatIsNotThereAndCreatesNone() throws Exception {
    Path absent = dir.resolve("typo/index.db");
    int code =
        run(
            "storage.filesystem.path="
                + dir.resolve("pages")
                + "\nindex.backend=sqlite\nindex.sqlite.path="
                + absent
                + "\n",
            "--read-only");
    assertThat(code).as(output()).isEqualTo(Main.EXIT_UNAVAILABLE);
    assertThat(output())
        .contains("index    open", "FAILED", "index.sqlite.path=" + absent + " does not exist");
    assertThat(absent).doesNotExist();
  }

  /**
   * The example worker settings point under /var/lib/prism, which the sink creates when it starts:
   * a check made the store's directory and the index file (owned by whoever ran it, often root).
   */
  @Test
  void aStoreAndIndexNotCreatedYetAreLeftUncreatedAndTheCheckSaysTheSinkCanCreateThem()
      throws Exception {
    Path prism = dir.resolve("var/lib/prism");
    int code =
        run(
            "storage.filesystem.path="
                + prism.resolve("snapshots")
                + "\nindex.backend=sqlite\nindex.sqlite.path="
                + prism.resolve("index.db")
                + "\n");

    assertThat(code).as(output()).isZero();
    assertThat(output())
        .contains(
            "storage  location     ok      " + prism.resolve("snapshots") + " (storage.filesystem",
            "index    location     ok      " + prism.resolve("index.db") + " (index.sqlite.path)",
            "the sink creates it when it starts",
            "storage  create-only  skipped",
            "index    write        skipped")
        .doesNotContain("FAILED");
    assertThat(dir.resolve("var")).as("nothing created").doesNotExist();
  }

  @Test
  void aStoreDirectoryTheSinkCouldNotCreateFailsTheCheck() throws Exception {
    Path file = Files.writeString(dir.resolve("prism"), "a file where a directory should be");
    int code =
        run("storage.filesystem.path=" + file.resolve("snapshots") + "\nindex.backend=none\n");

    assertThat(code).as(output()).isEqualTo(Main.EXIT_UNAVAILABLE);
    assertThat(output())
        .contains("storage  location", "FAILED", file + " is not a directory", "1 of 8 checks");
  }

  @Test
  void readOnlyFailsOnAStoreDirectoryThatIsNotThereAndCreatesNone() throws Exception {
    Path absent = dir.resolve("typo/pages");
    int code = run("storage.filesystem.path=" + absent + "\nindex.backend=none\n", "--read-only");

    assertThat(code).as(output()).isEqualTo(Main.EXIT_UNAVAILABLE);
    assertThat(output()).contains("storage  list", "FAILED", "no store directory at " + absent);
    assertThat(dir.resolve("typo")).doesNotExist();
  }
}
