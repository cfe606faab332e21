package io.prism.snapshotter.compact;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.page.PageFormatException;
import io.prism.snapshotter.page.PageMetadata;
import io.prism.snapshotter.page.PageReader;
import io.prism.snapshotter.sink.CompactedKeys;
import io.prism.snapshotter.sink.PageCommitter;
import io.prism.snapshotter.storage.ListPage;
import io.prism.snapshotter.storage.NoSuchObjectException;
import io.prism.snapshotter.storage.ObjectAlreadyExistsException;
import io.prism.snapshotter.storage.ObjectInfo;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.PutOptions;
import io.prism.snapshotter.util.Printable;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges a writer's small old pages (the RFC's open question 2). For each group the {@link
 * CompactionPlanner} picks, in this order:
 *
 * <ol>
 *   <li>store the merged page, create-only, under its {@link CompactedKeys deterministic key};
 *   <li>publish its index entry;
 *   <li>remove the sources' entries;
 *   <li>delete the sources, the first one last.
 * </ol>
 *
 * Every step leaves each event readable exactly once: until step 3 the index has the sources (and
 * after step 2 the merged page too, whose Kafka span contains theirs, so replay's duplicate check
 * drops their repeats); without an index, storage holds both until step 4, the same way.
 *
 * <p>A run picks up what an interrupted one left: a merged page the writer's listing shows whose
 * first source still exists is finished (steps 2-4 again, all idempotent); a merged page stored but
 * never indexed is reused when the plan has the same sources, else found under the {@link
 * CompactedKeys#searchPrefix} of one of a planned group's sources and deleted (no index knew it, so
 * no replay could read it).
 *
 * <p>Merged pages are sources like any other (see {@link CompactionPlanner}); a merged source is
 * replaced exactly as a sink page is, and its own sources were deleted before it could be planned.
 *
 * <p>A run needs heap for one group, not for the writer's history (which can be millions of pages):
 * the writer's pages are listed once, a batch at a time, into a {@link WriterOrderSort} (one chunk
 * in memory, the rest in temporary files), then read twice in the writer's order: once for
 * interrupted merges, once to plan and merge group by group ({@link CompactionPlanner#groups}).
 * Merges are handed out as they are made ({@link #run(String, boolean, Consumer)}), only counted in
 * the report.
 *
 * <p>Only pages that ended before the cutoff are touched, so a sink still writing the writer's new
 * pages is left alone. Pick a cutoff well beyond the connector's commit lag: a page re-delivered
 * after its sources were merged and deleted would be stored again (replay would still show its
 * events once).
 */
public final class Compactor {
  private static final Logger log = LoggerFactory.getLogger(Compactor.class);
  private static final long HEAD_BYTES = 64 * 1024;

  /**
   * How old a merged page no index knows must be before it is taken for an interrupted run's and
   * deleted: a run still working, this one or another running at the same time, stores each merged
   * page moments before it publishes it. (Two runs at once must never delete each other's pages:
   * the other run deletes the sources once its page is published.)
   */
  static final Duration ORPHAN_MIN_AGE = Duration.ofHours(1);

  private final ObjectStore store;
  private final PageIndex index;
  private final WriterPages pages;
  private final CompactionSettings settings;
  private final CompactionPlanner planner;
  private final PageMerger merger;
  private final Clock clock;
  private final long maxDecodedBytes;
  private final int sortChunkEntries;
  private final PageReader reader = new PageReader();
  private volatile int maxEntriesHeld;

  /**
   * @param index where merged entries are published and replaced ones removed ({@link
   *     PageIndex#none()} when pages are not indexed)
   * @param pages where the writer's pages are found: the index, or a listing of storage
   */
  public Compactor(
      ObjectStore store,
      PageIndex index,
      WriterPages pages,
      CompactionSettings settings,
      Clock clock) {
    this(store, index, pages, settings, clock, CompactionPlanner.MAX_PAGE_BYTES);
  }

  Compactor(
      ObjectStore store,
      PageIndex index,
      WriterPages pages,
      CompactionSettings settings,
      Clock clock,
      long maxDecodedBytes) {
    this(
        store,
        index,
        pages,
        settings,
        clock,
        maxDecodedBytes,
        WriterOrderSort.DEFAULT_CHUNK_ENTRIES);
  }

  /**
   * @param maxDecodedBytes most bytes of decoded events one merge holds (a test makes it small)
   * @param sortChunkEntries most entries the plan's sort holds in memory (a test makes it small)
   */
  Compactor(
      ObjectStore store,
      PageIndex index,
      WriterPages pages,
      CompactionSettings settings,
      Clock clock,
      long maxDecodedBytes,
      int sortChunkEntries) {
    this.store = store;
    this.index = index;
    this.pages = pages;
    this.settings = settings;
    this.planner = new CompactionPlanner(settings);
    this.merger = new PageMerger(store, settings, maxDecodedBytes);
    this.maxDecodedBytes = maxDecodedBytes;
    this.sortChunkEntries = sortChunkEntries;
    this.clock = clock;
  }

  /**
   * Compacts the writer's pages that ended more than {@link CompactionSettings#olderThan()} ago,
   * keeping every merge in the report's {@link CompactionReport#merges()} (for a writer of any
   * size, {@link #run(String, boolean, Consumer)} keeps none).
   *
   * @throws PageFormatException a page to merge cannot be read (nothing of its group was changed)
   * @throws DanglingEntryException a page to merge is indexed but not stored (nothing of its group
   *     was changed; running again fails the same way)
   * @throws io.prism.snapshotter.storage.StorageException storage failed (run again to finish)
   * @throws io.prism.snapshotter.index.IndexException the index failed (run again to finish)
   */
  public CompactionReport run(String writerId, boolean dryRun)
      throws IOException, PageFormatException {
    List<CompactionReport.Merge> kept = new ArrayList<>();
    CompactionReport report = run(writerId, dryRun, kept::add);
    return new CompactionReport(
        writerId,
        dryRun,
        kept,
        report.mergedPages(),
        report.pagesReplaced(),
        report.sourceBytes(),
        report.mergedBytes(),
        report.finished(),
        report.orphans());
  }

  /**
   * As {@link #run(String, boolean)}, handing each merge to {@code onMerge} once it is done (or
   * planned, in a dry run) and keeping none: the heap a run needs is bounded by one sort chunk
   * ({@link WriterOrderSort}) and one group, not by the writer's history. The report's figures
   * still count every merge.
   */
  public CompactionReport run(
      String writerId, boolean dryRun, Consumer<CompactionReport.Merge> onMerge)
      throws IOException, PageFormatException {
    long cutoff = clock.millis() - settings.olderThan().toMillis();
    try (WriterOrderSort sorted = new WriterOrderSort(sortChunkEntries)) {
      // One listing, taken whole before anything changes: what this run publishes and removes
      // does not move it.
      pages.walk(writerId, sorted::add);
      return run(writerId, dryRun, onMerge, sorted, cutoff);
    } catch (UncheckedIOException e) {
      // The sort's temporary files (java.io.tmpdir): its message says so.
      throw new IOException(e.getMessage(), e.getCause());
    }
  }

  private CompactionReport run(
      String writerId,
      boolean dryRun,
      Consumer<CompactionReport.Merge> onMerge,
      WriterOrderSort sorted,
      long cutoff)
      throws IOException, PageFormatException {
    int finished = 0;
    Set<String> replaced = new HashSet<>();
    for (Unfinished merge : unfinishedMerges(sorted.entries())) {
      replaced.addAll(merge.sources());
      if (!dryRun) {
        log.info("Finishing the merge into {} that an earlier run left", merge.page().pageKey());
        index.publish(
            List.of(merge.page())); // again: a secondary may not have taken it before the crash
        replaceSources(merge.page(), merge.sources(), merge.listed());
      }
      finished++;
    }

    CompactionReport.Tally tally = new CompactionReport.Tally();
    int orphans = 0;
    Iterator<IndexEntry> remaining = without(sorted.entries(), replaced);
    CompactionPlanner.Groups plan = planner.groups(remaining, cutoff);
    while (plan.hasNext()) {
      List<IndexEntry> group = plan.next();
      String key = mergedKeyOf(group);
      if (dryRun) {
        emit(
            new CompactionReport.Merge(key, keysOf(group), storedBytesOf(group), -1, -1, false),
            tally,
            onMerge);
        continue;
      }
      orphans += deleteOrphans(writerId, group, key);
      Optional<IndexEntry> stored = storedMerge(key, CompactedKeys.id(keysOf(group)));
      IndexEntry merged;
      if (stored.isPresent()) {
        merged = stored.get();
        log.info(
            "{} already holds the merge of {} pages (an earlier run stored it); using it",
            key,
            group.size());
      } else {
        MergedPage page = mergeOrExplain(writerId, group);
        int fitted = page == null ? 0 : page.sourceKeys().size();
        if (fitted < group.size()) {
          // The index understated the pages' sizes: the rest is planned again from the first page
          // that did not fit (or, with none merged, from the group's second page).
          plan =
              planner.groups(
                  concat(group.subList(Math.max(fitted, 1), group.size()), plan.rest()), cutoff);
          log.warn(
              "The events of {} pages of writer {} from {} decode to more than {} bytes or {}"
                  + " events, though the index's page sizes and event counts add up to less:"
                  + " merging {} of them, planning the rest again",
              group.size(),
              Printable.quote(writerId),
              group.get(0).pageKey(),
              maxDecodedBytes,
              CompactionPlanner.MAX_PAGE_EVENTS,
              fitted < 2 ? 0 : fitted);
          if (page == null) {
            continue;
          }
          group = group.subList(0, fitted);
          key = page.key();
        }
        merged = store(page);
      }
      List<String> sourceKeys = keysOf(group);
      long sourceBytes = storedBytesOf(group);
      index.publish(List.of(merged));
      replaceSources(merged, sourceKeys, byKey(group));
      emit(
          new CompactionReport.Merge(
              key,
              sourceKeys,
              sourceBytes,
              merged.storageSizeBytes(),
              merged.eventCount(),
              stored.isPresent()),
          tally,
          onMerge);
      log.info(
          "Merged {} pages of writer {} ({} bytes) into {} ({} bytes, {} events)",
          group.size(),
          Printable.quote(writerId),
          sourceBytes,
          key,
          merged.storageSizeBytes(),
          merged.eventCount());
    }
    maxEntriesHeld = Math.max(sorted.maxHeld(), plan.maxHeld());
    return tally.report(writerId, dryRun, List.of(), finished, orphans);
  }

  /**
   * The most of the writer's entries the last finished run held in memory at once, for planning: in
   * its sort ({@link WriterOrderSort#maxHeld}) or its plan (the group being formed and the one
   * handed out).
   */
  int maxEntriesHeld() {
    return maxEntriesHeld;
  }

  private static void emit(
      CompactionReport.Merge merge,
      CompactionReport.Tally tally,
      Consumer<CompactionReport.Merge> onMerge) {
    tally.add(merge);
    onMerge.accept(merge);
  }

  /**
   * The group's merged page. A source gone from storage is either a race (another compaction of the
   * writer replaced it since this run listed the pages: running again finishes) or a dangling index
   * entry (the index still lists it: running again fails the same way for ever), told apart by
   * asking the index again; the second is a {@link DanglingEntryException} that names the key and
   * the fix.
   */
  private MergedPage mergeOrExplain(String writerId, List<IndexEntry> group)
      throws IOException, PageFormatException {
    try {
      return merger.merge(writerId, group);
    } catch (PageMerger.SourceGone gone) {
      String key = gone.source.pageKey();
      // Asked about that page's time range only (its entry's, as the index holds it), not the
      // writer's whole history again.
      boolean stillListed = pages.indexed() && pages.stillLists(gone.source);
      if (stillListed && store.head(key).isEmpty()) {
        throw new DanglingEntryException(writerId, key, gone);
      }
      throw gone;
    }
  }

  /** A merged page an interrupted run left, with its sources and those of them listed. */
  private record Unfinished(
      IndexEntry page, List<String> sources, Map<String, IndexEntry> listed) {}

  /**
   * The merged pages among the writer's pages (read in the writer's order) whose merge is
   * unfinished. Its first source is deleted last, so while it exists the merge is unfinished; so it
   * is too while one of its sources is still listed. A merged page's sources lie within its Kafka
   * span, so in the writer's order they come among the pages that share its first offset and the
   * pages after it up to its last offset: each merged page waits there for its listed sources, and
   * only the pages at one first offset are held besides.
   */
  private List<Unfinished> unfinishedMerges(Iterator<IndexEntry> ordered) throws IOException {
    List<Unfinished> unfinished = new ArrayList<>();
    List<Waiting> waiting = new ArrayList<>();
    List<IndexEntry> sameFirstOffset = new ArrayList<>();
    while (ordered.hasNext()) {
      IndexEntry page = ordered.next();
      for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
        Waiting merge = it.next();
        if (merge.passedBy(page)) {
          merge.finishInto(unfinished);
          it.remove();
        } else {
          merge.meet(page);
        }
      }
      if (!sameFirstOffset.isEmpty() && !sameFirstOffset(sameFirstOffset.get(0), page)) {
        sameFirstOffset.clear();
      }
      if (CompactedKeys.looksMerged(page.pageKey())) {
        Waiting merge = waitingFor(page);
        if (merge != null) {
          sameFirstOffset.forEach(merge::meet);
          waiting.add(merge);
        }
      }
      sameFirstOffset.add(page);
    }
    waiting.forEach(merge -> merge.finishInto(unfinished));
    return unfinished;
  }

  private static boolean sameFirstOffset(IndexEntry a, IndexEntry b) {
    return a.topic().equals(b.topic())
        && a.partition() == b.partition()
        && a.firstOffset() == b.firstOffset();
  }

  /** The merged page, waiting for its listed sources; null when it is not a merged page. */
  private Waiting waitingFor(IndexEntry mergedPage) throws IOException {
    PageMetadata metadata = readMetadata(mergedPage.pageKey());
    if (metadata == null || CompactedKeys.idOf(metadata) == null) {
      return null;
    }
    List<String> sources = CompactedKeys.sourcesOf(metadata);
    if (sources.isEmpty()) {
      return null;
    }
    return new Waiting(mergedPage, sources, store.head(sources.get(0)).isPresent());
  }

  /** A merged page met in the writer's order, and those of its sources listed so far. */
  private static final class Waiting {
    final IndexEntry page;
    final List<String> sources;
    final Set<String> sourceKeys;
    final boolean firstSourceStored;
    final Map<String, IndexEntry> listed = new HashMap<>();

    Waiting(IndexEntry page, List<String> sources, boolean firstSourceStored) {
      this.page = page;
      this.sources = sources;
      this.sourceKeys = new HashSet<>(sources);
      this.firstSourceStored = firstSourceStored;
    }

    void meet(IndexEntry other) {
      if (sourceKeys.contains(other.pageKey())) {
        listed.put(other.pageKey(), other);
      }
    }

    /** Whether {@code next}, and every page after it, lies past this page's Kafka span. */
    boolean passedBy(IndexEntry next) {
      return !CompactionPlanner.hasKafkaSpan(page)
          || !CompactionPlanner.hasKafkaSpan(next)
          || !next.topic().equals(page.topic())
          || next.partition() != page.partition()
          || next.firstOffset() > page.lastOffset();
    }

    void finishInto(List<Unfinished> unfinished) {
      if (firstSourceStored || !listed.isEmpty()) {
        unfinished.add(new Unfinished(page, sources, listed));
      }
    }
  }

  /**
   * Steps 3 and 4: removes the sources' entries (with an index), then deletes them, the first one
   * last. A source no longer listed (its entry already removed: an earlier run got this far) is
   * looked up in storage, and its entry rebuilt from its metadata so secondary indexes lose it too.
   * A source whose Kafka span is not within the merged page's is left alone with a warning:
   * something wrote that key again since (a re-delivery long after the cutoff), and its events may
   * not all be in the merged page.
   */
  private void replaceSources(
      IndexEntry merged, List<String> sourceKeys, Map<String, IndexEntry> byKey)
      throws IOException {
    List<IndexEntry> present = new ArrayList<>();
    for (String key : sourceKeys) {
      IndexEntry source = byKey.containsKey(key) ? byKey.get(key) : storedEntry(key);
      if (source == null) {
        continue;
      }
      if (!withinSpan(source, merged)) {
        log.warn(
            "{} holds offsets {}..{} of {}-{}, not within merged page {} ({}..{}): it was written again "
                + "after being merged; leaving it",
            key,
            source.firstOffset(),
            source.lastOffset(),
            source.topic(),
            source.partition(),
            merged.pageKey(),
            merged.firstOffset(),
            merged.lastOffset());
        continue;
      }
      present.add(source);
    }
    if (pages.indexed()) {
      index.remove(present);
    }
    for (int i = present.size() - 1; i >= 0; i--) {
      store.delete(present.get(i).pageKey());
    }
    log.debug("Replaced {} pages by {}", present.size(), merged.pageKey());
  }

  /** The entry of the page stored at {@code key}, from its metadata; null when there is none. */
  private IndexEntry storedEntry(String key) throws IOException {
    Optional<ObjectInfo> object = store.head(key);
    PageMetadata metadata = object.isPresent() ? readMetadata(key) : null;
    return metadata == null
        ? null
        : PageCommitter.entryFromPage(key, metadata, object.get().size());
  }

  private static boolean withinSpan(IndexEntry source, IndexEntry merged) {
    return source.topic().equals(merged.topic())
        && source.partition() == merged.partition()
        && source.firstOffset() >= merged.firstOffset()
        && source.lastOffset() <= merged.lastOffset();
  }

  private static List<String> keysOf(List<IndexEntry> group) {
    return group.stream().map(IndexEntry::pageKey).toList();
  }

  private static long storedBytesOf(List<IndexEntry> group) {
    return group.stream().mapToLong(IndexEntry::storageSizeBytes).sum();
  }

  private static Map<String, IndexEntry> byKey(List<IndexEntry> group) {
    Map<String, IndexEntry> byKey = new HashMap<>();
    group.forEach(e -> byKey.put(e.pageKey(), e));
    return byKey;
  }

  /** {@code ordered} without the pages of these keys. */
  private static Iterator<IndexEntry> without(Iterator<IndexEntry> ordered, Set<String> keys) {
    if (keys.isEmpty()) {
      return ordered;
    }
    return new Iterator<>() {
      private IndexEntry next = advance();

      private IndexEntry advance() {
        while (ordered.hasNext()) {
          IndexEntry e = ordered.next();
          if (!keys.contains(e.pageKey())) {
            return e;
          }
        }
        return null;
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public IndexEntry next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        IndexEntry e = next;
        next = advance();
        return e;
      }
    };
  }

  /** {@code first}'s pages, then {@code then}'s. */
  private static Iterator<IndexEntry> concat(List<IndexEntry> first, Iterator<IndexEntry> then) {
    Iterator<IndexEntry> head = List.copyOf(first).iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return head.hasNext() || then.hasNext();
      }

      @Override
      public IndexEntry next() {
        return head.hasNext() ? head.next() : then.next();
      }
    };
  }

  private String mergedKeyOf(List<IndexEntry> group) {
    List<String> sourceKeys = group.stream().map(IndexEntry::pageKey).toList();
    return CompactedKeys.keyFor(
        sourceKeys.get(0), CompactedKeys.id(sourceKeys), settings.extension());
  }

  /**
   * Deletes merged pages stored by an interrupted run that no index knew and that this run's plan
   * does not want: the interrupted run planned differently (more pages had crossed the cutoff, or a
   * group it had finished is now a merged page that joins the next pages). Such a page sits under
   * the {@link CompactedKeys#searchPrefix} of its own first source, which is still indexed (the
   * page was never published, so its sources were never removed) and which the greedy planner puts
   * into a group again: so every source's prefix is searched, before the group's merge is stored.
   * Without an index there are none: the listing already showed every stored page.
   *
   * <p>A merged page of another run going on at the same time looks the same to this run's listing,
   * taken when it began: so only a page stored more than {@link #ORPHAN_MIN_AGE} ago, and still not
   * in the index when asked again now, is deleted.
   *
   * <p>The group's own pages and its merged key are left alone; any other merged page found is
   * asked about as above. (The plan is made group by group, so later groups' keys are not known
   * yet: none sits under this group's prefixes, which are its sources' own, and one that did would
   * only be merged again.) A merged page this run's listing showed sits under a source's prefix
   * only while that source's merge is unfinished, and then the source is in no group.
   */
  private int deleteOrphans(String writerId, List<IndexEntry> group, String mergedKey) {
    if (!pages.indexed()) {
      return 0;
    }
    int deleted = 0;
    Set<String> searched = new HashSet<>();
    Set<String> wanted = new HashSet<>(keysOf(group));
    wanted.add(mergedKey);
    for (String sourceKey : keysOf(group)) {
      String prefix = CompactedKeys.searchPrefix(sourceKey);
      if (!searched.add(prefix)) {
        continue;
      }
      String token = null;
      do {
        ListPage listed = store.list(prefix, ObjectStore.MAX_KEYS_PER_PAGE, token);
        for (ObjectInfo object : listed.objects()) {
          String key = object.key();
          if (!wanted.contains(key) && CompactedKeys.looksMerged(key)) {
            if (isOrphan(writerId, object)) {
              log.info(
                  "Deleting {}: a merged page an interrupted run stored but never indexed", key);
              store.delete(key);
              deleted++;
            }
          }
        }
        token = listed.nextContinuationToken();
      } while (token != null);
    }
    return deleted;
  }

  /** See {@link #deleteOrphans}: the object's age is measured on this machine's clock. */
  private boolean isOrphan(String writerId, ObjectInfo mergedPage) {
    long ageMillis = System.currentTimeMillis() - mergedPage.lastModifiedMillis();
    if (ageMillis < ORPHAN_MIN_AGE.toMillis()) {
      log.info(
          "Leaving {}: a merged page this run's listing did not show, stored {} s ago: another "
              + "compaction of the writer may be running (it is deleted once older than {} and "
              + "still not indexed)",
          mergedPage.key(),
          ageMillis / 1000,
          ORPHAN_MIN_AGE);
      return false;
    }
    // A key under this writer's merged-key prefix need not be this writer's: where the key template
    // does not make the writer id a whole segment ({writer_id}-{start_offset}), another writer's
    // id can extend this writer's key ("a-00000000000000000000_cx" after "a-00000000000000000000"),
    // and that writer's merged pages sit here, indexed under its own name. Only the page's own
    // metadata tells; it also gives the time range the index is asked about below.
    PageMetadata metadata;
    try {
      metadata = readMetadata(mergedPage.key());
    } catch (IOException e) {
      log.info("Leaving {}: its metadata could not be read ({})", mergedPage.key(), e.toString());
      return false;
    }
    if (metadata == null
        || CompactedKeys.idOf(metadata) == null
        || !metadata.writerId().equals(writerId)) {
      log.info(
          "Leaving {}: not a merged page of writer {} (another writer's page, or no page)",
          mergedPage.key(),
          Printable.quote(writerId));
      return false;
    }
    // The entry another run would have published for it is made from this same metadata, so its
    // own time range finds it: the writer's whole history is not read again.
    IndexEntry asIndexed =
        PageCommitter.entryFromPage(mergedPage.key(), metadata, mergedPage.size());
    if (pages.stillLists(asIndexed)) {
      log.info("Leaving {}: indexed since this run began (another compaction's)", mergedPage.key());
      return false;
    }
    return true;
  }

  /** The entry of the merged page already at {@code key} (a crashed run stored it), if any. */
  private Optional<IndexEntry> storedMerge(String key, String id) throws IOException {
    Optional<ObjectInfo> object = store.head(key);
    if (object.isEmpty()) {
      return Optional.empty();
    }
    PageMetadata metadata = readMetadata(key);
    if (metadata == null || !id.equals(CompactedKeys.idOf(metadata))) {
      throw new IllegalStateException(
          "Key "
              + Printable.quote(key)
              + " already holds an object that is not the "
              + "merged page "
              + id
              + " of its sources; refusing to overwrite it");
    }
    return Optional.of(PageCommitter.entryFromPage(key, metadata, object.get().size()));
  }

  /**
   * Step 1: stores the merged page create-only; one already there with the same id is taken as it:
   * another run's merge of the same sources, or this write's own when its first attempt stored it
   * and the retry (its answer was lost) was refused as an existing key. One with another id is
   * another writer's, and stops the run ({@link #storedMerge}).
   */
  private IndexEntry store(MergedPage page) throws IOException {
    IndexEntry entry = page.entry();
    try {
      store.put(
          page.key(),
          new ByteArrayInputStream(page.bytes()),
          page.bytes().length,
          PutOptions.builder()
              .contentType(settings.format().contentType())
              .metadata(PageCommitter.FIRST_OFFSET, Long.toString(entry.firstOffset()))
              .metadata(PageCommitter.LAST_OFFSET, Long.toString(entry.lastOffset()))
              .metadata(PageCommitter.EVENT_COUNT, Long.toString(entry.eventCount()))
              .createOnly(true)
              .build());
    } catch (ObjectAlreadyExistsException raced) {
      return storedMerge(page.key(), page.id()).orElseThrow(() -> raced);
    }
    if (page.droppedRepeats() > 0) {
      log.info(
          "{}: left out {} events whose id an earlier source page already held",
          page.key(),
          page.droppedRepeats());
    }
    return entry;
  }

  /** A page's metadata from its head (or whole); null when the object is gone or not a page. */
  private PageMetadata readMetadata(String key) throws IOException {
    try {
      try (InputStream head = store.get(key, 0, HEAD_BYTES)) {
        return reader.readMetadata(head, key);
      } catch (PageFormatException | IOException truncated) {
        log.debug(
            "Metadata of {} is not within its first {} bytes; reading it whole", key, HEAD_BYTES);
      }
      try (InputStream whole = store.get(key)) {
        return reader.readMetadata(whole, key);
      }
    } catch (PageFormatException e) {
      log.warn("{} is not a readable page ({}); leaving it alone", key, e.getMessage());
      return null;
    } catch (NoSuchObjectException gone) {
      return null;
    }
  }
}
