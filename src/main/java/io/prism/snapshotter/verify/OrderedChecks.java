package io.prism.snapshotter.verify;

import io.prism.snapshotter.storage.StorageException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Iterator;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Checks each entry of a walk on a pool of threads and hands the results back in the walk's order,
 * whatever order the checks finish in: what a run prints does not depend on which HEAD answered
 * first. At most {@code window} checks are queued or running at once, so memory stays bounded by
 * the window plus the batch the walk holds.
 *
 * @param <T> what is checked (an index entry, with what is known of it)
 * @param <R> a check's result
 */
final class OrderedChecks<T, R> implements AutoCloseable {
  private final ExecutorService pool;
  private final int window;
  private Iterator<? extends T> entries;
  private final Function<T, R> check;
  private final ArrayDeque<Future<R>> inFlight;

  OrderedChecks(
      ExecutorService pool, int window, Iterator<? extends T> entries, Function<T, R> check) {
    this.pool = pool;
    this.window = window;
    this.entries = entries;
    this.check = check;
    this.inFlight = new ArrayDeque<>(window);
  }

  /**
   * The next entry's result, in the walk's order; null when the walk is done. A check's failure
   * (storage, index) is thrown as it was, and no later result is handed out. While the result is
   * awaited, {@code whileWaiting} runs about every {@code waitMillis} (a progress report).
   */
  R next(long waitMillis, Runnable whileWaiting) {
    while (inFlight.size() < window && entries.hasNext()) {
      T entry = entries.next();
      inFlight.add(pool.submit(() -> check.apply(entry)));
    }
    Future<R> first = inFlight.poll();
    if (first == null) {
      return null;
    }
    try {
      while (true) {
        try {
          return first.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillRunning) {
          whileWaiting.run();
        }
      }
    } catch (ExecutionException e) {
      close();
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      close();
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting for storage to answer", false);
    } catch (CancellationException e) {
      close();
      throw new StorageException("a look-up in storage was cancelled", false);
    }
  }

  /**
   * Takes no more entries from the walk: {@link #next} hands out the checks already under way, then
   * null. The walk stays where it is.
   */
  void stopTakingEntries() {
    entries = Collections.emptyIterator();
  }

  /** Cancels the checks not yet handed out. */
  @Override
  public void close() {
    Future<R> pending;
    while ((pending = inFlight.poll()) != null) {
      pending.cancel(true);
    }
  }
}
