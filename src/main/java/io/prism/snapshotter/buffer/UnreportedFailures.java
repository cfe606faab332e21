package io.prism.snapshotter.buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Pages whose last attempt to be stored failed, and whose failure the task has not yet thrown to
 * its caller. Kept as pages, not as one exception, so that a failure whose page is gone by the time
 * it would be thrown (its partition was revoked and forgotten, or left to a new owner) is not
 * thrown for a partition the task no longer owns.
 */
final class UnreportedFailures {
  private final int maxSuppressed;
  private final List<PageBuffer> pages = new ArrayList<>();

  /** {@code maxSuppressed}: how many other pages' failures at most ride on the one thrown. */
  UnreportedFailures(int maxSuppressed) {
    this.maxSuppressed = maxSuppressed;
  }

  /** The page's last attempt failed ({@link PageBuffer#lastFailure}). */
  void add(PageBuffer page) {
    if (!pages.contains(page)) {
      pages.add(page);
    }
  }

  boolean isEmpty() {
    return pages.isEmpty();
  }

  /** Forgets the failures of these pages: reported some other way, or no longer the task's. */
  void removeIf(Predicate<PageBuffer> reportedOrGone) {
    pages.removeIf(reportedOrGone);
  }

  /**
   * The first failure of a page that {@code stillQueued} keeps, with those of the next pages
   * attached as suppressed (distinct ones, at most {@code maxSuppressed}), or {@code null}; every
   * failure counts as reported afterwards.
   */
  Exception take(Predicate<PageBuffer> stillQueued) {
    Exception first = null;
    for (PageBuffer page : pages) {
      Exception failure = page.lastFailure();
      if (failure == null || !stillQueued.test(page)) {
        continue;
      }
      if (first == null) {
        first = failure;
      } else if (failure != first
          && !isSuppressedBy(first, failure)
          && first.getSuppressed().length < maxSuppressed) {
        first.addSuppressed(failure);
      }
    }
    pages.clear();
    return first;
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
