package io.prism.snapshotter.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.index.EntryCursor;
import io.prism.snapshotter.index.EntryPage;
import io.prism.snapshotter.index.ForwardingPageIndex;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.sink.ReindexerTestPages;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.ForwardingObjectStore;
import io.prism.snapshotter.storage.ObjectInfo;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.StorageException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexVerifierTest {
  @TempDir Path dir;
  private FilesystemObjectStore store;
  private SqlitePageIndex index;
  private final List<String> dangling = new ArrayList<>();
  private final List<String> removed = new ArrayList<>();
  private final List<String> sizeDiffers = new ArrayList<>();
  private final List<IndexVerifier.Summary> progress = new ArrayList<>();
  private final List<Long> searching = new ArrayList<>();

  private final IndexVerifier.Listener listener =
      new IndexVerifier.Listener() {
        @Override
        public void dangling(IndexEntry entry, boolean wasRemoved) {
          (wasRemoved ? removed : dangling).add(entry.pageKey());
        }

        @Override
        public void sizeDiffers(IndexEntry entry, long storedBytes) {
          sizeDiffers.add(entry.pageKey() + " " + entry.storageSizeBytes() + " " + storedBytes);
        }

        @Override
        public void progress(IndexVerifier.Summary soFar, String writerId) {
          progress.add(soFar);
        }

        @Override
        public void searching(long entriesChecked) {
          searching.add(entriesChecked);
        }
      };

  /** 16 pages of 4 writers, stored and indexed by the sink's committer. */
  @BeforeEach
  void storePages() throws Exception {
    store = new FilesystemObjectStore(dir.resolve("pages"));
    index = SqlitePageIndex.open(dir.resolve("index.db"));
    ReindexerTestPages.store(store, index, PageFormat.PROTOBUF, Compression.GZIP);
  }

  @AfterEach
  void close() {
    index.close();
  }

  private List<IndexEntry> pagesOf(String writer) {
    return index.entries(writer, TimeRange.ALL);
  }

  @Test
  void aConsistentIndexHasNothingToReport() {
    IndexVerifier.Summary summary = new IndexVerifier(store, index).run(null, true, listener);

    assertThat(summary.writers()).isEqualTo(4);
    assertThat(summary.entries()).isEqualTo(16);
    assertThat(summary.dangling()).isZero();
    assertThat(dangling).isEmpty();
    assertThat(removed).isEmpty();
    assertThat(sizeDiffers).isEmpty();
  }

  @Test
  void reportsAnEntryWhosePageIsGoneAndRemovesItOnlyWithRepair() {
    String gone = pagesOf("bob").get(1).pageKey();
    store.delete(gone);

    IndexVerifier.Summary report = new IndexVerifier(store, index).run(null, false, listener);
    assertThat(dangling).containsExactly(gone);
    assertThat(report.dangling()).isEqualTo(1);
    assertThat(report.danglingLeft()).isEqualTo(1);
    assertThat(pagesOf("bob")).hasSize(4); // reported, not removed

    dangling.clear();
    IndexVerifier.Summary repaired = new IndexVerifier(store, index).run("bob", true, listener);
    assertThat(removed).containsExactly(gone);
    assertThat(repaired.danglingLeft()).isZero();
    assertThat(pagesOf("bob")).hasSize(3).noneMatch(e -> e.pageKey().equals(gone));
    assertThat(pagesOf("alice")).hasSize(4);

    removed.clear();
    assertThat(new IndexVerifier(store, index).run(null, true, listener).dangling()).isZero();
  }

  @Test
  void reportsAnEntryWhosePageHasAnotherSizeAndNeverRemovesIt() {
    IndexEntry entry = pagesOf("alice").get(0);
    IndexEntry understated =
        new IndexEntry(
            entry.pageKey(),
            entry.writerId(),
            entry.pageSequence(),
            entry.startTime(),
            entry.endTime(),
            entry.eventCount(),
            entry.pageSizeBytes(),
            entry.storageSizeBytes() - 7,
            entry.format(),
            entry.compression(),
            entry.topic(),
            entry.partition(),
            entry.firstOffset(),
            entry.lastOffset());
    index.remove(List.of(entry));
    index.publish(List.of(understated));

    IndexVerifier.Summary summary = new IndexVerifier(store, index).run("alice", true, listener);

    assertThat(summary.sizeDiffers()).isEqualTo(1);
    assertThat(sizeDiffers)
        .containsExactly(
            entry.pageKey()
                + " "
                + (entry.storageSizeBytes() - 7)
                + " "
                + entry.storageSizeBytes());
    assertThat(pagesOf("alice")).hasSize(4);
  }

  /** A store that cannot answer makes no entry dangling: the walk stops, nothing is removed. */
  @Test
  void aStoreThatFailsStopsTheWalkAndRemovesNothing() {
    String failing = pagesOf("alice").get(2).pageKey();
    store.delete(pagesOf("alice").get(0).pageKey());
    ObjectStore unreachable =
        new ForwardingObjectStore(store) {
          @Override
          public Optional<ObjectInfo> head(String key) {
            if (key.equals(failing)) {
              throw new StorageException("head " + key + ": connection refused", true);
            }
            return super.head(key);
          }
        };

    assertThatThrownBy(() -> new IndexVerifier(unreachable, index).run("alice", false, listener))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("connection refused");
    // The same failure on the second look at a missing page: not removed either.
    String missing = pagesOf("alice").get(0).pageKey();
    int[] heads = {0};
    ObjectStore failsOnSecondLook =
        new ForwardingObjectStore(store) {
          @Override
          public Optional<ObjectInfo> head(String key) {
            if (key.equals(missing) && ++heads[0] == 2) {
              throw new StorageException("head " + key + ": timed out", true);
            }
            return super.head(key);
          }
        };
    assertThatThrownBy(
            () -> new IndexVerifier(failsOnSecondLook, index).run("alice", true, listener))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("timed out");
    assertThat(removed).isEmpty();
    assertThat(pagesOf("alice")).hasSize(4);
  }

  /**
   * A compaction replaces a page between the walk's listing and its look at the page: the entry is
   * removed, then the page deleted. That entry is not dangling.
   */
  @Test
  void aPageACompactionReplacedWhileTheWalkWentOnIsNotDangling() {
    IndexEntry replaced = pagesOf("bob").get(2);
    PageIndex compactedMeanwhile =
        new ForwardingPageIndex(index) {
          boolean listed;

          @Override
          public EntryPage entryPage(String writerId, EntryCursor from, int limit) {
            EntryPage page = super.entryPage(writerId, from, limit);
            if (!listed && writerId.equals("bob")) {
              listed = true;
              delegate.remove(List.of(replaced)); // compaction's step 3
              store.delete(replaced.pageKey()); // and step 4
            }
            return page;
          }
        };

    // Forced: the repair's look for a stored page would otherwise list bob's entries first.
    IndexVerifier.Summary summary =
        new IndexVerifier(
                store,
                compactedMeanwhile,
                new IndexVerifier.Options(4, true, IndexVerifier.Options.DEFAULT_PROGRESS_EVERY))
            .run("bob", true, listener);

    assertThat(summary.entries()).isEqualTo(4);
    assertThat(summary.dangling()).isZero();
    assertThat(dangling).isEmpty();
    assertThat(removed).isEmpty();
  }

  /** A page stored again between the two looks (a restore going on) keeps its entry. */
  @Test
  void aPageStoredAgainBeforeTheSecondLookKeepsItsEntry() {
    IndexEntry entry = pagesOf("bob").get(0);
    byte[][] bytes = new byte[1][];
    try (var in = store.get(entry.pageKey())) {
      bytes[0] = in.readAllBytes();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    store.delete(entry.pageKey());
    ObjectStore restoring =
        new ForwardingObjectStore(store) {
          int heads;

          @Override
          public Optional<ObjectInfo> head(String key) {
            Optional<ObjectInfo> answer = super.head(key);
            if (key.equals(entry.pageKey()) && ++heads == 1) {
              delegate.put(
                  key,
                  new java.io.ByteArrayInputStream(bytes[0]),
                  bytes[0].length,
                  io.prism.snapshotter.storage.PutOptions.defaults());
            }
            return answer;
          }
        };

    IndexVerifier.Summary summary = new IndexVerifier(restoring, index).run("bob", true, listener);

    assertThat(summary.dangling()).isZero();
    assertThat(pagesOf("bob")).hasSize(4);
  }

  /** A wrong bucket or directory looks like a store whose pages are all gone. */
  @Test
  void repairRefusesAStoreThatHoldsNothing() {
    FilesystemObjectStore empty = new FilesystemObjectStore(dir.resolve("elsewhere"));

    assertThatThrownBy(() -> new IndexVerifier(empty, index).run(null, true, listener))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("holds no object at all");
    assertThat(pagesOf("alice")).hasSize(4);

    IndexVerifier.Summary report = new IndexVerifier(empty, index).run(null, false, listener);
    assertThat(report.dangling()).isEqualTo(16);
  }

  /** Every writer's entries in the walk's order: writers in byte order, then query order. */
  private List<IndexEntry> allInWalkOrder() {
    List<IndexEntry> all = new ArrayList<>();
    for (String writer : index.writers(null, 100).writers()) {
      all.addAll(pagesOf(writer));
    }
    return all;
  }

  /** An index of {@code count} entries of writer "big", whose pages the store answers for. */
  private static List<IndexEntry> bigWriter(int count) {
    List<IndexEntry> entries = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      entries.add(
          new IndexEntry(
              "big/" + i + ".pb.zst",
              "big",
              i,
              1_000L * i,
              1_000L * i + 999,
              1,
              10,
              7,
              "protobuf",
              "zstd",
              "events",
              0,
              i,
              i));
    }
    return entries;
  }

  /**
   * A writer's entries are read in bounded batches, never its whole history at once: a writer with
   * millions of pages must not exhaust the heap.
   */
  @Test
  void aLargeWritersEntriesAreReadInBoundedBatches() {
    int count = IndexVerifier.ENTRIES_PER_BATCH * 2 + 500;
    index.publish(bigWriter(count));
    List<Integer> batches = new ArrayList<>();
    PageIndex watched =
        new ForwardingPageIndex(index) {
          @Override
          public List<IndexEntry> entries(String writerId, TimeRange range) {
            if (range.equals(TimeRange.ALL)) {
              throw new AssertionError("the whole history of " + writerId + " was asked for");
            }
            return super.entries(writerId, range);
          }

          @Override
          public EntryPage entryPage(String writerId, EntryCursor from, int limit) {
            EntryPage page = super.entryPage(writerId, from, limit);
            if (writerId.equals("big")) {
              batches.add(page.entries().size());
            }
            return page;
          }
        };
    ObjectStore answersForBig =
        new ForwardingObjectStore(store) {
          @Override
          public Optional<ObjectInfo> head(String key) {
            return key.startsWith("big/")
                ? Optional.of(ObjectInfo.listed(key, 7, 0, "e"))
                : super.head(key);
          }
        };

    IndexVerifier.Summary summary =
        new IndexVerifier(answersForBig, watched).run(null, true, listener);

    assertThat(summary.entries()).isEqualTo(16 + count);
    assertThat(summary.dangling()).isZero();
    // The repair's look for a stored page reads big's first batch (its first page is there), then
    // the walk reads all three.
    int batch = IndexVerifier.ENTRIES_PER_BATCH;
    assertThat(batches).containsExactly(batch, batch, batch, 500);
  }

  /**
   * HEADs run on several threads at once (here all 8 must be waiting together, or none answers),
   * and what is found comes out in the index's order whatever order the HEADs finish in.
   */
  @Test
  void headsRunInParallelAndFindingsComeInTheIndexsOrder() {
    List<IndexEntry> all = allInWalkOrder();
    for (IndexEntry entry : all) {
      store.delete(entry.pageKey());
    }
    java.util.concurrent.CyclicBarrier eightAtOnce = new java.util.concurrent.CyclicBarrier(8);
    java.util.Random random = new java.util.Random(3);
    ObjectStore slowAndParallel =
        new ForwardingObjectStore(store) {
          @Override
          public Optional<ObjectInfo> head(String key) {
            try {
              eightAtOnce.await(10, java.util.concurrent.TimeUnit.SECONDS);
              Thread.sleep(random.nextInt(20));
            } catch (Exception e) {
              throw new AssertionError("fewer than 8 HEADs at once", e);
            }
            return super.head(key);
          }
        };

    // 16 first looks and 16 second looks: multiples of 8.
    IndexVerifier.Summary summary =
        new IndexVerifier(
                slowAndParallel,
                index,
                new IndexVerifier.Options(8, false, IndexVerifier.Options.DEFAULT_PROGRESS_EVERY))
            .run(null, false, listener);

    assertThat(summary.dangling()).isEqualTo(16);
    assertThat(dangling).containsExactlyElementsOf(all.stream().map(IndexEntry::pageKey).toList());
  }

  @Test
  void theParallelismIsChecked() {
    assertThatThrownBy(() -> new IndexVerifier.Options(0, false, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 100, not 0");
    assertThatThrownBy(() -> new IndexVerifier.Options(101, false, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 100, not 101");
  }

  /**
   * The cap follows the store: what its client serves at once (S3: a pool of 50 connections), at
   * most 100 threads where the client sets no limit (Azure, GCS, a filesystem).
   */
  @Test
  void theParallelismIsCappedByWhatTheStoreServesAtOnce() {
    ObjectStore pooled =
        new ForwardingObjectStore(store) {
          @Override
          public int concurrentRequests() {
            return 50;
          }

          @Override
          public void close() {}
        };
    assertThat(IndexVerifier.maxParallelism(pooled)).isEqualTo(50);
    assertThat(IndexVerifier.maxParallelism(store)).isEqualTo(100);
    assertThatThrownBy(
            () ->
                new IndexVerifier(
                    pooled, index, new IndexVerifier.Options(51, false, Duration.ZERO)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 50 on " + store.describe())
        .hasMessageContaining("not 51");
    assertThat(
            new IndexVerifier(pooled, index, new IndexVerifier.Options(50, false, Duration.ZERO))
                .run(null, false, listener)
                .entries())
        .isEqualTo(16);
    assertThat(
            new IndexVerifier(store, index, new IndexVerifier.Options(100, false, Duration.ZERO))
                .run(null, false, listener)
                .entries())
        .isEqualTo(16);
  }

  /**
   * A wrong prefix or bucket in a store that holds other objects makes every entry look dangling: a
   * repair would empty the index. It is refused (nothing removed) unless forced.
   */
  @Test
  void repairRefusesAStoreThatHoldsNoneOfTheIndexsPages() throws Exception {
    FilesystemObjectStore wrongPrefix = new FilesystemObjectStore(dir.resolve("elsewhere"));
    byte[] other = {1, 2, 3};
    wrongPrefix.put(
        "someone-elses/object",
        new java.io.ByteArrayInputStream(other),
        other.length,
        io.prism.snapshotter.storage.PutOptions.defaults());

    assertThatThrownBy(() -> new IndexVerifier(wrongPrefix, index).run(null, true, listener))
        .isInstanceOf(RepairRefusedException.class)
        .hasMessageContaining("every one of the 16 entries checked is dangling")
        .hasMessageContaining("add --force");
    assertThat(removed).isEmpty();
    assertThat(allInWalkOrder()).hasSize(16);

    IndexVerifier.Summary report = new IndexVerifier(wrongPrefix, index).run(null, false, listener);
    assertThat(report.dangling()).isEqualTo(16);
    assertThat(report.allDangling()).isTrue();

    IndexVerifier.Summary forced =
        new IndexVerifier(
                wrongPrefix,
                index,
                new IndexVerifier.Options(4, true, IndexVerifier.Options.DEFAULT_PROGRESS_EVERY))
            .run(null, true, listener);
    assertThat(forced.removed()).isEqualTo(16);
    assertThat(index.writers(null, 10).writers()).isEmpty();
  }

  /**
   * A lifecycle rule deletes the oldest pages: the walk meets a dozen dangling entries before the
   * first stored page. Once one is found, the repair removes them all, the first ones included.
   */
  @Test
  void repairGoesAheadOnceOneEntryHasItsPageEvenAfterManyDangling() {
    List<IndexEntry> all = allInWalkOrder();
    List<IndexEntry> gone = all.subList(0, 12);
    for (IndexEntry entry : gone) {
      store.delete(entry.pageKey());
    }

    IndexVerifier.Summary summary = new IndexVerifier(store, index).run(null, true, listener);

    assertThat(summary.removed()).isEqualTo(12);
    assertThat(removed).containsExactlyElementsOf(gone.stream().map(IndexEntry::pageKey).toList());
    assertThat(allInWalkOrder()).containsExactlyElementsOf(all.subList(12, 16));
  }

  /** HEADs per key, counted on any thread. */
  private static final class CountingHeads extends ForwardingObjectStore {
    final java.util.Map<String, Integer> heads = new java.util.concurrent.ConcurrentHashMap<>();

    CountingHeads(ObjectStore delegate) {
      super(delegate);
    }

    @Override
    public Optional<ObjectInfo> head(String key) {
      heads.merge(key, 1, Integer::sum);
      return super.head(key);
    }

    @Override
    public void close() {}
  }

  /**
   * The repair's guard looks up the entries before the first stored page (and those under way after
   * it); the walk reuses its answers: each page is looked up once, and a missing one a second time
   * just before it is reported. What is reported, in which order, is unchanged.
   */
  @Test
  void theRepairsWalkReusesTheGuardsLookUps() {
    List<IndexEntry> all = allInWalkOrder();
    List<IndexEntry> gone = all.subList(0, 12);
    for (IndexEntry entry : gone) {
      store.delete(entry.pageKey());
    }
    CountingHeads counting = new CountingHeads(store);

    // 2 threads: 8 look-ups under way at most, so some are still running when the first stored
    // page's answer comes.
    IndexVerifier.Summary summary =
        new IndexVerifier(
                counting,
                index,
                new IndexVerifier.Options(2, false, IndexVerifier.Options.DEFAULT_PROGRESS_EVERY))
            .run(null, true, listener);

    assertThat(summary).isEqualTo(new IndexVerifier.Summary(4, 16, 12, 12, 0));
    assertThat(removed).containsExactlyElementsOf(gone.stream().map(IndexEntry::pageKey).toList());
    for (IndexEntry entry : all) {
      boolean missing = gone.contains(entry);
      assertThat(counting.heads.get(entry.pageKey()))
          .as("HEADs of %s (%s)", entry.pageKey(), missing ? "missing" : "stored")
          .isEqualTo(missing ? 2 : 1);
    }
  }

  /**
   * Past {@link IndexVerifier#GUARD_ANSWERS_KEPT} (here 5) the guard keeps no more answers, and the
   * walk looks those pages up again: the same findings, in the same order.
   */
  @Test
  void theGuardsAnswersPastItsBoundAreLookedUpAgain() {
    List<IndexEntry> all = allInWalkOrder();
    List<IndexEntry> gone = all.subList(0, 12);
    for (IndexEntry entry : gone) {
      store.delete(entry.pageKey());
    }
    CountingHeads counting = new CountingHeads(store);

    IndexVerifier.Summary summary =
        new IndexVerifier(
                counting,
                index,
                new IndexVerifier.Options(2, false, IndexVerifier.Options.DEFAULT_PROGRESS_EVERY),
                System::nanoTime,
                5)
            .run(null, true, listener);

    assertThat(summary).isEqualTo(new IndexVerifier.Summary(4, 16, 12, 12, 0));
    assertThat(removed).containsExactlyElementsOf(gone.stream().map(IndexEntry::pageKey).toList());
    assertThat(allInWalkOrder()).containsExactlyElementsOf(all.subList(12, 16));
    for (int i = 0; i < gone.size(); i++) {
      assertThat(counting.heads.get(gone.get(i).pageKey()))
          .as("HEADs of missing page %d", i)
          .isEqualTo(i < 5 ? 2 : 3);
    }
  }

  /** Fewer than GUARD_MIN_ENTRIES entries, all dangling: a writer's few pages deleted. */
  @Test
  void aFewEntriesAllDanglingAreRemoved() {
    for (IndexEntry entry : pagesOf("bob")) {
      store.delete(entry.pageKey());
    }

    IndexVerifier.Summary summary = new IndexVerifier(store, index).run("bob", true, listener);

    assertThat(summary.removed()).isEqualTo(4);
    assertThat(pagesOf("bob")).isEmpty();
  }

  /** A progress report at most every progressEvery (here 5 s of a clock that moves 1 s a read). */
  @Test
  void progressIsReportedAtMostEveryInterval() {
    long[] now = {0};
    java.util.function.LongSupplier clock = () -> now[0] += 1_000_000_000L;
    index.publish(bigWriter(200));
    ObjectStore answersForBig =
        new ForwardingObjectStore(store) {
          @Override
          public Optional<ObjectInfo> head(String key) {
            return key.startsWith("big/")
                ? Optional.of(ObjectInfo.listed(key, 7, 0, "e"))
                : super.head(key);
          }
        };

    IndexVerifier.Summary summary =
        new IndexVerifier(
                answersForBig,
                index,
                new IndexVerifier.Options(4, false, Duration.ofSeconds(5)),
                clock)
            .run(null, false, listener);

    assertThat(summary.entries()).isEqualTo(216);
    // One clock read per entry (more while waiting): a report at most every 5 reads.
    assertThat(progress).hasSizeBetween(1, 216 / 5);
    assertThat(progress)
        .isSortedAccordingTo(Comparator.comparingLong(IndexVerifier.Summary::entries));
    assertThat(progress.get(progress.size() - 1).entries()).isLessThanOrEqualTo(216);

    progress.clear();
    long[] stopped = {0};
    new IndexVerifier(
            answersForBig,
            index,
            new IndexVerifier.Options(4, false, Duration.ofSeconds(5)),
            () -> stopped[0])
        .run(null, false, listener);
    assertThat(progress).as("no time passed").isEmpty();
  }

  /** The guard's search before a repair reports its progress too. */
  @Test
  void theSearchForAStoredPageReportsProgress() {
    FilesystemObjectStore wrongPrefix = new FilesystemObjectStore(dir.resolve("elsewhere"));
    byte[] other = {1};
    wrongPrefix.put(
        "x",
        new java.io.ByteArrayInputStream(other),
        1,
        io.prism.snapshotter.storage.PutOptions.defaults());

    assertThatThrownBy(
            () ->
                new IndexVerifier(
                        wrongPrefix, index, new IndexVerifier.Options(2, false, Duration.ZERO))
                    .run(null, true, listener))
        .isInstanceOf(RepairRefusedException.class);
    assertThat(searching).isNotEmpty().isSorted().last().isEqualTo(16L);
  }
}
