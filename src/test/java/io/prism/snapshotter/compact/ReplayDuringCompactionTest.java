package io.prism.snapshotter.compact;

import static io.prism.snapshotter.compact.SinkWrittenPages.START_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.replay.EventFilter;
import io.prism.snapshotter.replay.IndexPageLocator;
import io.prism.snapshotter.replay.ReplaySettings;
import io.prism.snapshotter.replay.ReplayStream;
import io.prism.snapshotter.replay.Replayer;
import io.prism.snapshotter.replay.StorageScanLocator;
import io.prism.snapshotter.replay.StorePageSource;
import io.prism.snapshotter.sink.CompactedKeys;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.ForwardingObjectStore;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.ListPage;
import io.prism.snapshotter.storage.NoSuchObjectException;
import io.prism.snapshotter.storage.ObjectStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A replay that located a writer's pages, then a compaction that merges and deletes them before the
 * replay fetched them: the replay locates again and shows each event once, in order.
 */
class ReplayDuringCompactionTest {
  enum Mode {
    SQLITE_INDEX,
    STORAGE_LISTING
  }

  private static final Clock NOW =
      Clock.fixed(
          Instant.ofEpochMilli(START_MILLIS + Duration.ofDays(30).toMillis()), ZoneOffset.UTC);

  /** 240 offsets, alternating writers: 12 pages of 10 events for "w" (offsets 0, 2, ..., 238). */
  private static final int EVENTS = 240;

  private static final List<String> W_IDS = SinkWrittenPages.ids("w", 0, EVENTS);

  /**
   * One fetch thread, one page ahead, no window of recent ids: most pages are fetched after the
   * compaction, and only the page-overlap check may drop repeats.
   */
  private static final ReplaySettings ONE_AHEAD = new ReplaySettings(1, 1, 16L << 20, 0);

  @TempDir Path dir;

  private final class Fixture implements AutoCloseable {
    final Mode mode;
    final ObjectStore store;
    final SqlitePageIndex sqlite;

    Fixture(Mode mode) throws Exception {
      this.mode = mode;
      this.store = new FilesystemObjectStore(dir.resolve(mode.name()).resolve("pages"));
      this.sqlite = SqlitePageIndex.open(dir.resolve(mode.name()).resolve("index.db"));
      SinkWrittenPages.store(store, index(), 0, EVENTS, 10, START_MILLIS);
    }

    PageIndex index() {
      return mode == Mode.SQLITE_INDEX ? sqlite : PageIndex.none();
    }

    /** Groups of 4 pages of 10 events (about 1.3 KB each) under a 6 KB target: 3 merged pages. */
    Compactor compactor() {
      return compactor(6_000);
    }

    Compactor compactor(long targetBytes) {
      CompactionSettings settings =
          new CompactionSettings(
              Duration.ofDays(1), 100_000, targetBytes, PageFormat.PROTOBUF, Compression.ZSTD);
      WriterPages pages =
          mode == Mode.SQLITE_INDEX
              ? WriterPages.fromIndex(sqlite)
              : WriterPages.fromStorage(store, KeyTemplate.parse(KeyTemplate.DEFAULT));
      return new Compactor(store, index(), pages, settings, NOW);
    }

    /** A replayer locating through the index, or by listing {@code listed}. */
    Replayer replayer(ObjectStore listed) {
      return replayer(listed, ONE_AHEAD);
    }

    Replayer replayer(ObjectStore listed, ReplaySettings settings) {
      KeyTemplate template = KeyTemplate.parse(KeyTemplate.DEFAULT);
      return new Replayer(
          pool ->
              mode == Mode.SQLITE_INDEX
                  ? new IndexPageLocator(sqlite)
                  : new StorageScanLocator(listed, template, pool),
          new StorePageSource(store),
          settings,
          null);
    }

    Replayer replayer() {
      return replayer(store);
    }

    List<String> keysOfW() {
      return SinkWrittenPages.keys(store).stream().filter(k -> k.contains("/w/")).toList();
    }

    @Override
    public void close() {
      sqlite.close();
      store.close();
    }
  }

  /**
   * Each mode, with the compaction after {@code n} of the 120 events of "w": at page starts, ends
   * and middles, before the first merged page, inside it, after it. Past 100 events the last page
   * is fetched already (one page ahead): nothing left to vanish.
   */
  static Stream<Arguments> compactionPoints() {
    return points(0, 1, 9, 10, 11, 35, 39, 40, 41, 75);
  }

  /** As above, for a replay of 3 merged pages of 40 events each (past 40, the last is fetched). */
  static Stream<Arguments> secondGenerationPoints() {
    return points(0, 1, 20, 39, 40);
  }

  /** As above, for pages streamed on the reading thread (opened when they are reached). */
  static Stream<Arguments> streamedPoints() {
    return points(0, 15, 40, 110);
  }

  private static Stream<Arguments> points(Integer... events) {
    return Stream.of(Mode.values())
        .flatMap(mode -> Stream.of(events).map(n -> Arguments.of(mode, n)));
  }

  private static List<String> take(ReplayStream events, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      assertThat(events.hasNext()).isTrue();
      ids.add(events.next().event().eventId());
    }
    return ids;
  }

  /** Reads the stream to its end into {@code ids} (which keeps what came before a failure). */
  private static List<String> readRest(ReplayStream events, List<String> ids) {
    while (events.hasNext()) {
      ids.add(events.next().event().eventId());
    }
    return ids;
  }

  @ParameterizedTest
  @MethodSource("compactionPoints")
  void aCompactionThatMergesAndDeletesLocatedPagesLosesAndRepeatsNoEvent(Mode mode, int before)
      throws Exception {
    try (Fixture f = new Fixture(mode);
        Replayer replayer = f.replayer();
        ReplayStream events = replayer.replay("w", EventFilter.ALL)) {
      assertThat(events.pages()).hasSize(12);
      List<String> ids = take(events, before);

      CompactionReport report = f.compactor().run("w", false);
      assertThat(report.pagesReplaced()).isEqualTo(12);
      assertThat(f.keysOfW()).hasSize(3).allMatch(CompactedKeys::looksMerged);

      readRest(events, ids);
      assertThat(ids).as("after %d events", before).containsExactlyElementsOf(W_IDS);
    }
  }

  @ParameterizedTest
  @MethodSource("secondGenerationPoints")
  void aSecondGenerationMergeOfLocatedMergedPagesLosesAndRepeatsNoEvent(Mode mode, int before)
      throws Exception {
    try (Fixture f = new Fixture(mode)) {
      f.compactor().run("w", false);
      try (Replayer replayer = f.replayer();
          ReplayStream events = replayer.replay("w", EventFilter.ALL)) {
        assertThat(events.pages()).hasSize(3);
        List<String> ids = take(events, before);

        // The three merged pages (about 4.4 KB each) into one.
        assertThat(f.compactor(20_000).run("w", false).pagesReplaced()).isEqualTo(3);
        assertThat(f.keysOfW()).hasSize(1);

        readRest(events, ids);
        assertThat(ids).as("after %d events", before).containsExactlyElementsOf(W_IDS);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("streamedPoints")
  void pagesStreamedRatherThanPrefetchedAreLocatedAgainToo(Mode mode, int before) throws Exception {
    // Every page is larger than 0 bytes: opened on the reading thread, event by event.
    ReplaySettings streamed = new ReplaySettings(1, 1, 0, 0);
    try (Fixture f = new Fixture(mode);
        Replayer replayer = f.replayer(f.store, streamed);
        ReplayStream events = replayer.replay("w", EventFilter.ALL)) {
      List<String> ids = take(events, before);

      f.compactor().run("w", false);

      readRest(events, ids);
      assertThat(ids).as("after %d events", before).containsExactlyElementsOf(W_IDS);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aTimeRangeReplayResumesWithinItsRange(Mode mode) throws Exception {
    // Offsets 50 to 190 of "w": from the middle of its 3rd page to the middle of its 10th.
    io.prism.snapshotter.replay.TimeRange range =
        new io.prism.snapshotter.replay.TimeRange(
            START_MILLIS + 50 * 1_000L, START_MILLIS + 190 * 1_000L);
    List<String> expected =
        W_IDS.stream()
            .filter(
                id -> {
                  long offset = Long.parseLong(id.substring(2));
                  return offset >= 50 && offset <= 190;
                })
            .toList();
    try (Fixture f = new Fixture(mode);
        Replayer replayer = f.replayer();
        ReplayStream events = replayer.replay("w", new EventFilter(range, List.of()))) {
      assertThat(events.pages()).hasSize(8);
      List<String> ids = take(events, 20);

      f.compactor().run("w", false);

      readRest(events, ids);
      assertThat(ids).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aListingThatMeetsPagesDeletedBeforeTheirMetadataIsReadListsAgain() throws Exception {
    try (Fixture f = new Fixture(Mode.STORAGE_LISTING)) {
      // The compaction runs right after the replay's first listing: the listed pages are gone
      // when their heads are read.
      boolean[] compacted = {false};
      ObjectStore listedThenCompacted =
          new ForwardingObjectStore(f.store) {
            @Override
            public ListPage list(String prefix, int maxKeys, String token) {
              ListPage listed = super.list(prefix, maxKeys, token);
              if (!compacted[0]) {
                compacted[0] = true;
                try {
                  f.compactor().run("w", false);
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              }
              return listed;
            }
          };
      try (Replayer replayer = f.replayer(listedThenCompacted);
          ReplayStream events = replayer.replay("w", EventFilter.ALL)) {
        assertThat(compacted[0]).isTrue();
        assertThat(events.pages()).hasSize(3).allMatch(p -> CompactedKeys.looksMerged(p.key()));
        assertThat(readRest(events, new ArrayList<>())).containsExactlyElementsOf(W_IDS);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aPageDeletedAndReplacedByNothingFailsTheReplayNamingIt(Mode mode) throws Exception {
    try (Fixture f = new Fixture(mode);
        Replayer replayer = f.replayer();
        ReplayStream events = replayer.replay("w", EventFilter.ALL)) {
      List<String> ids = take(events, 15);
      String deleted = events.pages().get(5).key();
      if (mode == Mode.SQLITE_INDEX) {
        IndexEntry entry =
            f.sqlite.entries("w", io.prism.snapshotter.index.TimeRange.ALL).stream()
                .filter(e -> e.pageKey().equals(deleted))
                .findFirst()
                .orElseThrow();
        f.sqlite.remove(List.of(entry));
      }
      assertThat(f.store.delete(deleted)).isTrue();

      assertThatThrownBy(() -> readRest(events, ids))
          .isInstanceOf(NoSuchObjectException.class)
          .hasMessageContaining("page " + deleted + " vanished during the replay")
          .hasMessageContaining("no page located again holds its events");
      assertThat(ids).containsExactlyElementsOf(W_IDS.subList(0, 50));
    }
  }

  @Test
  void aPageDeletedButStillIndexedFailsTheReplayNamingIt() throws Exception {
    try (Fixture f = new Fixture(Mode.SQLITE_INDEX);
        Replayer replayer = f.replayer();
        ReplayStream events = replayer.replay("w", EventFilter.ALL)) {
      List<String> ids = take(events, 15);
      String deleted = events.pages().get(5).key();
      assertThat(f.store.delete(deleted)).isTrue();

      assertThatThrownBy(() -> readRest(events, ids))
          .isInstanceOf(NoSuchObjectException.class)
          .hasMessageContaining("page " + deleted + " is gone from storage but still located");
      assertThat(ids).containsExactlyElementsOf(W_IDS.subList(0, 50));
    }
  }
}
