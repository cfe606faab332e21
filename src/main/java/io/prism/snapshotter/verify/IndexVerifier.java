package io.prism.snapshotter.verify;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.index.WriterPage;
import io.prism.snapshotter.storage.ObjectInfo;
import io.prism.snapshotter.storage.ObjectKeys;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Walks index entries (one writer's, or every writer's) and looks each page up in storage with a
 * {@link ObjectStore#head} (no download): an entry whose page is not there is <em>dangling</em> (an
 * operator, a lifecycle rule or a restore of an older bucket deleted the page; nothing brings it
 * back, so compaction and replay would fail on it for ever); an entry whose page is there with
 * another size than the entry's {@code storage_size_bytes} is reported too.
 *
 * <p>Only a definite "no such object" counts: any other storage or index failure ends the walk with
 * its exception, so a store that cannot be reached never makes an entry look dangling. An entry is
 * called dangling only after a second look, just before it is reported (and removed, with {@code
 * repair}): the index still lists it (else a compaction replaced it meanwhile: it removes a
 * source's entry before it deletes the page) and the page is still not there (else it was stored
 * again). The sink stores a page before it publishes its entry, so a page being written has no
 * entry yet and is never seen here.
 *
 * <p>With {@code repair}, confirmed entries are removed {@value #REMOVE_BATCH} at a time, within
 * one writer's walk (moments after their second look).
 *
 * <p>Memory: writers are listed {@value #WRITERS_PER_PAGE} at a time, and one writer's entries at a
 * time (as compaction reads them); nothing is kept across writers but counts.
 */
public final class IndexVerifier {
  static final int WRITERS_PER_PAGE = 1_000;

  /** Dangling entries removed in one {@link PageIndex#remove} call. */
  static final int REMOVE_BATCH = 100;

  /** Told of each finding as it is made, so a caller can print it at once. */
  public interface Listener {
    /** An entry whose page is not in storage; {@code removed} when {@code repair} removed it. */
    void dangling(IndexEntry entry, boolean removed);

    /** An entry whose page is stored with another size than the entry says. */
    void sizeDiffers(IndexEntry entry, long storedBytes);
  }

  /**
   * What a walk found.
   *
   * @param writers writers whose entries were checked
   * @param entries entries checked
   * @param dangling entries whose page is not in storage
   * @param removed dangling entries removed ({@code repair})
   * @param sizeDiffers entries whose page is stored with another size
   */
  public record Summary(long writers, long entries, long dangling, long removed, long sizeDiffers) {
    /** Dangling entries still in the index. */
    public long danglingLeft() {
      return dangling - removed;
    }
  }

  private final ObjectStore store;
  private final PageIndex index;

  public IndexVerifier(ObjectStore store, PageIndex index) {
    this.store = store;
    this.index = index;
  }

  /**
   * Checks {@code writerId}'s entries, or every writer's when it is null; with {@code repair},
   * removes the dangling ones.
   *
   * @throws StorageException storage failed (nothing was removed on its account)
   * @throws io.prism.snapshotter.index.IndexException the index failed
   * @throws IllegalStateException {@code repair} on a store that holds no object at all
   */
  public Summary run(String writerId, boolean repair, Listener listener) {
    requireAStoreThatAnswers(repair);
    Totals totals = new Totals();
    if (writerId != null) {
      verifyWriter(writerId, repair, listener, totals);
      return totals.summary();
    }
    String after = null;
    do {
      WriterPage page = index.writers(after, WRITERS_PER_PAGE);
      for (String writer : page.writers()) {
        verifyWriter(writer, repair, listener, totals);
      }
      after = page.next();
    } while (after != null);
    return totals.summary();
  }

  /**
   * A listing, unlike a HEAD, tells a missing bucket from a missing key (S3 answers both HEADs with
   * a bare 404): so a wrong bucket fails here instead of making every entry look dangling. And an
   * empty store with a repair is refused: a wrong bucket, prefix or directory looks just like that,
   * and a repair would empty the index.
   */
  private void requireAStoreThatAnswers(boolean repair) {
    store.probe();
    boolean empty = store.list("", 1, null).objects().isEmpty();
    if (empty && repair) {
      throw new IllegalStateException(
          "the store "
              + store.describe()
              + " holds no object at all: a wrong bucket, prefix or directory looks the same, so"
              + " --repair would empty the index; refusing (check the settings; without --repair"
              + " the entries are listed)");
    }
  }

  private void verifyWriter(String writerId, boolean repair, Listener listener, Totals totals) {
    totals.writers++;
    List<IndexEntry> toRemove = new ArrayList<>();
    for (IndexEntry entry : index.entries(writerId, TimeRange.ALL)) {
      totals.entries++;
      Optional<ObjectInfo> stored = head(entry.pageKey());
      if (stored.isPresent()) {
        long size = stored.get().size();
        // A negative size is an entry that does not know its page's (nothing to compare).
        if (entry.storageSizeBytes() >= 0 && size != entry.storageSizeBytes()) {
          totals.sizeDiffers++;
          listener.sizeDiffers(entry, size);
        }
        continue;
      }
      if (!stillDangling(entry)) {
        continue;
      }
      totals.dangling++;
      if (!repair) {
        listener.dangling(entry, false);
        continue;
      }
      toRemove.add(entry);
      if (toRemove.size() == REMOVE_BATCH) {
        remove(toRemove, listener, totals);
      }
    }
    remove(toRemove, listener, totals);
  }

  /**
   * Removes confirmed dangling entries, a batch at a time: ClickHouse removes with a mutation it
   * waits for, so one per entry would make a large repair take hours.
   */
  private void remove(List<IndexEntry> dangling, Listener listener, Totals totals) {
    if (dangling.isEmpty()) {
      return;
    }
    index.remove(dangling);
    for (IndexEntry entry : dangling) {
      totals.removed++;
      listener.dangling(entry, true);
    }
    dangling.clear();
  }

  /**
   * The second look: the index still lists the entry, and its page is still not stored. Between the
   * first look and this one a compaction may have replaced the page (its entry removed, then the
   * page deleted), or someone stored it again.
   */
  private boolean stillDangling(IndexEntry entry) {
    TimeRange itsTime =
        new TimeRange(
            entry.startTime(),
            entry.endTime() == Long.MAX_VALUE ? Long.MAX_VALUE : entry.endTime() + 1);
    boolean listed =
        index.entries(entry.writerId(), itsTime).stream()
            .anyMatch(e -> e.pageKey().equals(entry.pageKey()));
    return listed && head(entry.pageKey()).isEmpty();
  }

  /**
   * The page's metadata; none for a key no store can hold (an entry a foreign writer published with
   * a key {@link ObjectKeys} refuses): no page can be there, so the entry is dangling too.
   */
  private Optional<ObjectInfo> head(String key) {
    return ObjectKeys.problem(key) != null ? Optional.empty() : store.head(key);
  }

  private static final class Totals {
    long writers;
    long entries;
    long dangling;
    long removed;
    long sizeDiffers;

    Summary summary() {
      return new Summary(writers, entries, dangling, removed, sizeDiffers);
    }
  }
}
