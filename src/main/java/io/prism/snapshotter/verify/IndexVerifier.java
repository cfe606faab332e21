package io.prism.snapshotter.verify;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.WriterPage;
import io.prism.snapshotter.storage.ObjectInfo;
import io.prism.snapshotter.storage.ObjectKeys;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.StorageException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

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
 * <p>HEADs (and second looks) run on {@link Options#parallelism} threads; findings are handed to
 * the {@link Listener} in the walk's order (writers in byte order, each writer's entries by start
 * time), whatever order the HEADs finish in.
 *
 * <p>With {@code repair}, confirmed entries are removed {@value #REMOVE_BATCH} at a time (moments
 * after their second look), and the last ones when the walk ends. Before anything is removed,
 * unless {@link Options#force}, the walk looks for one entry whose page the store holds: a wrong
 * bucket, prefix or directory in a store that holds other objects makes every entry look dangling,
 * and a repair would empty the index. When at least {@value #GUARD_MIN_ENTRIES} entries were
 * checked and none has its page, the repair is refused ({@link RepairRefusedException}). Else the
 * walk reuses the guard's look-ups (up to {@value #GUARD_ANSWERS_KEPT}): no page is looked up twice
 * for it.
 *
 * <p>Memory: writers are listed {@value #WRITERS_PER_PAGE} at a time, a writer's entries {@value
 * #ENTRIES_PER_BATCH} at a time ({@link PageIndex#entryPage}), and at most {@code 4 x parallelism}
 * checks are in flight; nothing is kept across writers but counts (and, with a repair, at most
 * {@value #GUARD_ANSWERS_KEPT} answers of the guard, until the walk has handed them out).
 */
public final class IndexVerifier {
  static final int WRITERS_PER_PAGE = 1_000;

  /** Entries read from the index in one {@link PageIndex#entryPage} call. */
  static final int ENTRIES_PER_BATCH = 1_000;

  /** Dangling entries removed in one {@link PageIndex#remove} call. */
  static final int REMOVE_BATCH = 100;

  /**
   * A repair goes ahead when fewer entries than this were checked, even if none has its page: a
   * writer whose few pages were all deleted is no sign of a wrong store.
   */
  public static final int GUARD_MIN_ENTRIES = 10;

  /**
   * Most answers of the repair's guard kept for the walk that follows it (about 0.5 KB each): the
   * walk reuses them instead of looking those pages up again. A longer run of missing pages before
   * the first stored one (a lifecycle rule that deleted a writer's oldest pages) is looked up again
   * from there on, as memory stays bounded.
   */
  static final int GUARD_ANSWERS_KEPT = 10_000;

  /** Checks queued or running per thread: keeps the threads busy while results are handed out. */
  private static final int WINDOW_PER_THREAD = 4;

  /** Told of each finding as it is made, so a caller can print it at once. */
  public interface Listener {
    /** An entry whose page is not in storage; {@code removed} when {@code repair} removed it. */
    void dangling(IndexEntry entry, boolean removed);

    /** An entry whose page is stored with another size than the entry says. */
    void sizeDiffers(IndexEntry entry, long storedBytes);

    /**
     * At most every {@link Options#progressEvery} while the walk goes on: what it found so far, and
     * the writer it is at.
     */
    default void progress(Summary soFar, String writerId) {}

    /**
     * At most every {@link Options#progressEvery} while a repair looks for an entry whose page the
     * store holds, before it removes anything: entries checked so far (their pages all missing).
     */
    default void searching(long entriesChecked) {}
  }

  /**
   * How a run goes.
   *
   * @param parallelism HEADs (and second looks) at once, 1 to {@link #MAX_PARALLELISM}, and no more
   *     than the store serves at once ({@link IndexVerifier#maxParallelism})
   * @param force with repair: remove even from a store that looks wrong (holds no object, or none
   *     of the pages the index lists)
   * @param progressEvery the least time between two progress reports
   */
  public record Options(int parallelism, boolean force, Duration progressEvery) {
    public static final int DEFAULT_PARALLELISM = 16;

    /**
     * The most threads a run starts, whatever the store: a store whose client sets no limit (Azure,
     * GCS, a filesystem) is bounded by this; one with a connection pool by its pool ({@link
     * IndexVerifier#maxParallelism}).
     */
    public static final int MAX_PARALLELISM = 100;

    public static final Duration DEFAULT_PROGRESS_EVERY = Duration.ofSeconds(5);

    public static final Options DEFAULTS =
        new Options(DEFAULT_PARALLELISM, false, DEFAULT_PROGRESS_EVERY);

    public Options {
      if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
        throw new IllegalArgumentException(
            "the parallelism must be 1 to " + MAX_PARALLELISM + ", not " + parallelism);
      }
      if (progressEvery.isNegative()) {
        throw new IllegalArgumentException("progressEvery is negative: " + progressEvery);
      }
    }
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

    /**
     * Every entry checked, at least {@link #GUARD_MIN_ENTRIES}, is dangling: what a wrong bucket,
     * prefix or directory looks like.
     */
    public boolean allDangling() {
      return entries >= GUARD_MIN_ENTRIES && dangling == entries;
    }
  }

  /** One entry's look-up: its page's stored size, or -1 when not stored. */
  private record Check(IndexEntry entry, long storedSize, boolean dangling) {}

  /** An entry for the walk to check, with the guard's look-up of it when it made one. */
  private record Pending(IndexEntry entry, Check firstLook) {}

  private final ObjectStore store;
  private final PageIndex index;
  private final Options options;
  private final LongSupplier nanoTime;
  private final int guardAnswersKept;

  public IndexVerifier(ObjectStore store, PageIndex index) {
    this(store, index, Options.DEFAULTS);
  }

  public IndexVerifier(ObjectStore store, PageIndex index, Options options) {
    this(store, index, options, System::nanoTime);
  }

  /** With the clock that times progress reports (a test's). */
  IndexVerifier(ObjectStore store, PageIndex index, Options options, LongSupplier nanoTime) {
    this(store, index, options, nanoTime, GUARD_ANSWERS_KEPT);
  }

  /** With a test's clock and a test's bound on the guard's answers kept for the walk. */
  IndexVerifier(
      ObjectStore store,
      PageIndex index,
      Options options,
      LongSupplier nanoTime,
      int guardAnswersKept) {
    if (options.parallelism() > maxParallelism(store)) {
      throw new IllegalArgumentException(
          "the parallelism must be 1 to "
              + maxParallelism(store)
              + " on "
              + store.describe()
              + " (what its client serves at once), not "
              + options.parallelism());
    }
    this.store = store;
    this.index = index;
    this.options = options;
    this.nanoTime = nanoTime;
    this.guardAnswersKept = guardAnswersKept;
  }

  /**
   * The most HEADs at once worth running on {@code store}: what it serves at once ({@link
   * ObjectStore#concurrentRequests}: the S3 client's pool of 50 connections; more threads would
   * only wait for a connection, and fail after its 10 s acquisition timeout), at most {@link
   * Options#MAX_PARALLELISM}.
   */
  public static int maxParallelism(ObjectStore store) {
    return Math.min(Options.MAX_PARALLELISM, store.concurrentRequests());
  }

  /**
   * Checks {@code writerId}'s entries, or every writer's when it is null; with {@code repair},
   * removes the dangling ones.
   *
   * @throws StorageException storage failed (nothing was removed on its account)
   * @throws io.prism.snapshotter.index.IndexException the index failed
   * @throws RepairRefusedException {@code repair} (without {@link Options#force}) on a store that
   *     holds no object at all, or none of the pages of the (at least {@value #GUARD_MIN_ENTRIES})
   *     entries checked; nothing was removed
   */
  public Summary run(String writerId, boolean repair, Listener listener) {
    requireAStoreThatAnswers(repair);
    ExecutorService pool = threads();
    try {
      List<Check> answered =
          repair && !options.force() ? requireAStoredPage(writerId, pool, listener) : List.of();
      return verify(writerId, repair, listener, pool, answered);
    } finally {
      pool.shutdownNow();
    }
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
    if (empty && repair && !options.force()) {
      throw new RepairRefusedException(
          "the store "
              + store.describe()
              + " holds no object at all: a wrong bucket, prefix or directory looks the same, so"
              + " --repair would empty the index; refusing (check the settings; without --repair"
              + " the entries are listed; if the pages are gone indeed, add --force)");
    }
  }

  /**
   * Before a repair removes anything: walks the entries (HEADs only, nothing reported) until one
   * has its page in the store. None among {@value #GUARD_MIN_ENTRIES} or more is a store that holds
   * other objects but none of this index's pages: a wrong bucket or prefix, most likely.
   *
   * <p>Returns its answers, in the walk's order, for the walk to reuse: those of the entries up to
   * the stored page and of the look-ups already under way after it (their HEADs are made), at most
   * {@link #guardAnswersKept} of them from the walk's start.
   */
  private List<Check> requireAStoredPage(String writerId, ExecutorService pool, Listener listener) {
    long[] checked = {0};
    Throttle progress = new Throttle();
    Runnable progressIfDue =
        () -> {
          if (progress.due()) {
            listener.searching(checked[0]);
          }
        };
    List<Check> answered = new ArrayList<>();
    try (OrderedChecks<IndexEntry, Check> checks =
        new OrderedChecks<>(
            pool, options.parallelism() * WINDOW_PER_THREAD, new IndexWalk(writerId), this::look)) {
      Check check;
      while ((check = checks.next(waitMillis(), progressIfDue)) != null) {
        if (answered.size() < guardAnswersKept) {
          answered.add(check);
        }
        if (check.storedSize() >= 0) {
          if (answered.size() < guardAnswersKept) {
            checks.stopTakingEntries();
            while (answered.size() < guardAnswersKept
                && (check = checks.next(waitMillis(), () -> {})) != null) {
              answered.add(check);
            }
          }
          return answered;
        }
        checked[0]++;
        progressIfDue.run();
      }
    }
    if (checked[0] >= GUARD_MIN_ENTRIES) {
      throw new RepairRefusedException(
          "every one of the "
              + checked[0]
              + " entries checked is dangling: the store "
              + store.describe()
              + " holds none of the pages the index lists. A wrong bucket, prefix or directory"
              + " looks the same, and --repair would empty the index; removed nothing (check the"
              + " storage settings; without --repair the entries are listed; if the pages are gone"
              + " indeed, add --force)");
    }
    return answered;
  }

  /**
   * @param answered the guard's look-ups of the walk's first entries, in its order: reused, so each
   *     page is looked up once (and a missing one a second time, just before it is reported)
   */
  private Summary verify(
      String writerId,
      boolean repair,
      Listener listener,
      ExecutorService pool,
      List<Check> answered) {
    Totals totals = new Totals();
    IndexWalk walk = new IndexWalk(writerId);
    List<IndexEntry> toRemove = new ArrayList<>();
    Throttle progress = new Throttle();
    // The writer of the last entry checked; totals.writers counts those met so far (the walk lists
    // writers ahead of the checks), until the walk's own count at the end.
    String[] at = {null};
    Runnable progressIfDue =
        () -> {
          if (progress.due()) {
            listener.progress(totals.summary(), at[0] == null ? "" : at[0]);
          }
        };
    try (OrderedChecks<Pending, Check> checks =
        new OrderedChecks<>(
            pool,
            options.parallelism() * WINDOW_PER_THREAD,
            new AnsweredFirst(answered, walk),
            this::lookTwiceIfMissing)) {
      Check check;
      while ((check = checks.next(waitMillis(), progressIfDue)) != null) {
        totals.entries++;
        if (!check.entry().writerId().equals(at[0])) {
          at[0] = check.entry().writerId();
          totals.writers++;
        }
        record(check, repair, listener, totals, toRemove);
        progressIfDue.run();
      }
    }
    remove(toRemove, listener, totals);
    totals.writers = walk.writersListed();
    return totals.summary();
  }

  /**
   * The entries of one writer, or of every writer the index lists ({@value #WRITERS_PER_PAGE}
   * writer ids at a time), one after the other: one stream, so the HEADs stay {@link
   * Options#parallelism} at once across writers with few entries.
   */
  private final class IndexWalk implements Iterator<IndexEntry> {
    private final String onlyWriter;
    private WriterPage writers;
    private int nextWriter;
    private WriterEntries entries;
    private long writersListed;

    IndexWalk(String onlyWriter) {
      this.onlyWriter = onlyWriter;
    }

    @Override
    public boolean hasNext() {
      while (entries == null || !entries.hasNext()) {
        String writer = nextWriter();
        if (writer == null) {
          return false;
        }
        writersListed++;
        entries = new WriterEntries(index, writer, ENTRIES_PER_BATCH);
      }
      return true;
    }

    @Override
    public IndexEntry next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return entries.next();
    }

    /** Writers whose entries the walk has begun (some may have none). */
    long writersListed() {
      return writersListed;
    }

    private String nextWriter() {
      if (onlyWriter != null) {
        return writersListed == 0 ? onlyWriter : null;
      }
      if (writers == null) {
        writers = index.writers(null, WRITERS_PER_PAGE);
      }
      while (nextWriter == writers.writers().size() && writers.next() != null) {
        writers = index.writers(writers.next(), WRITERS_PER_PAGE);
        nextWriter = 0;
      }
      return nextWriter < writers.writers().size() ? writers.writers().get(nextWriter++) : null;
    }
  }

  private void record(
      Check check, boolean repair, Listener listener, Totals totals, List<IndexEntry> toRemove) {
    IndexEntry entry = check.entry();
    if (check.storedSize() >= 0) {
      // A negative size is an entry that does not know its page's (nothing to compare).
      if (entry.storageSizeBytes() >= 0 && check.storedSize() != entry.storageSizeBytes()) {
        totals.sizeDiffers++;
        listener.sizeDiffers(entry, check.storedSize());
      }
      return;
    }
    if (!check.dangling()) {
      return;
    }
    totals.dangling++;
    if (!repair) {
      listener.dangling(entry, false);
      return;
    }
    toRemove.add(entry);
    if (toRemove.size() == REMOVE_BATCH) {
      remove(toRemove, listener, totals);
    }
  }

  /**
   * The walk's entries for the second walk: those the guard answered first, with its answers, then
   * the rest of a new walk, without those (an entry published meanwhile before the last one
   * answered is not met, as the contract of {@link PageIndex#entryPage} allows). Answers are let go
   * of as they are handed out.
   */
  private static final class AnsweredFirst implements Iterator<Pending> {
    private final ArrayDeque<Check> answered;
    private final Set<List<String>> answeredPages = new HashSet<>();
    private final Iterator<IndexEntry> walk;
    private IndexEntry next;

    AnsweredFirst(List<Check> answered, Iterator<IndexEntry> walk) {
      this.answered = new ArrayDeque<>(answered);
      answered.forEach(c -> answeredPages.add(pageOf(c.entry())));
      this.walk = walk;
    }

    private static List<String> pageOf(IndexEntry entry) {
      return List.of(entry.writerId(), entry.pageKey());
    }

    @Override
    public boolean hasNext() {
      if (!answered.isEmpty() || next != null) {
        return true;
      }
      while (walk.hasNext()) {
        IndexEntry entry = walk.next();
        if (answeredPages.isEmpty() || !answeredPages.contains(pageOf(entry))) {
          next = entry;
          return true;
        }
      }
      return false;
    }

    @Override
    public Pending next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Check first = answered.poll();
      if (first != null) {
        return new Pending(first.entry(), first);
      }
      IndexEntry entry = next;
      next = null;
      return new Pending(entry, null);
    }
  }

  /** The first look: a HEAD of the entry's page. */
  private Check look(IndexEntry entry) {
    Optional<ObjectInfo> stored = head(entry.pageKey());
    return new Check(entry, stored.isPresent() ? stored.get().size() : -1, false);
  }

  /**
   * The first look, unless the guard made it, and for a page not stored the second look, which
   * decides whether the entry is dangling.
   */
  private Check lookTwiceIfMissing(Pending pending) {
    Check first = pending.firstLook() != null ? pending.firstLook() : look(pending.entry());
    if (first.storedSize() >= 0) {
      return first;
    }
    return new Check(first.entry(), -1, stillDangling(first.entry()));
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
    boolean listed = index.holds(entry);
    return listed && head(entry.pageKey()).isEmpty();
  }

  /**
   * The page's metadata; none for a key no store can hold (an entry a foreign writer published with
   * a key {@link ObjectKeys} refuses): no page can be there, so the entry is dangling too.
   */
  private Optional<ObjectInfo> head(String key) {
    return ObjectKeys.problem(key) != null ? Optional.empty() : store.head(key);
  }

  private ExecutorService threads() {
    AtomicInteger count = new AtomicInteger();
    return Executors.newFixedThreadPool(
        options.parallelism(),
        task -> {
          Thread thread = new Thread(task, "pages-verify-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }

  /** How long to wait for a check before asking whether a progress report is due. */
  private long waitMillis() {
    return Math.max(10, Math.min(1_000, options.progressEvery().toMillis()));
  }

  /** Says when a progress report is due: at most once every {@link Options#progressEvery}. */
  private final class Throttle {
    private long last = nanoTime.getAsLong();

    boolean due() {
      long now = nanoTime.getAsLong();
      if (now - last < options.progressEvery().toNanos()) {
        return false;
      }
      last = now;
      return true;
    }
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
