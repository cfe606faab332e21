package io.prism.snapshotter.compact;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.page.PageLimits;
import io.prism.snapshotter.sink.CompactedKeys;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Decides which of a writer's pages to merge: runs of consecutive pages (in the writer's order)
 * that all ended before the cutoff and are smaller than the minimum size, from the same Kafka
 * partition, cut into groups whose stored sizes add up to at most the target. A group of one page
 * is left alone.
 *
 * <p>A merged page is merged again like any other page (when it is small and old enough): it is
 * read whole as a source and its key, under {@link CompactedKeys#searchPrefix} of its own first
 * source, gives the new merge's key. A run that follows an interrupted one may then plan
 * differently (a group the interrupted run finished is now a merged page that can join the next
 * pages), so a merged page the interrupted run stored but never indexed can sit under the prefix of
 * any page of a new group, not only its first: the {@link Compactor} searches under every source's
 * prefix.
 *
 * <p>Only pages with Kafka coordinates are merged: replay's duplicate check relies on their offset
 * spans to see a merged page and its sources as overlapping while both exist.
 *
 * <p>The pages are read in the writer's order one at a time ({@link #groups}), and each group is
 * handed out as soon as the page after it shows it complete, so planning holds only the group being
 * formed; {@link WriterOrderSort} brings a writer's pages into that order in bounded memory.
 *
 * <p>Grouping is greedy from the start of each run, so a later run that sees more pages (newer ones
 * crossed the cutoff) forms the same groups up to its last one, which starts at the same page.
 *
 * <p>The sizes come from the index, which a foreign writer may understate: the {@link PageMerger}
 * counts the decoded bytes itself and cuts a group short where they pass {@link #MAX_PAGE_BYTES},
 * and the {@link Compactor} plans the rest again from there. The cut depends on the pages alone, so
 * it is as deterministic as this plan.
 */
public final class CompactionPlanner {
  /**
   * The writer's order, as replay reads pages ({@code replay.PageRef.WRITER_ORDER}): pages from
   * Kafka by topic, partition and first offset; the rest after them by start time; then sequence
   * and key.
   */
  public static final Comparator<IndexEntry> WRITER_ORDER =
      Comparator.comparing((IndexEntry e) -> !hasKafkaSpan(e))
          .thenComparing(e -> hasKafkaSpan(e) ? e.topic() : "")
          .thenComparingInt(e -> hasKafkaSpan(e) ? e.partition() : 0)
          .thenComparingLong(e -> hasKafkaSpan(e) ? e.firstOffset() : 0)
          .thenComparingLong(IndexEntry::startTime)
          .thenComparingLong(IndexEntry::pageSequence)
          .thenComparing(IndexEntry::pageKey);

  /**
   * Most source keys, in characters, one merged page lists in its tags (so its metadata stays
   * small).
   */
  static final int MAX_SOURCE_KEY_CHARS = 32 * 1024;

  /**
   * Most events decoded for one merge: bounds the heap a merge needs whatever the compression
   * ratio.
   */
  static final long MAX_PAGE_BYTES = 128L << 20;

  /**
   * Most events in one merged page: what page readers accept ({@link PageLimits#DEFAULT}). Small
   * events compress well, so within the stored target a merge of tiny events could hold millions,
   * in a page no reader would read back.
   */
  static final long MAX_PAGE_EVENTS = PageLimits.DEFAULT.maxEvents();

  private final CompactionSettings settings;

  public CompactionPlanner(CompactionSettings settings) {
    this.settings = settings;
  }

  /** The groups to merge, in the writer's order, from the writer's pages (in any order). */
  public List<List<IndexEntry>> plan(List<IndexEntry> pages, long cutoffMillis) {
    List<IndexEntry> ordered = new ArrayList<>(pages);
    ordered.sort(WRITER_ORDER);
    List<List<IndexEntry>> groups = new ArrayList<>();
    groups(ordered.iterator(), cutoffMillis).forEachRemaining(groups::add);
    return groups;
  }

  /**
   * The groups to merge, one at a time, from the writer's pages read in the writer's order: the
   * same groups as {@link #plan}, each handed out once the page after it is read, so only the group
   * being formed is held, whatever the writer's size.
   */
  Groups groups(Iterator<IndexEntry> ordered, long cutoffMillis) {
    return new Groups(ordered, cutoffMillis);
  }

  /** The groups of {@link #groups}, read as they are formed. */
  final class Groups implements Iterator<List<IndexEntry>> {
    private final Iterator<IndexEntry> pages;
    private final long cutoffMillis;
    private Group forming = new Group();
    private List<IndexEntry> ready;
    private int maxHeld;

    private Groups(Iterator<IndexEntry> pages, long cutoffMillis) {
      this.pages = pages;
      this.cutoffMillis = cutoffMillis;
    }

    @Override
    public boolean hasNext() {
      while (ready == null) {
        if (!pages.hasNext()) {
          ready = closeForming();
          return ready != null;
        }
        IndexEntry page = pages.next();
        if (!isCandidate(page, cutoffMillis)) {
          ready = closeForming();
          continue;
        }
        if (!forming.accepts(page)) {
          ready = closeForming();
        }
        forming.add(page);
        maxHeld = Math.max(maxHeld, forming.pages.size() + (ready == null ? 0 : ready.size()));
      }
      return true;
    }

    @Override
    public List<IndexEntry> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      List<IndexEntry> group = ready;
      ready = null;
      return group;
    }

    /**
     * The pages after the last group handed out, in the writer's order: the group being formed,
     * then the pages not read yet. For planning the rest again from a page of that group.
     */
    Iterator<IndexEntry> rest() {
      List<IndexEntry> held = new ArrayList<>();
      if (ready != null) {
        held.addAll(ready);
      }
      held.addAll(forming.pages);
      return new Iterator<>() {
        private final Iterator<IndexEntry> first = held.iterator();

        @Override
        public boolean hasNext() {
          return first.hasNext() || pages.hasNext();
        }

        @Override
        public IndexEntry next() {
          return first.hasNext() ? first.next() : pages.next();
        }
      };
    }

    /** The most pages held at once: the group being formed and the one ready to hand out. */
    int maxHeld() {
      return maxHeld;
    }

    private List<IndexEntry> closeForming() {
      List<IndexEntry> closed = forming.pages.size() > 1 ? List.copyOf(forming.pages) : null;
      forming = new Group();
      return closed;
    }
  }

  private boolean isCandidate(IndexEntry page, long cutoffMillis) {
    return hasKafkaSpan(page)
        && page.endTime() < cutoffMillis
        && page.storageSizeBytes() >= 0
        && page.storageSizeBytes() < settings.minPageSizeBytes();
  }

  static boolean hasKafkaSpan(IndexEntry e) {
    return !e.topic().isEmpty() && e.partition() >= 0 && e.firstOffset() >= 0;
  }

  private final class Group {
    private final List<IndexEntry> pages = new ArrayList<>();
    private long storedBytes;
    private long pageBytes;
    private long events;
    private long keyChars;

    boolean accepts(IndexEntry page) {
      if (pages.isEmpty()) {
        return true;
      }
      IndexEntry last = pages.get(pages.size() - 1);
      return last.topic().equals(page.topic())
          && last.partition() == page.partition()
          && storedBytes + page.storageSizeBytes() <= settings.targetSizeBytes()
          && pageBytes + page.pageSizeBytes() <= MAX_PAGE_BYTES
          && events + page.eventCount() <= MAX_PAGE_EVENTS
          && keyChars + page.pageKey().length() + 1 <= MAX_SOURCE_KEY_CHARS;
    }

    void add(IndexEntry page) {
      pages.add(page);
      storedBytes += page.storageSizeBytes();
      pageBytes += page.pageSizeBytes();
      events += page.eventCount();
      keyChars += page.pageKey().length() + 1;
    }
  }
}
