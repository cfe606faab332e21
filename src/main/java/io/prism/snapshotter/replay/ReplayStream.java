package io.prism.snapshotter.replay;

import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageReader;
import io.prism.snapshotter.page.RecordTimes;
import io.prism.snapshotter.storage.NoSuchObjectException;
import io.prism.snapshotter.storage.StorageException;
import io.prism.snapshotter.util.Printable;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replay's events, in the writer's order, without repeated ids, filtered: an iterator that
 * fetches ahead. Up to {@link ReplaySettings#prefetchPages()} pages are fetched and decoded by the
 * fetch threads while the caller reads; pages come out strictly in located order whatever order
 * their fetches finish in.
 *
 * <p>A located page that is gone when fetched ({@link NoSuchObjectException}: a compaction merged
 * it and deleted it after the replay located it) makes the replay locate again, for the rest of its
 * range, and go on from where it stands in the fresh location ({@link ReplayPosition}): each event
 * still comes out once, in the writer's order. A page that is still located, or whose events no
 * fresh page holds, or {@value #MAX_RELOCATES_WITHOUT_PROGRESS} re-locations in a row without a
 * page read in between, fail the replay with the {@link NoSuchObjectException} naming the page.
 *
 * <p>{@link #hasNext()} and {@link #next()} throw {@link CorruptPageException} (naming the key) or
 * {@link StorageException}. With {@link OnCorrupt#SKIP} a corrupt page is skipped instead, with a
 * WARN, and listed by {@link #skippedPages()}: a page that cannot be opened gives no event; one
 * streamed event by event and damaged part-way has given those before the damage. Not thread-safe:
 * one reader. Close it to cancel the fetches ahead.
 */
public final class ReplayStream implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplayStream.class);

  /** Re-locations in a row that find a page gone before another page could be read. */
  static final int MAX_RELOCATES_WITHOUT_PROGRESS = 3;

  private final String writerId;
  private final Function<TimeRange, List<PageRef>> locator;
  private final PageSource source;
  private final EventFilter filter;
  private final ReplaySettings settings;
  private final ExecutorService executor;
  private final PageReader reader = new PageReader();
  private final RepeatedIds repeats;
  private final ReplayPosition position = new ReplayPosition();
  private final Deque<Future<FetchedPage>> ahead = new ArrayDeque<>();

  /** The located pages still to read from {@link #nextToOpen} on; replaced by a re-location. */
  private List<PageRef> pages;

  /** Re-located pages holding events already read, up to and including this event id. */
  private Map<String, String> skipThrough = Map.of();

  private int nextToOpen;
  private int nextToFetch;
  private FetchedPage current;
  private String skipping;
  private long sequence;
  private ReplayedEvent pending;
  private long pagesRead;
  private long pagesTotal;
  private long eventsOut;
  private long storedBytes;
  private int relocatesWithoutProgress;

  /** Events of {@link #current} handed out so far: what a page skipped part-way gave. */
  private long currentEventsOut;

  private final SkippedPages skipped;

  /**
   * @param locator locates the writer's pages again for the rest of the range when a located page
   *     vanished
   */
  ReplayStream(
      String writerId,
      List<PageRef> pages,
      Function<TimeRange, List<PageRef>> locator,
      PageSource source,
      EventFilter filter,
      ReplaySettings settings,
      ExecutorService executor,
      SkippedPages skipped) {
    this.writerId = writerId;
    this.skipped = skipped;
    this.pages = List.copyOf(pages);
    this.pagesTotal = pages.size();
    this.locator = locator;
    this.source = source;
    this.filter = filter;
    this.settings = settings;
    this.executor = executor;
    this.repeats = new RepeatedIds(settings.recentIdWindow());
    fillWindow();
  }

  /**
   * The located pages, in the order they are read; after a re-location, the pages it located that
   * were still to read.
   */
  public List<PageRef> pages() {
    return pages;
  }

  /** The pages skipped as corrupt so far ({@link OnCorrupt#SKIP}); empty otherwise. */
  public List<SkippedPage> skippedPages() {
    return skipped.list();
  }

  public boolean hasNext() {
    while (pending == null) {
      Event event;
      try {
        if (current == null || !current.hasNext()) {
          if (!advancePage()) {
            return false;
          }
          continue;
        }
        event = current.next();
      } catch (CorruptPageException damaged) {
        if (settings.onCorrupt() != OnCorrupt.SKIP || current == null) {
          throw damaged;
        }
        skipCurrent(damaged);
        continue;
      }
      long seq = sequence++;
      String id = event.eventId();
      if (skipping != null) {
        // A re-located merged page: this event was read from one of its sources.
        if (skipping.equals(id)) {
          skipping = null;
        }
        continue;
      }
      if (repeats.firstTime(event)) {
        position.notARepeat(id);
        if (filter.accepts(event)) {
          pending = new ReplayedEvent(event, seq, current.ref);
          currentEventsOut++;
        }
      }
    }
    return true;
  }

  /** The current page turned out corrupt part-way: what it gave stays given; on to the next. */
  private void skipCurrent(CorruptPageException damaged) {
    PageRef ref = current.ref;
    skip(ref, damaged, currentEventsOut);
    position.finishPage(ref);
    pagesRead++;
    storedBytes += current.storedBytes();
    current.close();
    current = null;
    skipping = null;
  }

  private void skip(PageRef ref, CorruptPageException damaged, long eventsReplayed) {
    if (!skipped.contains(ref.key())) {
      log.warn(
          "Skipping corrupt page {} of writer {} (on corrupt: skip){}: {}",
          ref.key(),
          Printable.quote(writerId),
          eventsReplayed == 0
              ? ""
              : "; " + eventsReplayed + " of its events were replayed before the damage",
          damaged.getMessage());
    }
    skipped.add(new SkippedPage(ref.key(), damaged.getMessage(), eventsReplayed));
  }

  public ReplayedEvent next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    ReplayedEvent out = pending;
    pending = null;
    eventsOut++;
    return out;
  }

  public ReplayProgress progress() {
    return new ReplayProgress(
        pagesRead,
        pagesTotal,
        eventsOut,
        repeats.dropped(),
        storedBytes + (current == null ? 0 : current.storedBytes()));
  }

  /** Ids the repeat filter remembers now (for tests of the memory bound). */
  int rememberedIds() {
    return repeats.remembered();
  }

  @Override
  public void close() {
    cancelAhead();
    if (current != null) {
      current.close();
      current = null;
    }
    nextToFetch = pages.size();
    nextToOpen = pages.size();
  }

  private boolean advancePage() {
    if (current != null) {
      if (skipping != null) {
        String key = current.ref.key();
        close();
        throw new StorageException(
            "re-located page "
                + key
                + " does not hold event "
                + skipping
                + ", the last one read before a page vanished: cannot tell which of its events"
                + " were read",
            false,
            null);
      }
      position.finishPage(current.ref);
      pagesRead++;
      storedBytes += current.storedBytes();
      current.close();
      current = null;
    }
    while (true) {
      Future<FetchedPage> next = ahead.pollFirst();
      if (next == null) {
        return false;
      }
      fillWindow();
      int index = nextToOpen++;
      PageRef ref = pages.get(index);
      FetchedPage page = null;
      try {
        page = await(next);
        page.open();
      } catch (NoSuchObjectException gone) {
        if (page != null) {
          page.close();
        }
        relocate(ref, gone);
        continue;
      } catch (CorruptPageException damaged) {
        if (page != null) {
          page.close();
        }
        if (settings.onCorrupt() != OnCorrupt.SKIP) {
          close();
          throw damaged;
        }
        skip(ref, damaged, 0);
        pagesRead++;
        continue;
      } catch (RuntimeException e) {
        if (page != null) {
          page.close();
        }
        close();
        throw e;
      }
      current = page;
      relocatesWithoutProgress = 0;
      position.startPage(ref);
      repeats.startPage(ref, overlappedLater(index), RecordTimes.of(page.metadata()));
      skipping = skipThrough.isEmpty() ? null : skipThrough.get(ref.key());
      sequence = 0;
      currentEventsOut = 0;
      return true;
    }
  }

  /**
   * {@code vanished} is gone from storage: locates the writer's pages again for the rest of the
   * range and goes on with those still to read.
   */
  private void relocate(PageRef vanished, NoSuchObjectException gone) {
    cancelAhead();
    try {
      if (++relocatesWithoutProgress > MAX_RELOCATES_WITHOUT_PROGRESS) {
        throw new NoSuchObjectException(
            "page "
                + vanished.key()
                + " vanished during the replay after "
                + MAX_RELOCATES_WITHOUT_PROGRESS
                + " re-locations in a row found pages gone: "
                + gone.getMessage(),
            gone);
      }
      // The unread pages hold every event still to hand out, so does a page that replaced them
      // (it ends no earlier): the rest of the range starts at the earliest of them.
      long from = filter.range().fromMillis();
      long earliest = Long.MAX_VALUE;
      for (int i = nextToOpen - 1; i < pages.size(); i++) {
        earliest = Math.min(earliest, pages.get(i).startTime());
      }
      TimeRange rest = new TimeRange(Math.max(from, earliest), filter.range().toMillis());
      List<PageRef> fresh = locator.apply(rest);
      ReplayPosition.Resumption resumption = position.resume(fresh, vanished, gone);
      log.warn(
          "Page {} of writer {} vanished during the replay (compacted or deleted since it was"
              + " located): located again from {}, {} pages to read ({} of them from where the"
              + " replay stands)",
          vanished.key(),
          Printable.quote(writerId),
          rest.fromMillis(),
          resumption.pages().size(),
          resumption.skipThrough().size());
      pages = List.copyOf(resumption.pages());
      skipThrough = resumption.skipThrough();
      pagesTotal = pagesRead + pages.size();
      nextToOpen = 0;
      nextToFetch = 0;
      fillWindow();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Whether a page after {@code pages[index]} may hold one of its events (see {@link RepeatedIds}).
   */
  private boolean overlappedLater(int index) {
    PageRef page = pages.get(index);
    for (int i = index + 1; i < pages.size(); i++) {
      PageRef later = pages.get(i);
      if (RepeatedIds.mayOverlap(page, later)) {
        return true;
      }
      KafkaSpan a = page.span();
      KafkaSpan b = later.span();
      // Later pages of the same partition start later still: none of them can overlap either.
      if (a != null && b != null && a.samePartition(b)) {
        return false;
      }
      if (a == null && b == null) {
        return false; // untagged pages are sorted by start time: the same holds
      }
    }
    return false;
  }

  private void fillWindow() {
    while (ahead.size() < settings.prefetchPages() && nextToFetch < pages.size()) {
      PageRef ref = pages.get(nextToFetch++);
      ahead.addLast(executor.submit(() -> FetchedPage.fetch(ref, source, reader, settings)));
    }
  }

  private void cancelAhead() {
    for (Future<FetchedPage> f : ahead) {
      f.cancel(true);
    }
    ahead.clear();
  }

  /** The fetched page; a page gone from storage throws {@link NoSuchObjectException}. */
  private FetchedPage await(Future<FetchedPage> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("replay interrupted", false, e);
    } catch (CancellationException e) {
      throw new IllegalStateException("replay stream is closed", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new StorageException("fetching a page failed: " + cause, true, cause);
    }
  }
}
