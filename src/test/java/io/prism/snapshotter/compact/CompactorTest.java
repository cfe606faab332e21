package io.prism.snapshotter.compact;

import static io.prism.snapshotter.compact.SinkWrittenPages.START_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.compact.CrashingStore.Countdown;
import io.prism.snapshotter.compact.CrashingStore.CrashingIndex;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.sink.CompactedKeys;
import io.prism.snapshotter.sink.Reindexer;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.ForwardingObjectStore;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.ListPage;
import io.prism.snapshotter.storage.NoSuchObjectException;
import io.prism.snapshotter.storage.ObjectAlreadyExistsException;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.PutOptions;
import io.prism.snapshotter.storage.PutResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CompactorTest {
  /** Where replay (and so compaction) finds pages. */
  enum Mode {
    SQLITE_INDEX,
    STORAGE_LISTING
  }

  private static final Clock NOW =
      Clock.fixed(
          Instant.ofEpochMilli(START_MILLIS + Duration.ofDays(30).toMillis()), ZoneOffset.UTC);

  /** 240 offsets, alternating writers: 12 pages of 10 events for "w", 12 for "other". */
  private static final int EVENTS = 240;

  private static final List<String> W_IDS = SinkWrittenPages.ids("w", 0, EVENTS);
  private static final List<String> OTHER_IDS = SinkWrittenPages.ids("other", 0, EVENTS);

  @TempDir Path dir;

  /** One store and index (SQLite, or none), with the pages of {@link #EVENTS} offsets. */
  private final class Fixture implements AutoCloseable {
    final Mode mode;
    final ObjectStore store;
    final SqlitePageIndex sqlite;

    Fixture(Mode mode, String name) throws Exception {
      this(mode, name, EVENTS);
    }

    final Path storeDir;

    Fixture(Mode mode, String name, int events) throws Exception {
      this.mode = mode;
      this.storeDir = dir.resolve(name).resolve("pages");
      this.store = new FilesystemObjectStore(storeDir);
      this.sqlite = SqlitePageIndex.open(dir.resolve(name).resolve("index.db"));
      SinkWrittenPages.store(store, index(), 0, events, 10, START_MILLIS);
    }

    PageIndex index() {
      return mode == Mode.SQLITE_INDEX ? sqlite : PageIndex.none();
    }

    Compactor compactor(ObjectStore through, PageIndex index, CompactionSettings settings) {
      WriterPages pages =
          mode == Mode.SQLITE_INDEX
              ? WriterPages.fromIndex(index)
              : WriterPages.fromStorage(through, KeyTemplate.parse(KeyTemplate.DEFAULT));
      return new Compactor(through, index, pages, settings, NOW);
    }

    Compactor compactor() {
      return compactor(settings());
    }

    Compactor compactor(CompactionSettings settings) {
      return compactor(store, index(), settings);
    }

    Compactor crashingAfter(Countdown countdown) {
      return crashingAfter(countdown, settings());
    }

    Compactor crashingAfter(Countdown countdown, CompactionSettings settings) {
      return compactor(
          new CrashingStore(store, countdown), new CrashingIndex(index(), countdown), settings);
    }

    List<String> replay(String writer) {
      return SinkWrittenPages.replay(store, mode == Mode.SQLITE_INDEX ? sqlite : null, writer);
    }

    List<String> keysOf(String writer) {
      return SinkWrittenPages.keys(store).stream()
          .filter(k -> k.contains("/" + writer + "/"))
          .toList();
    }

    @Override
    public void close() {
      sqlite.close();
      store.close();
    }
  }

  /**
   * Pages of 10 events are about 1.3 KB: groups of 4 under a 6 KB target, so 3 merged pages per
   * writer.
   */
  private static CompactionSettings settings() {
    return new CompactionSettings(
        Duration.ofDays(1), 100_000, 6_000, PageFormat.PROTOBUF, Compression.ZSTD);
  }

  private static void assertOnlyMergedPagesOfW(Fixture f) {
    List<String> keys = f.keysOf("w");
    assertThat(keys).hasSize(3).allMatch(CompactedKeys::looksMerged);
    assertThat(keys).allMatch(k -> k.endsWith(".pb.zst"));
    assertThat(f.keysOf("other"))
        .as("the other writer's pages")
        .hasSize(12)
        .noneMatch(CompactedKeys::looksMerged);
    if (f.mode == Mode.SQLITE_INDEX) {
      assertThat(f.sqlite.entries("w", TimeRange.ALL))
          .extracting(IndexEntry::pageKey)
          .containsExactlyInAnyOrderElementsOf(keys);
    }
    assertThat(f.replay("w")).containsExactlyElementsOf(W_IDS);
    assertThat(f.replay("other")).containsExactlyElementsOf(OTHER_IDS);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void mergesTheSmallOldPagesAndReplayShowsTheSameEvents(Mode mode) throws Exception {
    try (Fixture f = new Fixture(mode, "m")) {
      assertThat(f.keysOf("w")).hasSize(12);
      assertThat(f.replay("w")).containsExactlyElementsOf(W_IDS);

      CompactionReport report = f.compactor().run("w", false);

      assertThat(report.merges()).hasSize(3);
      assertThat(report.pagesReplaced()).isEqualTo(12);
      assertThat(report.merges()).allSatisfy(m -> assertThat(m.reused()).isFalse());
      assertThat(report.merges().stream().mapToLong(CompactionReport.Merge::events).sum())
          .isEqualTo(W_IDS.size());
      assertOnlyMergedPagesOfW(f);

      CompactionReport again = f.compactor().run("w", false);
      assertThat(again.merges()).as("each merged page is alone in its run").isEmpty();
      assertOnlyMergedPagesOfW(f);
    }
  }

  /**
   * A merged page whose first source is gone but one of whose sources the index still lists (its
   * entry published again, its page not stored: dangling) is an unfinished merge: the next run
   * finishes it, removing that entry, rather than plan the listed source as a page of its own. The
   * plan meets the listed source after the merged page, among the pages of its Kafka span.
   */
  @Test
  void aMergedPageWhoseSourceIsStillListedIsFinished() throws Exception {
    try (Fixture f = new Fixture(Mode.SQLITE_INDEX, "listed-source")) {
      IndexEntry second = f.sqlite.entries("w", TimeRange.ALL).get(1);
      assertThat(f.compactor().run("w", false).merges()).hasSize(3);
      assertThat(f.store.head(second.pageKey())).isEmpty();
      f.sqlite.publish(List.of(second));

      CompactionReport report = f.compactor().run("w", false);

      assertThat(report.finished()).isEqualTo(1);
      assertThat(report.merges()).isEmpty();
      assertThat(f.sqlite.holds(second)).isFalse();
      assertOnlyMergedPagesOfW(f);
      assertThat(f.replay("w")).containsExactlyElementsOf(W_IDS);
    }
  }

  /**
   * A create-only write whose first answer was lost and whose retry was refused (412): the store
   * stored the merged page, then said the key was taken. The page there is this run's own.
   */
  @ParameterizedTest
  @EnumSource(Mode.class)
  void aMergedPageRefusedAfterItsOwnWriteStoredItIsTakenAsStored(Mode mode) throws Exception {
    try (Fixture f = new Fixture(mode, "refused")) {
      int[] refused = {0};
      ObjectStore storedThenRefused =
          new ForwardingObjectStore(f.store) {
            @Override
            public PutResult put(String key, InputStream body, long length, PutOptions options) {
              PutResult stored = super.put(key, body, length, options);
              if (options.createOnly() && CompactedKeys.looksMerged(key)) {
                refused[0]++;
                throw new ObjectAlreadyExistsException(
                    "create-only put of '" + key + "': the key already exists (HTTP 412)", null);
              }
              return stored;
            }

            @Override
            public void close() {}
          };

      CompactionReport report =
          f.compactor(storedThenRefused, f.index(), settings()).run("w", false);

      assertThat(refused[0]).isEqualTo(3);
      assertThat(report.merges()).hasSize(3);
      assertThat(report.merges().stream().mapToLong(CompactionReport.Merge::events).sum())
          .isEqualTo(W_IDS.size());
      assertOnlyMergedPagesOfW(f);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aDryRunPlansTheSameMergesAndChangesNothing(Mode mode) throws Exception {
    try (Fixture f = new Fixture(mode, "dry")) {
      List<String> before = SinkWrittenPages.keys(f.store);

      CompactionReport planned = f.compactor().run("w", true);

      assertThat(planned.dryRun()).isTrue();
      assertThat(planned.merges())
          .hasSize(3)
          .allSatisfy(m -> assertThat(m.mergedBytes()).isEqualTo(-1));
      assertThat(SinkWrittenPages.keys(f.store)).containsExactlyElementsOf(before);
      CompactionReport done = f.compactor().run("w", false);
      assertThat(done.merges())
          .extracting(CompactionReport.Merge::key)
          .containsExactlyElementsOf(
              planned.merges().stream().map(CompactionReport.Merge::key).toList());
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aCrashAfterAnyStepLosesAndRepeatsNothingAndARerunFinishes(Mode mode) throws Exception {
    int steps;
    try (Fixture f = new Fixture(mode, "count")) {
      Countdown counting = new Countdown(0);
      f.crashingAfter(counting).run("w", false);
      steps = counting.steps;
    }
    // 3 merges, each: store, publish, remove (with an index), and delete 4 pages.
    assertThat(steps).isEqualTo(3 * (mode == Mode.SQLITE_INDEX ? 3 + 4 : 2 + 4));
    for (int step = 1; step <= steps; step++) {
      try (Fixture f = new Fixture(mode, "crash-" + step)) {
        Countdown countdown = new Countdown(step);
        assertThatThrownBy(() -> f.crashingAfter(countdown).run("w", false))
            .isInstanceOf(CrashingStore.Crash.class);

        assertThat(f.replay("w"))
            .as("replay after a crash after step %d", step)
            .containsExactlyElementsOf(W_IDS);

        // The rerun comes more than Compactor.ORPHAN_MIN_AGE later: a merged page the crashed run
        // stored but never published is its leftover then, not a page of a run still working.
        allStoredHoursAgo(f, 2);
        f.compactor().run("w", false);
        assertOnlyMergedPagesOfW(f);
        assertThat(f.compactor().run("w", false).merges())
            .as("a third run after step %d", step)
            .isEmpty();
      }
    }
  }

  /**
   * A target that takes the three merged pages of {@link #settings()} (about 4.4 KB each) as one
   * group.
   */
  private static CompactionSettings secondGeneration() {
    return new CompactionSettings(
        Duration.ofDays(1), 100_000, 20_000, PageFormat.PROTOBUF, Compression.ZSTD);
  }

  private static void assertOneSecondGenerationPageOfW(Fixture f, List<String> firstGeneration)
      throws Exception {
    List<String> keys = f.keysOf("w");
    assertThat(keys)
        .singleElement()
        .satisfies(k -> assertThat(CompactedKeys.looksMerged(k)).isTrue())
        .satisfies(
            k -> assertThat(k).startsWith(CompactedKeys.searchPrefix(firstGeneration.get(0))));
    io.prism.snapshotter.page.PageMetadata metadata;
    try (var in = f.store.get(keys.get(0))) {
      metadata = new io.prism.snapshotter.page.PageReader().readMetadata(in, keys.get(0));
    }
    assertThat(CompactedKeys.sourcesOf(metadata)).containsExactlyElementsOf(firstGeneration);
    assertThat(f.keysOf("other")).as("the other writer's pages").hasSize(12);
    if (f.mode == Mode.SQLITE_INDEX) {
      assertThat(f.sqlite.entries("w", TimeRange.ALL))
          .extracting(IndexEntry::pageKey)
          .containsExactlyElementsOf(keys);
    }
    assertThat(f.replay("w")).containsExactlyElementsOf(W_IDS);
    assertThat(f.replay("other")).containsExactlyElementsOf(OTHER_IDS);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void mergedPagesAreMergedAgainAndACrashAfterAnyStepOfThatLosesAndRepeatsNothing(Mode mode)
      throws Exception {
    int steps;
    try (Fixture f = new Fixture(mode, "gen2-count")) {
      f.compactor().run("w", false);
      Countdown counting = new Countdown(0);
      CompactionReport report = f.crashingAfter(counting, secondGeneration()).run("w", false);
      assertThat(report.merges())
          .singleElement()
          .extracting(CompactionReport.Merge::events)
          .isEqualTo(120L);
      steps = counting.steps;
    }
    // One merge of the 3 merged pages: store, publish, remove (with an index), and delete 3 pages.
    assertThat(steps).isEqualTo(mode == Mode.SQLITE_INDEX ? 3 + 3 : 2 + 3);
    for (int step = 1; step <= steps; step++) {
      try (Fixture f = new Fixture(mode, "gen2-crash-" + step)) {
        f.compactor().run("w", false);
        List<String> firstGeneration = f.keysOf("w").stream().sorted().toList();
        assertOnlyMergedPagesOfW(f);
        Countdown countdown = new Countdown(step);
        assertThatThrownBy(() -> f.crashingAfter(countdown, secondGeneration()).run("w", false))
            .isInstanceOf(CrashingStore.Crash.class);

        assertThat(f.replay("w"))
            .as("replay after a crash after step %d", step)
            .containsExactlyElementsOf(W_IDS);
        if (mode == Mode.SQLITE_INDEX) {
          new Reindexer(f.store, f.sqlite).run("", Long.MIN_VALUE, (done, total) -> {});
          assertThat(f.replay("w"))
              .as("replay after step %d and a reindex", step)
              .containsExactlyElementsOf(W_IDS);
        }

        f.compactor(secondGeneration()).run("w", false);
        assertOneSecondGenerationPageOfW(f, firstGeneration);
        assertThat(f.compactor(secondGeneration()).run("w", false).merges())
            .as("a third run after step %d", step)
            .isEmpty();
      }
    }
  }

  @Test
  void aReindexAfterACrashIndexesMergedPagesAndNoReplacedOne() throws Exception {
    for (int step = 1; step <= 3 * 7; step++) {
      try (Fixture f = new Fixture(Mode.SQLITE_INDEX, "reindex-" + step)) {
        Countdown countdown = new Countdown(step);
        assertThatThrownBy(() -> f.crashingAfter(countdown).run("w", false))
            .isInstanceOf(CrashingStore.Crash.class);

        Reindexer.Result reindexed =
            new Reindexer(f.store, f.sqlite).run("", Long.MIN_VALUE, (done, total) -> {});

        List<String> indexed =
            f.sqlite.entries("w", TimeRange.ALL).stream().map(IndexEntry::pageKey).toList();
        assertThat(indexed)
            .as("after step %d, every stored merged page is indexed", step)
            .containsAll(f.keysOf("w").stream().filter(CompactedKeys::looksMerged).toList());
        // Only a merged page stored but not yet published (the crash came right after storing it)
        // is new.
        assertThat(reindexed.added())
            .as("after step %d, pages reindex added (%s)", step, reindexed)
            .isEqualTo(step % 7 == 1 ? 1 : 0);
        assertThat(f.replay("w"))
            .as("replay after step %d and a reindex", step)
            .containsExactlyElementsOf(W_IDS);

        f.compactor().run("w", false);
        assertOnlyMergedPagesOfW(f);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void pagesNewerThanTheCutoffOrNotSmallAreLeftAlone(Mode mode) throws Exception {
    try (Fixture f = new Fixture(mode, "recent")) {
      // 12 more pages of "w" whose events are an hour old: newer than the one-day cutoff.
      long recent = NOW.millis() - Duration.ofHours(1).toMillis() - EVENTS * 1_000L;
      SinkWrittenPages.store(f.store, f.index(), EVENTS, EVENTS, 10, recent);
      List<String> recentKeys =
          f.keysOf("w").stream().filter(k -> !k.contains("/2023/11/14/")).toList();
      assertThat(recentKeys).hasSize(12);

      CompactionReport report = f.compactor().run("w", false);

      assertThat(report.pagesReplaced()).isEqualTo(12);
      assertThat(f.keysOf("w")).containsAll(recentKeys).hasSize(3 + 12);
      assertThat(f.replay("w")).containsExactlyElementsOf(SinkWrittenPages.ids("w", 0, 2 * EVENTS));

      CompactionSettings tinyMinimum =
          new CompactionSettings(
              Duration.ofDays(1), 100, 6_000, PageFormat.PROTOBUF, Compression.ZSTD);
      WriterPages pages =
          mode == Mode.SQLITE_INDEX
              ? WriterPages.fromIndex(f.index())
              : WriterPages.fromStorage(f.store, KeyTemplate.parse(KeyTemplate.DEFAULT));
      assertThat(
              new Compactor(
                      f.store, f.index(), pages, tinyMinimum, Clock.offset(NOW, Duration.ofDays(9)))
                  .run("w", false)
                  .merges())
          .as("no page is under 100 bytes")
          .isEmpty();
    }
  }

  @Test
  void aMergeStoredButNeverIndexedIsDeletedWhenTheNextRunPlansDifferently() throws Exception {
    // "w" has 10 pages: groups of 4, 4 and 2. The run stops right after storing the third merge.
    // A merged page of 4 and one page come to just under 6 KB: a target with some room, so that
    // tags added to pages (prism.event.times) do not change the plan.
    CompactionSettings settings =
        new CompactionSettings(
            Duration.ofDays(1), 100_000, 6_200, PageFormat.PROTOBUF, Compression.ZSTD);
    try (Fixture f = new Fixture(Mode.SQLITE_INDEX, "drift", 200)) {
      Countdown countdown = new Countdown(2 * 7 + 1);
      assertThatThrownBy(() -> f.crashingAfter(countdown, settings).run("w", false))
          .isInstanceOf(CrashingStore.Crash.class);
      String orphan =
          f.keysOf("w").stream()
              .filter(CompactedKeys::looksMerged)
              .filter(
                  k ->
                      f.sqlite.entries("w", TimeRange.ALL).stream()
                          .noneMatch(e -> e.pageKey().equals(k)))
              .findFirst()
              .orElseThrow();
      // Meanwhile 4 more pages of "w" crossed the cutoff: the third group now has 4 pages, not 2.
      SinkWrittenPages.store(f.store, f.sqlite, 200, 80, 10, START_MILLIS);
      // Only a page older than a run takes from storing to publishing counts as an orphan.
      storedHoursAgo(f, orphan, 2);

      CompactionReport report = f.compactor(settings).run("w", false);

      // The orphan (pages 9 and 10) sits under page 9's key, which now joins the second merged
      // page:
      // groups [merged 5-8, 9], [10-13], and page 14 alone.
      assertThat(orphan).contains("-00000000000000000160_c");
      assertThat(report.orphans()).isEqualTo(1);
      assertThat(report.merges()).extracting(m -> m.sources().size()).containsExactly(2, 4);
      assertThat(report.merges().get(0).sources().get(0))
          .satisfies(k -> assertThat(CompactedKeys.looksMerged(k)).isTrue());
      assertThat(f.keysOf("w"))
          .doesNotContain(orphan)
          .hasSize(4)
          .filteredOn(CompactedKeys::looksMerged)
          .hasSize(3);
      assertThat(f.replay("w")).containsExactlyElementsOf(SinkWrittenPages.ids("w", 0, 280));
    }
  }

  @Test
  void aCompactionRunningAtTheSameTimeWithAnotherPlanDoesNotDeleteTheOthersMergedPages()
      throws Exception {
    // Run B lists the writer's pages; run A (other target size, so other groups and keys) then
    // runs to its end: stores and publishes its merged pages, deletes their sources. B's stale
    // listing does not show A's merged pages, which sit under its sources' prefixes like an
    // interrupted run's leftovers.
    try (Fixture f = new Fixture(Mode.SQLITE_INDEX, "concurrent", EVENTS)) {
      Compactor runA = f.compactor(settings());
      boolean[] aRan = {false};
      ObjectStore storeOfB =
          new ForwardingObjectStore(f.store) {
            @Override
            public ListPage list(String prefix, int maxKeys, String token) {
              if (!aRan[0] && prefix.endsWith("_c")) {
                aRan[0] = true;
                try {
                  runA.run("w", false);
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              }
              return super.list(prefix, maxKeys, token);
            }

            @Override
            public void close() {}
          };
      CompactionSettings largerGroups =
          new CompactionSettings(
              Duration.ofDays(1), 100_000, 9_000, PageFormat.PROTOBUF, Compression.ZSTD);
      Compactor runB = f.compactor(storeOfB, f.index(), largerGroups);

      // B fails when it reads a source A deleted: run again to finish, nothing lost.
      assertThatThrownBy(() -> runB.run("w", false)).isInstanceOf(NoSuchObjectException.class);

      assertThat(aRan[0]).isTrue();
      assertThat(f.replay("w")).containsExactlyElementsOf(W_IDS);
      assertThat(f.compactor(largerGroups).run("w", false).orphans()).isZero();
      assertThat(f.replay("w")).containsExactlyElementsOf(W_IDS);
    }
  }

  @Test
  void anotherWritersMergedPageUnderAMergedKeyPrefixIsNeverTakenForAnOrphan() throws Exception {
    // A template whose writer id is not a whole key segment: writer "a"'s first page is
    // pages/a-00000000000000000000.pb.gz, and every key of writer "a-00000000000000000000_cx"
    // (a producer chooses writer ids) starts with that page's merged-key prefix
    // pages/a-00000000000000000000_c. Its merged pages look like "a"'s interrupted merges there.
    KeyTemplate template = KeyTemplate.parse("pages/{writer_id}-{start_offset}{ext}");
    String a = "a";
    String b = "a-00000000000000000000_cx";
    Path storeDir = dir.resolve("prefix").resolve("pages");
    try (ObjectStore store = new FilesystemObjectStore(storeDir);
        SqlitePageIndex index = SqlitePageIndex.open(dir.resolve("prefix").resolve("index.db"))) {
      SinkWrittenPages.store(
          store, index, template, List.of(a, b), 0, 80, 10, START_MILLIS, (w, o) -> w + "-" + o);
      WriterPages pages = WriterPages.fromIndex(index);
      assertThat(new Compactor(store, index, pages, settings(), NOW).run(b, false).merges())
          .isNotEmpty();
      String bMerged =
          index.entries(b, TimeRange.ALL).stream()
              .map(IndexEntry::pageKey)
              .filter(CompactedKeys::looksMerged)
              .findFirst()
              .orElseThrow();
      assertThat(bMerged)
          .startsWith(CompactedKeys.searchPrefix("pages/a-00000000000000000000.pb.gz"));
      for (String key : SinkWrittenPages.keys(store)) {
        Files.setLastModifiedTime(
            storeDir.resolve(key), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
      }

      CompactionReport report = new Compactor(store, index, pages, settings(), NOW).run(a, false);

      assertThat(report.merges()).isNotEmpty();
      assertThat(report.orphans()).isZero();
      assertThat(store.head(bMerged)).as("writer b's merged page").isPresent();
      assertThat(SinkWrittenPages.replay(store, index, b))
          .containsExactlyElementsOf(SinkWrittenPages.ids(List.of(a, b), b, 80));
      assertThat(SinkWrittenPages.replay(store, index, a))
          .containsExactlyElementsOf(SinkWrittenPages.ids(List.of(a, b), a, 80));
    }
  }

  /** Sets every stored object's modification time (filesystem store) back {@code hours}. */
  private static void allStoredHoursAgo(Fixture f, int hours) throws IOException {
    for (String key : SinkWrittenPages.keys(f.store)) {
      storedHoursAgo(f, key, hours);
    }
  }

  /** Sets the stored object's modification time (filesystem store) back {@code hours}. */
  private static void storedHoursAgo(Fixture f, String key, int hours) throws IOException {
    Files.setLastModifiedTime(
        f.storeDir.resolve(key), FileTime.from(Instant.now().minus(Duration.ofHours(hours))));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void anEventIdInTwoSourcesIsMergedOnce(Mode mode) throws Exception {
    try (Fixture f = new Fixture(mode, "empty", 0)) {
      // Offsets 0 and 40 of "w" (pages 1 and 3) carry the same id: a producer's retry.
      SinkWrittenPages.store(
          f.store,
          f.index(),
          0,
          80,
          10,
          START_MILLIS,
          (writer, offset) -> offset == 40 ? "w-0" : writer + "-" + offset);

      CompactionReport report = f.compactor().run("w", false);

      assertThat(report.merges())
          .singleElement()
          .extracting(CompactionReport.Merge::events)
          .isEqualTo(39L);
      List<String> expected = new java.util.ArrayList<>(SinkWrittenPages.ids("w", 0, 80));
      expected.remove("w-40");
      assertThat(f.replay("w")).containsExactlyElementsOf(expected);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aSourceKeyWrittenAgainWithOtherOffsetsIsNotDeleted(Mode mode) throws Exception {
    try (Fixture f = new Fixture(mode, "again")) {
      String first =
          f.keysOf("w").stream()
              .filter(k -> k.endsWith("-00000000000000000000.pb.gz"))
              .findFirst()
              .orElseThrow();
      String fifth =
          f.keysOf("w").stream()
              .filter(k -> k.endsWith("-00000000000000000080.pb.gz"))
              .findFirst()
              .orElseThrow();
      // Stop right after the first group's first delete: its first source, deleted last, is still
      // there.
      Countdown countdown = new Countdown(mode == Mode.SQLITE_INDEX ? 4 : 3);
      assertThatThrownBy(() -> f.crashingAfter(countdown).run("w", false))
          .isInstanceOf(CrashingStore.Crash.class);
      // Then something stores that key again, holding other offsets (here: a copy of the fifth
      // page).
      byte[] copy;
      try (var in = f.store.get(fifth)) {
        copy = in.readAllBytes();
      }
      f.store.delete(first);
      f.store.put(
          first,
          new java.io.ByteArrayInputStream(copy),
          copy.length,
          io.prism.snapshotter.storage.PutOptions.builder().build());

      f.compactor().run("w", false);

      assertThat(f.keysOf("w")).contains(first);
      assertThat(f.replay("w")).containsExactlyElementsOf(W_IDS);
    }
  }

  /**
   * A page the index lists is gone from storage for good: running again cannot help, so the error
   * names the key and the command that removes the entry, and nothing of the writer changed.
   */
  @Test
  void anIndexedPageGoneFromStorageNamesItsKeyAndPagesVerifyRepair() throws Exception {
    try (Fixture f = new Fixture(Mode.SQLITE_INDEX, "dangling")) {
      List<IndexEntry> before = f.sqlite.entries("w", TimeRange.ALL);
      String gone = before.get(1).pageKey();
      f.store.delete(gone);

      assertThatThrownBy(() -> f.compactor().run("w", false))
          .isInstanceOf(DanglingEntryException.class)
          .hasMessageContaining("page " + gone + " of writer 'w' is in the page index but not")
          .hasMessageContaining("pages verify --writer 'w' --repair")
          .hasMessageNotContaining("run again to finish");
      assertThat(f.sqlite.entries("w", TimeRange.ALL)).isEqualTo(before);
    }
  }

  /**
   * Another compaction replaced a page after this run listed it (its entry removed, then the page
   * deleted): running again does finish, so this is the storage failure it always was.
   */
  @Test
  void aPageAnotherRunReplacedMeanwhileIsNotTakenForADanglingEntry() throws Exception {
    try (Fixture f = new Fixture(Mode.SQLITE_INDEX, "raced")) {
      IndexEntry replaced = f.sqlite.entries("w", TimeRange.ALL).get(1);
      PageIndex otherRun =
          new io.prism.snapshotter.index.ForwardingPageIndex(f.sqlite) {
            boolean listed;

            // The run lists the writer's pages by walking them (entryPage), a batch at a time.
            @Override
            public io.prism.snapshotter.index.EntryPage entryPage(
                String writerId, io.prism.snapshotter.index.EntryCursor from, int limit) {
              io.prism.snapshotter.index.EntryPage page = super.entryPage(writerId, from, limit);
              if (!listed) {
                listed = true;
                delegate.remove(List.of(replaced));
                f.store.delete(replaced.pageKey());
              }
              return page;
            }
          };

      assertThatThrownBy(() -> f.compactor(f.store, otherRun, settings()).run("w", false))
          .isInstanceOf(NoSuchObjectException.class)
          .isNotInstanceOf(DanglingEntryException.class);
    }
  }

  /**
   * Lets a run list a writer's pages once (its plan) and refuses every later read of the writer's
   * whole history: a writer can hold millions of pages, so whether one page is still indexed is
   * asked over that page's own time range. Counts those lookups and their largest answer.
   */
  private static final class OneListingOnly extends io.prism.snapshotter.index.ForwardingPageIndex {
    int listings;
    int lookups;
    int largestAnswer;

    OneListingOnly(PageIndex delegate) {
      super(delegate);
    }

    // The plan's listing walks the writer's entries a batch at a time; a walk is one listing.
    @Override
    public io.prism.snapshotter.index.EntryPage entryPage(
        String writerId, io.prism.snapshotter.index.EntryCursor from, int limit) {
      if (from == io.prism.snapshotter.index.EntryCursor.FIRST) {
        listings++;
        assertThat(listings)
            .as("listings of writer %s's whole history (the plan's is the only one)", writerId)
            .isEqualTo(1);
      }
      return super.entryPage(writerId, from, limit);
    }

    @Override
    public List<IndexEntry> entries(String writerId, TimeRange range) {
      if (range.equals(TimeRange.ALL)) {
        listings++;
        assertThat(listings)
            .as("listings of writer %s's whole history (the plan's is the only one)", writerId)
            .isEqualTo(1);
        return super.entries(writerId, range);
      }
      lookups++;
      List<IndexEntry> answer = super.entries(writerId, range);
      largestAnswer = Math.max(largestAnswer, answer.size());
      return answer;
    }
  }

  /** As {@link #anIndexedPageGoneFromStorageNamesItsKeyAndPagesVerifyRepair}, asked narrowly. */
  @Test
  void aDanglingEntryIsToldByAskingAboutItsPageNotTheWritersWholeHistory() throws Exception {
    try (Fixture f = new Fixture(Mode.SQLITE_INDEX, "dangling-narrow")) {
      String gone = f.sqlite.entries("w", TimeRange.ALL).get(1).pageKey();
      f.store.delete(gone);
      OneListingOnly index = new OneListingOnly(f.sqlite);

      assertThatThrownBy(() -> f.compactor(f.store, index, settings()).run("w", false))
          .isInstanceOf(DanglingEntryException.class)
          .hasMessageContaining("page " + gone + " of writer 'w' is in the page index but not");
      assertThat(index.lookups).isEqualTo(1);
      // w's pages do not overlap in time: the lookup of one page finds that page alone.
      assertThat(index.largestAnswer).isEqualTo(1);
    }
  }

  /**
   * As {@link #aMergeStoredButNeverIndexedIsDeletedWhenTheNextRunPlansDifferently}: the orphan,
   * older than {@link Compactor#ORPHAN_MIN_AGE}, is found unindexed by asking about its own time
   * range.
   */
  @Test
  void anOldOrphanIsFoundUnindexedByAskingAboutItsPageNotTheWritersWholeHistory() throws Exception {
    CompactionSettings settings =
        new CompactionSettings(
            Duration.ofDays(1), 100_000, 6_200, PageFormat.PROTOBUF, Compression.ZSTD);
    try (Fixture f = new Fixture(Mode.SQLITE_INDEX, "orphan-narrow", 200)) {
      Countdown countdown = new Countdown(2 * 7 + 1);
      assertThatThrownBy(() -> f.crashingAfter(countdown, settings).run("w", false))
          .isInstanceOf(CrashingStore.Crash.class);
      SinkWrittenPages.store(f.store, f.sqlite, 200, 80, 10, START_MILLIS);
      allStoredHoursAgo(f, 2);
      OneListingOnly index = new OneListingOnly(f.sqlite);

      CompactionReport report = f.compactor(f.store, index, settings).run("w", false);

      assertThat(report.orphans()).isEqualTo(1);
      assertThat(index.lookups).isEqualTo(1);
      // The orphan merged pages 9 and 10, whose entries are still there: they share its time.
      assertThat(index.largestAnswer).isEqualTo(2);
      assertThat(f.replay("w")).containsExactlyElementsOf(SinkWrittenPages.ids("w", 0, 280));
    }
  }

  /**
   * A run's stale listing misses the merged pages another run published since; stored more than
   * {@link Compactor#ORPHAN_MIN_AGE} ago, only the index, asked about each page's own time range,
   * tells them from an interrupted run's: none is deleted, nothing is lost.
   */
  @Test
  void anotherRunsPublishedMergedPagesAreFoundIndexedByTheirOwnTimeRange() throws Exception {
    try (Fixture f = new Fixture(Mode.SQLITE_INDEX, "published-narrow", EVENTS)) {
      Compactor runA = f.compactor(settings());
      List<String> aMerged = new java.util.ArrayList<>();
      ObjectStore storeOfB =
          new ForwardingObjectStore(f.store) {
            @Override
            public ListPage list(String prefix, int maxKeys, String token) {
              if (aMerged.isEmpty() && prefix.endsWith("_c")) {
                try {
                  runA.run("w", false).merges().forEach(m -> aMerged.add(m.key()));
                  allStoredHoursAgo(f, 2);
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              }
              return super.list(prefix, maxKeys, token);
            }

            @Override
            public void close() {}
          };
      OneListingOnly index = new OneListingOnly(f.sqlite);
      CompactionSettings largerGroups =
          new CompactionSettings(
              Duration.ofDays(1), 100_000, 9_000, PageFormat.PROTOBUF, Compression.ZSTD);

      // B fails when it reads a source A deleted: run again to finish, nothing lost.
      assertThatThrownBy(() -> f.compactor(storeOfB, index, largerGroups).run("w", false))
          .isInstanceOf(NoSuchObjectException.class);

      assertThat(aMerged).hasSize(3);
      assertThat(index.lookups).as("A's merged pages under B's first source's prefix").isPositive();
      for (String key : aMerged) {
        assertThat(f.store.head(key)).as("A's published merged page %s", key).isPresent();
      }
      assertThat(f.replay("w")).containsExactlyElementsOf(W_IDS);
    }
  }

  /** {@code entry} as a foreign writer might have indexed it: its decoded size understated. */
  private static IndexEntry understated(IndexEntry e) {
    return new IndexEntry(
        e.pageKey(),
        e.writerId(),
        e.pageSequence(),
        e.startTime(),
        e.endTime(),
        e.eventCount(),
        1,
        e.storageSizeBytes(),
        e.format(),
        e.compression(),
        e.topic(),
        e.partition(),
        e.firstOffset(),
        e.lastOffset());
  }

  private static long decodedBytes(ObjectStore store, String key) throws Exception {
    try (InputStream in = store.get(key)) {
      return PageMerger.decodedBytes(new io.prism.snapshotter.page.PageReader().read(in, key));
    }
  }

  /**
   * The index claims each page decodes to 1 byte, so the planner puts all 12 of w's pages in one
   * group; the merge counts the events it decodes and stops where they pass the cap (here two and a
   * half pages' worth), merging what fits and planning the rest again: six merges of two pages,
   * each within the cap, every event replayed once. A crash after the first merge was stored is
   * followed by a run that finds it under the same key (the cut depends on the pages alone), so no
   * unindexed merged page is left behind.
   */
  @Test
  void aMergeStopsWhereTheDecodedEventsPassTheCapWhateverTheIndexSays() throws Exception {
    try (Fixture f = new Fixture(Mode.SQLITE_INDEX, "understated")) {
      List<IndexEntry> honest = f.sqlite.entries("w", TimeRange.ALL);
      f.sqlite.remove(honest);
      f.sqlite.publish(honest.stream().map(CompactorTest::understated).toList());
      long onePage = decodedBytes(f.store, honest.get(0).pageKey());
      long cap = onePage * 5 / 2;
      CompactionSettings everything =
          new CompactionSettings(
              Duration.ofDays(1), 100_000, 100_000, PageFormat.PROTOBUF, Compression.ZSTD);
      assertThat(f.compactor(everything).run("w", true).merges())
          .as("the plan, from the index's sizes")
          .hasSize(1);

      Countdown crashAfterFirstPut = new Countdown(1);
      assertThatThrownBy(
              () ->
                  new Compactor(
                          new CrashingStore(f.store, crashAfterFirstPut),
                          f.sqlite,
                          WriterPages.fromIndex(f.sqlite),
                          everything,
                          NOW,
                          cap)
                      .run("w", false))
          .isInstanceOf(CrashingStore.Crash.class);

      CompactionReport report =
          new Compactor(f.store, f.sqlite, WriterPages.fromIndex(f.sqlite), everything, NOW, cap)
              .run("w", false);

      assertThat(report.merges()).hasSize(6).allSatisfy(m -> assertThat(m.sources()).hasSize(2));
      List<String> keys = f.keysOf("w");
      assertThat(keys).hasSize(6).allMatch(CompactedKeys::looksMerged);
      assertThat(f.sqlite.entries("w", TimeRange.ALL))
          .extracting(IndexEntry::pageKey)
          .containsExactlyInAnyOrderElementsOf(keys);
      for (String key : keys) {
        assertThat(decodedBytes(f.store, key)).as(key).isLessThanOrEqualTo(cap);
      }
      assertThat(f.replay("w")).containsExactlyElementsOf(W_IDS);
    }
  }

  /** Not even one page fits the cap: nothing is merged, nothing changes, and the run ends. */
  @Test
  void pagesThatEachDecodePastTheCapAreLeftAlone() throws Exception {
    try (Fixture f = new Fixture(Mode.SQLITE_INDEX, "each-too-big")) {
      List<IndexEntry> honest = f.sqlite.entries("w", TimeRange.ALL);
      f.sqlite.remove(honest);
      f.sqlite.publish(honest.stream().map(CompactorTest::understated).toList());
      long cap = decodedBytes(f.store, honest.get(0).pageKey()) / 2;
      CompactionSettings everything =
          new CompactionSettings(
              Duration.ofDays(1), 100_000, 100_000, PageFormat.PROTOBUF, Compression.ZSTD);

      CompactionReport report =
          new Compactor(f.store, f.sqlite, WriterPages.fromIndex(f.sqlite), everything, NOW, cap)
              .run("w", false);

      assertThat(report.merges()).isEmpty();
      assertThat(f.keysOf("w")).hasSize(12).noneMatch(CompactedKeys::looksMerged);
      assertThat(f.sqlite.entries("w", TimeRange.ALL)).hasSize(12);
    }
  }
}
