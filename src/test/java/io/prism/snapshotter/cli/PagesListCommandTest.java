package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.IndexEntryJson;
import io.prism.snapshotter.index.OlderSqliteIndexFile;
import io.prism.snapshotter.index.PageIndexContract;
import io.prism.snapshotter.index.SqlitePageIndex;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PagesListCommandTest {
  @TempDir Path dir;
  Path config;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();
  final IndexEntry early = PageIndexContract.entry("w1", 1, 1_700_000_000_000L, 1_700_000_001_000L);
  final IndexEntry late = PageIndexContract.entry("w1", 2, 1_700_000_100_000L, 1_700_000_101_000L);

  @BeforeEach
  void indexTwoPages() throws Exception {
    Path db = dir.resolve("index.db");
    try (SqlitePageIndex index = SqlitePageIndex.open(db)) {
      index.publish(
          List.of(
              late,
              early,
              PageIndexContract.entry("w2", 3, 1_700_000_000_000L, 1_700_000_001_000L)));
    }
    config = dir.resolve("snapshotter.properties");
    Files.writeString(config, "index.backend=sqlite\nindex.sqlite.path=" + db + "\n");
  }

  int run(String... args) {
    PagesListCommand command = new PagesListCommand();
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    return new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
  }

  @Test
  void jsonOutputIsOneEntryPerLineInOrder() {
    assertThat(run("--writer", "w1", "--config", config.toString(), "--output", "json")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines().map(IndexEntryJson::read))
        .containsExactly(early, late);
  }

  @Test
  void timesNarrowTheListInIsoOrEpochMillis() {
    assertThat(
            run(
                "--writer",
                "w1",
                "--config",
                config.toString(),
                "--output",
                "json",
                "--from",
                "2023-11-14T22:14:00Z",
                "--to",
                "1700000200000"))
        .isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines().map(IndexEntryJson::read))
        .containsExactly(late);
  }

  /** As replay's: a page starting at --to is listed, and replay would read an event of it. */
  @Test
  void bothEndsAreIncluded() {
    assertThat(
            run(
                "--writer",
                "w1",
                "--config",
                config.toString(),
                "--output",
                "json",
                "--from",
                Long.toString(early.endTime()),
                "--to",
                Long.toString(late.startTime())))
        .isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines().map(IndexEntryJson::read))
        .containsExactly(early, late);
  }

  /**
   * early ends at 22:13:21.000Z and late starts at 22:15:00.000Z: a bound half a millisecond past
   * one of them is rounded into the range, so it leaves that page out (--from) or keeps it (--to).
   */
  @Test
  void digitsBelowAMillisecondAreRoundedIntoTheRange() {
    assertThat(
            run(
                "--writer",
                "w1",
                "--config",
                config.toString(),
                "--output",
                "json",
                "--from",
                "2023-11-14T22:13:21.0005Z",
                "--to",
                "2023-11-14T22:15:00.0005Z"))
        .isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines().map(IndexEntryJson::read))
        .containsExactly(late);

    out.reset();
    assertThat(
            run(
                "--writer",
                "w1",
                "--config",
                config.toString(),
                "--output",
                "json",
                "--from",
                "2023-11-14T22:13:20.9995Z",
                "--to",
                "2023-11-14T22:14:59.9995Z"))
        .isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines().map(IndexEntryJson::read))
        .containsExactly(early);
  }

  /**
   * A file of a version before the writer span table, as an upgraded connector's index may be until
   * the sink opens it: listed as it is, and not written (the span table was added to it, in a write
   * transaction, by the command meant only to read it).
   */
  @Test
  void anOlderVersionsFileIsListedAndNotWritten() throws Exception {
    Path older = dir.resolve("older/index.db");
    Files.createDirectories(older.getParent());
    OlderSqliteIndexFile.create(older, List.of(late, early));
    Files.setPosixFilePermissions(older, PosixFilePermissions.fromString("r--r--r--"));
    OlderSqliteIndexFile.State before = OlderSqliteIndexFile.State.settled(older);
    Files.writeString(config, "index.backend=sqlite\nindex.sqlite.path=" + older + "\n");

    assertThat(run("--writer", "w1", "--config", config.toString(), "--output", "json")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines().map(IndexEntryJson::read))
        .containsExactly(early, late);
    assertThat(OlderSqliteIndexFile.State.of(older)).as("the file as it was").isEqualTo(before);
  }

  @Test
  void tableOutputHasAHeaderAndARowPerPage() {
    assertThat(run("--writer", "w1", "--config", config.toString())).isZero();
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).startsWith("START").contains("KEY");
    assertThat(lines.get(1)).startsWith("2023-11-14T22:13:20Z").endsWith(early.pageKey());
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("2 pages of 'w1'")
        .doesNotContain("open page");
  }

  @Test
  void aSinglePageIsCountedInTheSingular() {
    assertThat(
            run(
                "--writer",
                "w1",
                "--config",
                config.toString(),
                "--to",
                "2023-11-14T22:14:59.9995Z"))
        .isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("1 page of 'w1'")
        .doesNotContain("pages");
  }

  /**
   * A merged page's sequence is negative and up to 20 characters (compaction derives it from a
   * hash); the SEQUENCE column was 12 wide, so such a row pushed its later columns out of line.
   */
  @Test
  void aMergedPagesNegativeSequenceKeepsTheColumnsInLine() throws Exception {
    IndexEntry merged =
        new IndexEntry(
            "pages/w3/0-1700000000000_c5d41402abc4b2a76.pb.zst",
            "w3",
            -7_315_550_815_782_327_039L,
            1_700_000_000_000L,
            1_700_000_001_000L,
            20,
            2367,
            998,
            "protobuf",
            "zstd",
            "events",
            2,
            1001,
            1024);
    IndexEntry sink = PageIndexContract.entry("w3", 2000, 1_700_000_002_000L, 1_700_000_003_000L);
    try (SqlitePageIndex index = SqlitePageIndex.open(dir.resolve("index.db"))) {
      index.publish(List.of(merged, sink));
    }
    assertThat(run("--writer", "w3", "--config", config.toString())).isZero();
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(3);
    int keyColumn = lines.get(0).indexOf("KEY");
    assertThat(lines.get(1).indexOf(merged.pageKey())).isEqualTo(keyColumn);
    assertThat(lines.get(2).indexOf(sink.pageKey())).isEqualTo(keyColumn);
    assertThat(lines.get(1)).contains(" -7315550815782327039 ");
  }

  @Test
  void noPagesSaysThatAnOpenPageIsListedOnceItCloses() {
    assertThat(run("--writer", "nobody-yet", "--config", config.toString())).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("0 pages of 'nobody-yet'")
        .contains("open page")
        .contains("buffer.max.age.seconds");
    assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(1); // the header alone
  }

  @Test
  void aBadConfigExitsWith78() throws Exception {
    Files.writeString(config, "index.backend=cassandra\n");
    assertThat(run("--writer", "w1", "--config", config.toString()))
        .isEqualTo(Main.EXIT_BAD_CONFIG);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("index.backend");
  }

  /**
   * A misspelt setting is ignored by the command (it reads only some of a connector's file) but
   * said, with the setting meant, before the answer that it explains.
   */
  @Test
  void aSettingTheSnapshotterDoesNotHaveIsWarnedAboutNamingTheOneMeant() throws Exception {
    Files.writeString(
        config, Files.readString(config) + "index.sqlite.pth=/elsewhere.db\ntopics=events\n");
    assertThat(run("--writer", "w1", "--config", config.toString())).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8).lines())
        .first(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .isEqualTo(
            "pages list: warning: index.sqlite.pth is not a setting of this version of the"
                + " snapshotter; did you mean index.sqlite.path? (in "
                + config
                + "; ignored)");
    assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(3); // the header, two pages
  }

  int runWithStdout(java.io.OutputStream stdout, String... args) {
    PagesListCommand command = new PagesListCommand();
    command.out = stdout;
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    return new CommandLine(command).execute(args);
  }

  @Test
  void aStdoutThatCannotBeWrittenExitsWith74AndSaysSo() {
    assertThat(
            runWithStdout(
                new FailingStdout(0, FailingStdout.DISK_FULL),
                "--writer",
                "w1",
                "--config",
                config.toString()))
        .isEqualTo(74);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("pages list: cannot write to stdout: No space left on device");
  }

  @Test
  void aReaderThatStopsReadingEndsTheListQuietly() {
    assertThat(
            runWithStdout(
                new FailingStdout(0, FailingStdout.BROKEN_PIPE),
                "--writer",
                "w1",
                "--config",
                config.toString(),
                "--output",
                "json"))
        .isZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void aSqliteIndexThatIsNotThereIsABadConfigNotAnEmptyList() throws Exception {
    Path absent = dir.resolve("elsewhere/index.db");
    Files.writeString(config, "index.backend=sqlite\nindex.sqlite.path=" + absent + "\n");
    assertThat(run("--writer", "w1", "--config", config.toString())).isEqualTo(78);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("pages list: index.sqlite.path=" + absent + " does not exist");
    assertThat(absent).doesNotExist();
    assertThat(out.size()).isZero();
  }

  /** pages list reads only the index: its missing-settings error must not ask for a store. */
  @Test
  void withoutSettingsTheErrorAsksForTheIndexsNotTheStores() {
    PagesListCommand command = new PagesListCommand();
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    command.localStackConfig = dir.resolve("data/connector.properties");

    assertThat(new CommandLine(command).execute("--writer", "w1")).isEqualTo(78);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("pages list: no --config FILE given")
        .contains("the page index (index.*)")
        .doesNotContain("storage.*");
  }

  @Test
  void settingsWithoutAnIndexAreABadConfig() throws Exception {
    Files.writeString(config, "index.backend=none\n");
    assertThat(run("--writer", "w1", "--config", config.toString())).isEqualTo(78);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("index.backend=none");
  }

  /**
   * Both bounds between the same two milliseconds: no event time is in the range. Exit 0 and the
   * same words as replay's (ReplayCommandTest), where replay used to exit 78.
   */
  @Test
  void aRangeWithoutAWholeMillisecondPrintsNothingAndSaysWhyAsReplayDoes() {
    assertThat(
            run(
                "--writer",
                "w1",
                "--config",
                config.toString(),
                "--from",
                "2023-11-14T22:13:20.0005Z",
                "--to",
                "2023-11-14T22:13:20.0005Z"))
        .isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "pages list: --from 2023-11-14T22:13:20.000500Z to --to 2023-11-14T22:13:20.000500Z"
                + " holds no whole millisecond, and event times are whole milliseconds: nothing is"
                + " in it\n");
  }

  /** As replay: --from after --to is a mistake (78), said the same way, even a sub-ms one. */
  @Test
  void fromAfterToIsABadConfigSaidAsReplaySaysIt() {
    assertThat(
            run(
                "--writer",
                "w1",
                "--config",
                config.toString(),
                "--from",
                "2023-11-14T22:13:20.0007Z",
                "--to",
                "2023-11-14T22:13:20.0005Z"))
        .isEqualTo(78);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "pages list: --from 2023-11-14T22:13:20.000700Z is after --to"
                + " 2023-11-14T22:13:20.000500Z: give the earlier time to --from\n");
  }
}
