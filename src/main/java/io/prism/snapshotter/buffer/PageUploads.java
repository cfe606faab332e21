package io.prism.snapshotter.buffer;

import java.time.Duration;
import java.util.List;

/**
 * Stores closed pages, on the caller's thread or on threads of its own, and reports how each
 * attempt ended.
 *
 * <p>The contract with {@link PageAssembler}: a page is handed over once per attempt and, until its
 * outcome has been taken, is neither changed nor forgotten by the assembler; it keeps holding its
 * partition's committable offset back. Outcomes come back in completion order, which need not be
 * submission order.
 */
public interface PageUploads extends AutoCloseable {

  /**
   * Starts storing {@code page}; never blocks for the store. Its outcome comes out of {@link
   * #takeOutcomes}.
   */
  void submit(PageBuffer page);

  /**
   * Pages handed over and waiting for a free upload thread, now: they stay waiting while every
   * thread is storing a page. 0 when pages are stored on the caller's thread.
   */
  default int waitingPages() {
    return 0;
  }

  /** Pages being stored right now: at most the upload threads (0 or 1 on the caller's thread). */
  default int pagesBeingStored() {
    return 0;
  }

  /** The outcomes ready now, without waiting. */
  List<PageOutcome> takeOutcomes();

  /**
   * Waits up to {@code timeout} for at least one outcome, then returns those ready (possibly none).
   */
  List<PageOutcome> awaitOutcomes(Duration timeout) throws InterruptedException;

  /**
   * Releases threads, if any. Pages still being stored may be abandoned (they were never
   * committed).
   */
  @Override
  void close();

  /** Stores each page on the caller's thread, inside {@link #submit}: no pipelining. */
  static PageUploads inline(PageSink sink) {
    return new InlinePageUploads(sink);
  }

  /**
   * How one attempt to store a page ended: {@code failure} is {@code null} when the page is
   * durable.
   */
  record PageOutcome(PageBuffer page, Exception failure) {
    public static PageOutcome stored(PageBuffer page) {
      return new PageOutcome(page, null);
    }

    public static PageOutcome failed(PageBuffer page, Exception failure) {
      return new PageOutcome(page, failure);
    }

    public boolean isStored() {
      return failure == null;
    }
  }
}
