package io.prism.snapshotter.replay;

import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageReader;
import io.prism.snapshotter.storage.StorageException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * One replay's events, in the writer's order, without repeated ids, filtered: an iterator that
 * fetches ahead. Up to {@link ReplaySettings#prefetchPages()} pages are fetched and decoded by the
 * fetch threads while the caller reads; pages come out strictly in located order whatever order
 * their fetches finish in.
 *
 * <p>{@link #hasNext()} and {@link #next()} throw {@link CorruptPageException} (naming the key) or
 * {@link StorageException}. Not thread-safe: one reader. Close it to cancel the fetches ahead.
 */
public final class ReplayStream implements AutoCloseable {
  private final List<PageRef> pages;
  private final PageSource source;
  private final EventFilter filter;
  private final ReplaySettings settings;
  private final ExecutorService executor;
  private final PageReader reader = new PageReader();
  private final RepeatedIds repeats;
  private final Deque<Future<FetchedPage>> ahead = new ArrayDeque<>();

  private int nextToFetch;
  private FetchedPage current;
  private long sequence;
  private ReplayedEvent pending;
  private long pagesRead;
  private long eventsOut;
  private long storedBytes;

  ReplayStream(
      List<PageRef> pages,
      PageSource source,
      EventFilter filter,
      ReplaySettings settings,
      ExecutorService executor) {
    this.pages = List.copyOf(pages);
    this.source = source;
    this.filter = filter;
    this.settings = settings;
    this.executor = executor;
    this.repeats = new RepeatedIds(settings.recentIdWindow());
    fillWindow();
  }

  /** The located pages, in the order they are read. */
  public List<PageRef> pages() {
    return pages;
  }

  public boolean hasNext() {
    while (pending == null) {
      if (current == null || !current.hasNext()) {
        if (!advancePage()) {
          return false;
        }
        continue;
      }
      Event event = current.next();
      long seq = sequence++;
      if (repeats.firstTime(event.eventId()) && filter.accepts(event)) {
        pending = new ReplayedEvent(event, seq, current.ref);
      }
    }
    return true;
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
        pages.size(),
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
    for (Future<FetchedPage> f : ahead) {
      f.cancel(true);
    }
    ahead.clear();
    if (current != null) {
      current.close();
      current = null;
    }
    nextToFetch = pages.size();
  }

  private boolean advancePage() {
    if (current != null) {
      pagesRead++;
      storedBytes += current.storedBytes();
      current.close();
      current = null;
    }
    Future<FetchedPage> next = ahead.pollFirst();
    if (next == null) {
      return false;
    }
    fillWindow();
    int index = pagesRead > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) pagesRead;
    current = await(next);
    current.open();
    repeats.startPage(current.ref, overlappedLater(index));
    sequence = 0;
    return true;
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

  private FetchedPage await(Future<FetchedPage> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new StorageException("replay interrupted", false, e);
    } catch (CancellationException e) {
      throw new IllegalStateException("replay stream is closed", e);
    } catch (ExecutionException e) {
      close();
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new StorageException("fetching a page failed: " + cause, true, cause);
    }
  }
}
