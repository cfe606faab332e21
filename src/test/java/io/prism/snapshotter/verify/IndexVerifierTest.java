package io.prism.snapshotter.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.ArrayList;
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
          public List<IndexEntry> entries(String writerId, TimeRange range) {
            List<IndexEntry> entries = super.entries(writerId, range);
            if (!listed && writerId.equals("bob")) {
              listed = true;
              delegate.remove(List.of(replaced)); // compaction's step 3
              store.delete(replaced.pageKey()); // and step 4
            }
            return entries;
          }
        };

    IndexVerifier.Summary summary =
        new IndexVerifier(store, compactedMeanwhile).run("bob", true, listener);

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
}
