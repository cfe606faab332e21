package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.OlderSqliteIndexFile;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageEncoder;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.page.PageSpec;
import io.prism.snapshotter.sink.Reindexer;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.PutOptions;
import io.prism.snapshotter.storage.WriterIds;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReplayCommandTest {
  @TempDir Path dir;

  private Path config;
  private FilesystemObjectStore store;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void setUp() throws IOException {
    config = dir.resolve("replay.properties");
    Files.writeString(
        config,
        "storage.backend=filesystem\nstorage.filesystem.path=" + dir.resolve("pages") + "\n");
    store = new FilesystemObjectStore(dir.resolve("pages"));
  }

  private void storePage(String key, long first, int count) throws IOException {
    storePage("user-1", key, first, count);
  }

  private void storePage(String writer, String key, long first, int count) throws IOException {
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long offset = first + i;
      events.add(
          new Event(
              "events-0-" + offset,
              1_700_000_000_000L + offset,
              ("p" + offset).getBytes(StandardCharsets.UTF_8),
              Map.of("kind", offset % 2 == 0 ? "even" : "odd")));
    }
    ByteArrayOutputStream page = new ByteArrayOutputStream();
    new PageEncoder()
        .encode(
            PageFormat.PROTOBUF,
            Compression.ZSTD,
            new PageSpec(
                writer,
                first,
                Map.of(
                    "kafka.topic",
                    "events",
                    "kafka.partition",
                    "0",
                    "kafka.offset.first",
                    Long.toString(first),
                    "kafka.offset.last",
                    Long.toString(first + count - 1))),
            events,
            page);
    store.put(
        key, new ByteArrayInputStream(page.toByteArray()), page.size(), PutOptions.defaults());
  }

  private int run(String... args) {
    return new CommandLine(
            new ReplayCommand(out, new PrintStream(err, true, StandardCharsets.UTF_8), false))
        .setErr(new PrintWriter(err, true, StandardCharsets.UTF_8)) // picocli's usage errors
        .execute(args);
  }

  @Test
  void printsNdjsonEventLinesInOrderFilteredByTimeAndAttribute() throws IOException {
    storePage("snapshots/2023/11/14/user-1/b_events-0-3.pb.zst", 3, 3);
    storePage("snapshots/2023/11/14/user-1/a_events-0-0.pb.zst", 0, 3);

    assertThat(run("--writer", "user-1", "--config", config.toString())).isZero();
    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(6);
    assertThat(lines[0])
        .isEqualTo(
            "{\"event_id\":\"events-0-0\",\"timestamp\":1700000000000,\"payload\":\"cDA=\","
                + "\"attributes\":{\"kind\":\"even\"},\"sequence\":0}");
    assertThat(lines[5]).contains("\"event_id\":\"events-0-5\"").contains("\"sequence\":2");

    out.reset();
    assertThat(
            run(
                "--writer",
                "user-1",
                "--config",
                config.toString(),
                "--from",
                "1700000000001",
                "--to",
                "2023-11-14T22:13:20.004Z",
                "--attr",
                "kind=odd",
                "--output",
                "raw"))
        .isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("p1\np3\n");
  }

  /**
   * A writer id holding NUL cannot be passed in argv at all, and one with non-ASCII text arrives
   * mangled when the locale is not UTF-8 (LANG=C in a container): --writer-encoded takes the id as
   * its keys show it (WriterIds' encoding), so every writer can be replayed.
   */
  @Test
  void aWriterIdThatArgvCannotCarryIsGivenInItsKeyEncoding() throws IOException {
    String hostile = "../a\u0000b\nc/\u00e9";
    String encoded = WriterIds.encode(hostile);
    assertThat(encoded).isEqualTo("%2E.%2Fa%00b%0Ac%2F%C3%A9");
    storePage(hostile, "snapshots/2023/11/14/" + encoded + "/a_events-0-0.pb.zst", 0, 2);
    storePage("snapshots/2023/11/14/user-1/a_events-0-0.pb.zst", 5, 1);

    assertThat(run("--writer-encoded", encoded, "--config", config.toString(), "--output", "raw"))
        .isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("p0\np1\n");

    out.reset();
    assertThat(run("--writer-encoded", "a%0", "--config", config.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--writer-encoded").contains("a%0");
    assertThat(
            run("--writer", "user-1", "--writer-encoded", "user-1", "--config", config.toString()))
        .isEqualTo(2);
    assertThat(out.size()).isZero();
  }

  /**
   * Events are at 1700000000000 + offset ms (2023-11-14T22:13:20.00Nz): a bound half a millisecond
   * past one is rounded into the range, never truncated to that event's millisecond.
   */
  @Test
  void digitsBelowAMillisecondAreRoundedIntoTheRange() throws IOException {
    storePage("snapshots/2023/11/14/user-1/a_events-0-0.pb.zst", 0, 6);

    assertThat(
            run(
                "--writer",
                "user-1",
                "--config",
                config.toString(),
                "--from",
                "2023-11-14T22:13:20.0015Z",
                "--to",
                "2023-11-14T22:13:20.0035Z",
                "--output",
                "raw"))
        .isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .as("the event at .001 is before --from, the one at .004 after --to")
        .isEqualTo("p2\np3\n");
  }

  @Test
  void protobufDelimitedOutputParsesAsEvents() throws IOException {
    storePage("snapshots/2023/11/14/user-1/a_events-0-0.pb.zst", 0, 4);
    assertThat(
            run(
                "--writer",
                "user-1",
                "--config",
                config.toString(),
                "--output",
                "protobuf-delimited"))
        .isZero();
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    List<String> ids = new ArrayList<>();
    io.prism.snapshotter.proto.Event e;
    while ((e = io.prism.snapshotter.proto.Event.parseDelimitedFrom(in)) != null) {
      ids.add(e.getEventId() + "#" + e.getSequence());
    }
    assertThat(ids).containsExactly("events-0-0#0", "events-0-1#1", "events-0-2#2", "events-0-3#3");
  }

  /**
   * Nothing on stdout, but a note on stderr: replay right after a publish (the README's tour) used
   * to print nothing at all while the events were still in the writer's open page.
   */
  @Test
  void aWriterWithoutPagesPrintsNothingAndSucceedsSayingWhyOnStderr() throws IOException {
    assertThat(run("--writer", "nobody", "--config", config.toString())).isZero();
    assertThat(out.size()).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "replay: no pages of 'nobody' (events in a writer's open page are stored, and"
                + " replayed, once it closes: at buffer.max.events, buffer.max.size.bytes or"
                + " buffer.max.age.seconds, or when its session ends)\n");

    storePage("snapshots/2023/11/14/user-1/a_events-0-0.pb.zst", 0, 3);
    err.reset();
    assertThat(run("--writer", "user-1", "--from", "2030-01-01", "--config", config.toString()))
        .isZero();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("replay: no pages of 'user-1' in that time range (");
    err.reset();
    assertThat(run("--writer", "user-1", "--config", config.toString())).isZero();
    assertThat(err.size()).isZero(); // a page, so no note
  }

  @Test
  void aCorruptPageExitsWith65NamingItsKey() {
    byte[] junk = "{\"metadata\":".getBytes(StandardCharsets.UTF_8);
    store.put(
        "snapshots/2023/11/14/user-1/x.ndjson",
        new ByteArrayInputStream(junk),
        junk.length,
        PutOptions.defaults());
    assertThat(run("--writer", "user-1", "--config", config.toString())).isEqualTo(65);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("snapshots/2023/11/14/user-1/x.ndjson")
        .contains("--on-corrupt skip replays the other pages");
  }

  @Test
  void withOnCorruptSkipTheOtherPagesArePrintedAndTheSkippedOnesListedWithExit65()
      throws IOException {
    storePage("snapshots/2023/11/14/user-1/a_events-0-0.pb.zst", 0, 3);
    storePage("snapshots/2023/11/14/user-1/c_events-0-6.pb.zst", 6, 3);
    byte[] junk = "{\"metadata\":".getBytes(StandardCharsets.UTF_8);
    store.put(
        "snapshots/2023/11/14/user-1/b_events-0-3.ndjson",
        new ByteArrayInputStream(junk),
        junk.length,
        PutOptions.defaults());

    assertThat(run("--writer", "user-1", "--config", config.toString(), "--on-corrupt", "skip"))
        .isEqualTo(65);
    assertThat(out.toString(StandardCharsets.UTF_8).split("\n"))
        .hasSize(6)
        .allSatisfy(line -> assertThat(line).doesNotContain("events-0-3"));
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("replay: skipped 1 corrupt page (--on-corrupt skip)")
        .contains("  snapshots/2023/11/14/user-1/b_events-0-3.ndjson: ");

    err.reset();
    assertThat(run("--writer", "user-1", "--config", config.toString(), "--on-corrupt", "later"))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("'later' is not one of: fail, skip");
  }

  @Test
  void badConfigOrOptionsExitWith78() throws IOException {
    Files.writeString(config, "storage.backend=s3\n");
    assertThat(run("--writer", "user-1", "--config", config.toString())).isEqualTo(78);
    assertThat(run("--writer", "user-1", "--config", dir.resolve("missing.properties").toString()))
        .isEqualTo(78);
    assertThat(run("--writer", "user-1", "--config", config.toString(), "--from", "5", "--to", "4"))
        .isEqualTo(78);
  }

  private int runWithStdout(OutputStream stdout, String... args) {
    return new CommandLine(
            new ReplayCommand(stdout, new PrintStream(err, true, StandardCharsets.UTF_8), false))
        .execute(args);
  }

  @Test
  void aReaderThatStopsReadingEndsReplayQuietly() throws IOException {
    // More than the 64 KiB output buffer, so writes reach the closed pipe before the end.
    storePage("snapshots/2023/11/14/user-1/a_events-0-0.pb.zst", 0, 5000);
    assertThat(
            runWithStdout(
                new FailingStdout(0, FailingStdout.BROKEN_PIPE),
                "--writer",
                "user-1",
                "--config",
                config.toString()))
        .isZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void anyOtherStdoutFailureExitsWith74AndSaysSo() throws IOException {
    storePage("snapshots/2023/11/14/user-1/a_events-0-0.pb.zst", 0, 5000);
    assertThat(
            runWithStdout(
                new FailingStdout(0, FailingStdout.DISK_FULL),
                "--writer",
                "user-1",
                "--config",
                config.toString()))
        .isEqualTo(74);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("replay: cannot write to stdout: No space left on device");
  }

  @Test
  void aSqliteIndexThatIsNotThereIsABadConfigNotAWriterWithoutPages() throws IOException {
    storePage("snapshots/2023/11/14/user-1/a_events-0-0.pb.zst", 0, 3);
    Path absent = dir.resolve("typo/index.db");
    Files.writeString(
        config,
        "storage.backend=filesystem\nstorage.filesystem.path="
            + dir.resolve("pages")
            + "\nindex.backend=sqlite\nindex.sqlite.path="
            + absent
            + "\n");
    assertThat(run("--writer", "user-1", "--config", config.toString())).isEqualTo(78);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "replay: index.sqlite.path="
                + absent
                + " does not exist (no page was ever indexed there; check the path");
    assertThat(absent.getParent()).doesNotExist();
  }

  /**
   * A mistyped storage.filesystem.path: replay made the directory (opening the store as the sink
   * does) and answered "no pages of user-1", exit 0.
   */
  @Test
  void aStoreDirectoryThatIsNotThereIsABadConfigAndIsNotCreated() throws IOException {
    Path absent = dir.resolve("typo/pages");
    Files.writeString(
        config, "storage.backend=filesystem\nstorage.filesystem.path=" + absent + "\n");
    assertThat(run("--writer", "user-1", "--config", config.toString())).isEqualTo(78);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "replay: storage.filesystem.path="
                + absent
                + " does not exist (nothing was ever stored there; check the path, or give the"
                + " --config the connector runs with)\n");
    assertThat(out.size()).isZero();
    assertThat(absent.getParent()).doesNotExist();
  }

  /** A relative path is named as given, and where it points from the working directory. */
  @Test
  void aRelativeStoreDirectoryThatIsNotThereIsNamedWithWhereItPoints() throws IOException {
    Path relative = Path.of("target", "no-such-store-" + System.nanoTime());
    Files.writeString(config, "storage.filesystem.path=" + relative + "\n");
    assertThat(run("--writer", "user-1", "--config", config.toString())).isEqualTo(78);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "storage.filesystem.path="
                + relative
                + " ("
                + relative.toAbsolutePath()
                + " from here) does not exist");
    assertThat(relative).doesNotExist();
  }

  /**
   * Both bounds between the same two milliseconds: no event time is in the range. Up to 2026-11
   * replay exited 78 ("time range is empty") where pages list printed nothing and exited 0; both
   * now print nothing, exit 0 and say why in the same words (PagesListCommandTest).
   */
  @Test
  void aRangeWithoutAWholeMillisecondPrintsNothingAndSaysWhyAsPagesListDoes() throws IOException {
    storePage("snapshots/2023/11/14/user-1/a_events-0-0.pb.zst", 0, 3);
    assertThat(
            run(
                "--writer",
                "user-1",
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
            "replay: --from 2023-11-14T22:13:20.000500Z to --to 2023-11-14T22:13:20.000500Z"
                + " holds no whole millisecond, and event times are whole milliseconds: nothing is"
                + " in it\n");
  }

  /** As pages list: --from after --to is a mistake (78), said the same way, even a sub-ms one. */
  @Test
  void fromAfterToIsABadConfigSaidAsPagesListSaysIt() {
    assertThat(
            run(
                "--writer",
                "user-1",
                "--config",
                config.toString(),
                "--from",
                "2023-11-14T22:13:20.0007Z",
                "--to",
                "2023-11-14T22:13:20.0005Z"))
        .isEqualTo(78);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "replay: --from 2023-11-14T22:13:20.000700Z is after --to"
                + " 2023-11-14T22:13:20.000500Z: give the earlier time to --from\n");
  }

  /** An empty range does not hide a bad config. */
  @Test
  void aBadConfigIsSaidEvenForARangeWithoutAWholeMillisecond() throws IOException {
    Files.writeString(config, "storage.backend=s3\n");
    assertThat(
            run(
                "--writer",
                "user-1",
                "--config",
                config.toString(),
                "--from",
                "2023-11-14T22:13:20.0005Z",
                "--to",
                "2023-11-14T22:13:20.0005Z"))
        .isEqualTo(78);
  }

  /**
   * An index file of a version before the writer span table: replay reads the events of the pages
   * it lists, and leaves the file as it was (it added the span table, in a write transaction).
   */
  @Test
  void anOlderVersionsIndexFileIsReadAndNotWritten() throws Exception {
    storePage("snapshots/2023/11/14/user-1/a_events-0-0.pb.zst", 0, 3);
    storePage("snapshots/2023/11/14/user-1/b_events-0-3.pb.zst", 3, 3);
    List<IndexEntry> entries;
    try (SqlitePageIndex current = SqlitePageIndex.open(dir.resolve("current.db"))) {
      new Reindexer(store, current).run("", Long.MIN_VALUE, (done, total) -> {});
      entries = current.entries("user-1", TimeRange.ALL);
    }
    assertThat(entries).hasSize(2);
    Path older = dir.resolve("older.db");
    // Only the second page: what replay prints comes from the index, not from a storage scan.
    OlderSqliteIndexFile.create(older, entries.subList(1, 2));
    OlderSqliteIndexFile.State before = OlderSqliteIndexFile.State.settled(older);
    Path indexed = dir.resolve("indexed.properties");
    Files.writeString(
        indexed, Files.readString(config) + "index.backend=sqlite\nindex.sqlite.path=" + older);
    assertThat(run("--writer", "user-1", "--config", indexed.toString(), "--output", "raw"))
        .as(err.toString(StandardCharsets.UTF_8))
        .isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("p3\np4\np5\n");
    assertThat(OlderSqliteIndexFile.State.of(older)).as("the file as it was").isEqualTo(before);
  }

  /**
   * The index lists a page storage no longer holds: every replay over its time fails until the
   * entry is removed, so the error names the key and `pages verify --repair`, with its own exit
   * code, not "storage failed".
   */
  @Test
  void aPageTheIndexListsButStorageLacksExits66NamingTheKeyAndTheFix() throws Exception {
    storePage("snapshots/2023/11/14/user-1/a_events-0-0.pb.zst", 0, 3);
    storePage("snapshots/2023/11/14/user-1/b_events-0-3.pb.zst", 3, 3);
    Path indexed = dir.resolve("indexed.properties");
    Files.writeString(
        indexed,
        Files.readString(config)
            + "index.backend=sqlite\nindex.sqlite.path="
            + dir.resolve("i.db"));
    try (io.prism.snapshotter.index.SqlitePageIndex index =
        io.prism.snapshotter.index.SqlitePageIndex.open(dir.resolve("i.db"))) {
      new io.prism.snapshotter.sink.Reindexer(store, index)
          .run("", Long.MIN_VALUE, (done, total) -> {});
    }
    String gone = "snapshots/2023/11/14/user-1/b_events-0-3.pb.zst";
    store.delete(gone);

    assertThat(run("--writer", "user-1", "--config", indexed.toString())).isEqualTo(66);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("page " + gone + " is gone from storage but still located")
        .contains("`snapshotter pages verify --writer 'user-1' --repair`")
        .doesNotContain("storage failed");
  }
}
