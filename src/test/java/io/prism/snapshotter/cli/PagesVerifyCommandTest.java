package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.sink.ReindexerTestPages;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PagesVerifyCommandTest {
  @TempDir Path dir;
  private Path config;
  private FilesystemObjectStore store;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void storePages() throws Exception {
    store = new FilesystemObjectStore(dir.resolve("pages"));
    try (SqlitePageIndex index = SqlitePageIndex.open(dir.resolve("index.db"))) {
      ReindexerTestPages.store(store, index, PageFormat.PROTOBUF, Compression.GZIP);
    }
    config = dir.resolve("connector.properties");
    Files.writeString(
        config,
        "storage.backend=filesystem\nstorage.filesystem.path="
            + dir.resolve("pages")
            + "\nindex.backend=sqlite\nindex.sqlite.path="
            + dir.resolve("index.db")
            + "\n");
  }

  private int run(String... args) {
    out.reset();
    err.reset();
    PagesVerifyCommand command = new PagesVerifyCommand();
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    command.localStackConfig = dir.resolve("no-local-stack.properties");
    return new CommandLine(command)
        .setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true))
        .execute(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private List<IndexEntry> pagesOf(String writer) {
    try (SqlitePageIndex index = SqlitePageIndex.open(dir.resolve("index.db"))) {
      return index.entries(writer, TimeRange.ALL);
    }
  }

  @Test
  void aConsistentIndexExitsZeroAndSaysWhatItChecked() {
    assertThat(run("--config", config.toString())).as(err()).isZero();
    assertThat(out()).isEmpty();
    assertThat(err()).contains("16 entries of 4 writers checked: 0 dangling, 0 with another size");
  }

  @Test
  void listsDanglingEntriesOnePerLineExits66ThenRepairRemovesThem() {
    String alices = pagesOf("alice").get(3).pageKey();
    String other = pagesOf("é漢字").get(0).pageKey();
    store.delete(alices);
    store.delete(other);

    assertThat(run("--config", config.toString())).as(err()).isEqualTo(66);
    assertThat(out())
        .isEqualTo("dangling " + alices + " writer 'alice'\ndangling " + other + " writer 'é漢字'\n");
    assertThat(err()).contains("2 dangling", "run again with --repair");
    assertThat(pagesOf("alice")).hasSize(4);

    assertThat(run("--config", config.toString(), "--writer", "alice", "--repair"))
        .as(err())
        .isZero();
    assertThat(out()).isEqualTo("removed " + alices + " writer 'alice'\n");
    assertThat(err()).contains("4 entries of 1 writer checked: 1 dangling (1 removed)");
    assertThat(pagesOf("alice")).hasSize(3);

    assertThat(run("--config", config.toString())).isEqualTo(66); // é漢字's is still there
    assertThat(run("--config", config.toString(), "--repair")).as(err()).isZero();
    assertThat(run("--config", config.toString())).as(err()).isZero();
  }

  @Test
  void aSizeThatDiffersExits65AndIsNotRepaired() throws Exception {
    String key = pagesOf("bob").get(0).pageKey();
    Path file = dir.resolve("pages").resolve(key);
    Files.write(file, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);

    assertThat(run("--config", config.toString(), "--repair")).as(err()).isEqualTo(65);
    assertThat(out()).startsWith("size-differs " + key + " writer 'bob' index ");
    assertThat(pagesOf("bob")).hasSize(4);
  }

  @Test
  void settingsWithoutAnIndexOrWithAMissingSqliteFileAreABadConfig() throws Exception {
    Path noIndex = dir.resolve("no-index.properties");
    Files.writeString(
        noIndex, "storage.backend=filesystem\nstorage.filesystem.path=" + dir.resolve("pages"));
    assertThat(run("--config", noIndex.toString())).isEqualTo(78);
    assertThat(err()).contains("no page index to verify");

    Path missing = dir.resolve("missing.properties");
    Files.writeString(
        missing,
        "storage.backend=filesystem\nstorage.filesystem.path="
            + dir.resolve("pages")
            + "\nindex.backend=sqlite\nindex.sqlite.path="
            + dir.resolve("typo.db"));
    assertThat(run("--config", missing.toString())).isEqualTo(78);
    assertThat(err()).contains("index.sqlite.path=" + dir.resolve("typo.db") + " does not exist");
    assertThat(dir.resolve("typo.db")).doesNotExist();
  }

  /**
   * A mistyped storage.filesystem.path: verify made the directory and found every entry dangling
   * (and --repair, with --force, would have removed them all).
   */
  @Test
  void aStoreDirectoryThatIsNotThereIsABadConfigAndIsNotCreated() throws Exception {
    Path absent = dir.resolve("typo/pages");
    Path typo = dir.resolve("typo.properties");
    Files.writeString(
        typo,
        "storage.backend=filesystem\nstorage.filesystem.path="
            + absent
            + "\nindex.backend=sqlite\nindex.sqlite.path="
            + dir.resolve("index.db"));
    for (String[] args :
        List.of(
            new String[] {"--config", typo.toString()},
            new String[] {"--config", typo.toString(), "--repair", "--force"})) {
      assertThat(run(args)).isEqualTo(78);
      assertThat(err())
          .isEqualTo(
              "pages verify: storage.filesystem.path="
                  + absent
                  + " does not exist (nothing was ever stored there; check the path, or give the"
                  + " --config the connector runs with)\n");
      assertThat(out()).isEmpty();
      assertThat(absent.getParent()).doesNotExist();
    }
    assertThat(pagesOf("alice")).hasSize(4);
  }

  @Test
  void isASubcommandOfPages() {
    assertThat(Main.commandLine().getSubcommands().get("pages").getSubcommands())
        .containsKey("verify");
  }

  @Test
  void aParallelismOutOfRangeOrForceWithoutRepairIsBadUsage() {
    assertThat(run("--config", config.toString(), "--parallelism", "0")).isEqualTo(2);
    assertThat(err()).contains("--parallelism must be 1 to 100 (50 on S3)", "not 0");
    assertThat(run("--config", config.toString(), "--parallelism", "101")).isEqualTo(2);
    assertThat(err()).contains("not 101");
    assertThat(run("--config", config.toString(), "--force")).isEqualTo(2);
    assertThat(err()).contains("--force goes with --repair only");
    // A filesystem's client sets no limit: up to 100 threads.
    assertThat(run("--config", config.toString(), "--parallelism", "100")).as(err()).isZero();
  }

  /** On S3 the cap is its client's pool of 50 connections: bad usage, before any request. */
  @Test
  void onS3TheParallelismIsCappedAtTheClientsConnectionPool() throws Exception {
    Path s3 = dir.resolve("s3.properties");
    Files.writeString(
        s3,
        "storage.backend=s3\nstorage.s3.bucket=b\nstorage.s3.endpoint=http://127.0.0.1:1\n"
            + "storage.s3.region=us-east-1\nstorage.s3.access.key=a\nstorage.s3.secret.key=s\n"
            + "index.backend=sqlite\nindex.sqlite.path="
            + dir.resolve("index.db")
            + "\n");

    assertThat(run("--config", s3.toString(), "--parallelism", "51")).isEqualTo(2);
    assertThat(err())
        .contains("--parallelism must be 1 to 50 on s3://b", "connection pool", "not 51");
  }

  /**
   * A wrong directory (or bucket, or prefix) that holds other objects: every entry looks dangling.
   * --repair refuses (78) and removes nothing; --force removes.
   */
  @Test
  void repairRefusesWhenEveryEntryCheckedIsDanglingUnlessForced() throws Exception {
    Path elsewhere = dir.resolve("elsewhere");
    Files.createDirectories(elsewhere.resolve("other"));
    Files.writeString(elsewhere.resolve("other/object"), "not a page");
    Path wrong = dir.resolve("wrong.properties");
    Files.writeString(
        wrong,
        Files.readString(config).replace(dir.resolve("pages").toString(), elsewhere.toString()));

    assertThat(run("--config", wrong.toString(), "--repair")).as(err()).isEqualTo(78);
    assertThat(out()).isEmpty();
    assertThat(err())
        .contains(
            "every one of the 16 entries checked is dangling",
            "--repair would empty the index; removed nothing",
            "add --force");
    assertThat(pagesOf("alice")).hasSize(4);

    assertThat(run("--config", wrong.toString())).isEqualTo(66);
    assertThat(err()).contains("every entry checked is dangling: check that the settings name");

    assertThat(run("--config", wrong.toString(), "--repair", "--force")).as(err()).isZero();
    assertThat(out().lines()).hasSize(16).allMatch(l -> l.startsWith("removed "));
    assertThat(pagesOf("alice")).isEmpty();
  }

  @Test
  void progressLinesGoToStderr() {
    String gone = pagesOf("bob").get(0).pageKey();
    store.delete(gone);
    out.reset();
    PagesVerifyCommand command = new PagesVerifyCommand();
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    command.progressEvery = java.time.Duration.ZERO;

    assertThat(new CommandLine(command).execute("--config", config.toString(), "--repair"))
        .as(err())
        .isZero();

    assertThat(out()).isEqualTo("removed " + gone + " writer 'bob'\n");
    assertThat(err())
        .contains(
            "pages verify: 1 entry of 1 writer checked so far: 0 dangling (0 removed), 0 with"
                + " another size; at writer 'alice'")
        .contains(
            "16 entries of 4 writers checked so far: 1 dangling (0 removed), 0 with another"
                + " size; at writer 'é漢字'")
        .contains("16 entries of 4 writers checked: 1 dangling (1 removed), 0 with another size");
  }

  @Test
  void theHelpNamesParallelismForceAndTheRefusal() {
    StringWriter help = new StringWriter();
    new CommandLine(new PagesVerifyCommand()).usage(new PrintWriter(help));
    assertThat(help.toString())
        .contains(
            "--parallelism=N", "default: 16", "--force", "78 bad config or a", "refused --repair");
    assertThat(help.toString().lines()).allMatch(l -> l.length() <= 80, "fits 80 columns");
  }
}
