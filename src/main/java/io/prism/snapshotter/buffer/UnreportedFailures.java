package io.prism.snapshotter.buffer;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Pages whose last attempt to be stored failed, and whose failure the task has not yet thrown to
 * its caller. Kept as pages, not as one exception, so that a failure whose page is gone by the time
 * it would be thrown (its partition was revoked and forgotten, or left to a new owner) is not
 * thrown for a partition the task no longer owns.
 */
final class UnreportedFailures {
  private final int maxSuppressed;

  /** In the order they failed; PageBuffer has no equals, so this is a set by identity. */
  private final Set<PageBuffer> pages = new LinkedHashSet<>();

  /** {@code maxSuppressed}: how many other pages' failures at most ride on the one thrown. */
  UnreportedFailures(int maxSuppressed) {
    this.maxSuppressed = maxSuppressed;
  }

  /** The page's last attempt failed ({@link PageBuffer#lastFailure}). */
  void add(PageBuffer page) {
    pages.add(page);
  }

  boolean isEmpty() {
    return pages.isEmpty();
  }

  /** Forgets the failures of these pages: reported some other way, or no longer the task's. */
  void removeIf(Predicate<PageBuffer> reportedOrGone) {
    pages.removeIf(reportedOrGone);
  }

  /** A failure to throw, and the page it is the failure of. */
  record Taken(PageBuffer page, Exception failure) {}

  /**
   * The first failure of a page that {@code stillQueued} keeps, with those of the next pages
   * attached as suppressed (distinct ones, at most {@code maxSuppressed}), or {@code null}; every
   * failure counts as reported afterwards.
   */
  Taken take(Predicate<PageBuffer> stillQueued) {
    Exception first = null;
    PageBuffer firstPage = null;
    for (PageBuffer page : pages) {
      Exception failure = page.lastFailure();
      if (failure == null || !stillQueued.test(page)) {
        continue;
      }
      if (first == null) {
        first = failure;
        firstPage = page;
      } else if (first.getSuppressed().length == maxSuppressed) {
        break; // in an outage thousands of pages fail alike: a few tell the story
      } else if (failure != first && !isSuppressedBy(first, failure)) {
        first.addSuppressed(failure);
      }
    }
    pages.clear();
    return first == null ? null : new Taken(firstPage, first);
  }

  private static boolean isSuppressedBy(Exception first, Exception failure) {
    for (Throwable suppressed : first.getSuppressed()) {
      if (suppressed == failure) {
        return true;
      }
    }
    return false;
  }
}
