package io.prism.snapshotter.index;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * Group commit, for an index whose every transaction costs an fsync (SQLite's WAL commit): callers
 * that publish while a transaction is being committed wait, and when it ends one of them commits
 * all their publishes in the next transaction, one fsync for all. Each caller returns once its own
 * entries are committed, or throws what kept them out. A lone caller commits at once: nothing ever
 * waits for company, so there is no added latency without concurrency; batches form only from the
 * publishes that arrive during a commit (the more threads store pages, the larger they get).
 *
 * <p>One transaction at a time: the caller that commits a group (its leader) does it on its own
 * thread, outside this class's lock, while the next publishes queue.
 */
final class GroupCommit {
  /** Commits a group's publishes (in their order), settling each of them. */
  interface Transaction {
    void commit(List<Publish> group);
  }

  /** One caller's entries, and what became of them once their transaction ended. */
  static final class Publish {
    private final List<IndexEntry> entries;
    private boolean settled;
    private String failure;
    private Throwable cause;
    // Set under the lock once the transaction has settled it: the caller reads the rest after.
    private boolean done;

    private Publish(List<IndexEntry> entries) {
      this.entries = entries;
    }

    List<IndexEntry> entries() {
      return entries;
    }

    boolean settled() {
      return settled;
    }

    /** Its entries are durably committed. */
    void committed() {
      settled = true;
    }

    /** Its entries are not in the index: the caller throws an {@link IndexException} with these. */
    void failed(String message, Throwable cause) {
      settled = true;
      this.failure = message;
      this.cause = cause;
    }

    /** Returns if committed; throws, on the caller's own thread, if not. */
    private void outcome() {
      if (failure != null) {
        throw new IndexException(failure, cause);
      }
    }
  }

  private final String target;
  private final Transaction transaction;
  private final IntConsumer waitingObserver;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition committed = lock.newCondition();
  private final ArrayDeque<Publish> waiting = new ArrayDeque<>();
  private boolean committing;

  /**
   * @param target the index, as the messages of failures name it
   * @param waitingObserver told how many publishes wait each time one queues behind a commit (for
   *     tests)
   */
  GroupCommit(String target, Transaction transaction, IntConsumer waitingObserver) {
    this.target = target;
    this.transaction = transaction;
    this.waitingObserver = waitingObserver;
  }

  /**
   * Returns once {@code entries} are committed; throws an {@link IndexException} if they are not:
   * their transaction failed (the error it failed with), or they were refused (and only they: the
   * others of their group are committed without them). Interrupted while its entries wait for the
   * transaction before them, it withdraws them and throws (interrupt status kept); once they are in
   * a transaction being committed, it waits for that transaction's outcome, which is then its own.
   */
  void publish(List<IndexEntry> entries) {
    Publish mine = new Publish(entries);
    List<Publish> group = null;
    boolean interrupted = false;
    lock.lock();
    try {
      waiting.add(mine);
      if (committing) {
        waitingObserver.accept(waiting.size());
      }
      while (committing && !mine.done) {
        try {
          committed.await();
        } catch (InterruptedException e) {
          if (waiting.remove(mine)) {
            Thread.currentThread().interrupt();
            throw new IndexException(
                "Cannot publish "
                    + entries.size()
                    + " entries in "
                    + target
                    + ": interrupted while waiting for the transaction before them; not published");
          }
          // Taken into the transaction being committed: whether they are on disk is its outcome.
          interrupted = true;
        }
      }
      if (!mine.done) {
        group = new ArrayList<>(waiting);
        waiting.clear();
        committing = true;
      }
    } finally {
      lock.unlock();
    }
    try {
      if (group != null) {
        lead(group);
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    mine.outcome();
  }

  /** Commits {@code group}, then hands the next group to whoever waits. */
  private void lead(List<Publish> group) {
    try {
      transaction.commit(group);
    } catch (RuntimeException | Error e) {
      // A bug, not an index failure (those are settled per publish): fail whoever is left, and
      // still let the others go.
      for (Publish publish : group) {
        if (!publish.settled()) {
          publish.failed(
              "Cannot publish " + publish.entries().size() + " entries in " + target + ": " + e, e);
        }
      }
      throw e;
    } finally {
      lock.lock();
      try {
        for (Publish publish : group) {
          if (!publish.settled()) {
            publish.failed(
                "Cannot publish "
                    + publish.entries().size()
                    + " entries in "
                    + target
                    + ": their transaction ended without settling them",
                null);
          }
          publish.done = true;
        }
        committing = false;
        committed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }
}
