package io.prism.snapshotter.index;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded queue of entries and one thread that publishes them to an index in batches, retrying a
 * failed batch with a growing back-off until the index takes it. Used for the async publish mode
 * and for secondary indexes. Re-publishing is harmless, so a batch that may or may not have landed
 * is simply sent again.
 *
 * <p>A failure never drops entries: the same batch is retried ({@link #FIRST_BACKOFF} doubling to
 * {@link #MAX_BACKOFF}, with no limit on attempts) while the entries behind it wait, each holding
 * its place until published. What a full queue means is the caller's choice in {@link #offer}. Only
 * at {@link #close} are entries given up: those still queued after the drain timeout are logged and
 * counted ({@link #givenUpAtClose}, in the index's {@link PageIndex#droppedEntries}). The target's
 * failures are seen by whatever wraps the target (the task's metrics wrap it: see {@link
 * IndexDecorator}).
 */
final class BackgroundPublisher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BackgroundPublisher.class);
  static final int MAX_BATCH = 1_000;
  static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  /** How long {@link #close()} lets the worker publish what is queued before giving it up. */
  static final Duration DRAIN_AT_CLOSE = Duration.ofSeconds(10);

  private final PageIndex target;
  private final int capacity;
  private final Duration drainAtClose;

  /** One permit per entry that may still be queued: taken when queued, returned once published. */
  private final Semaphore room;

  private final BlockingQueue<IndexEntry> queue = new LinkedBlockingQueue<>();
  private final Thread worker;
  private volatile boolean closing;

  /** Set by {@link #close} when the worker did not stop in time: it must not retry any more. */
  private volatile boolean abandoned;

  /** Entries still queued when the worker stopped at {@link #close}: given up, not published. */
  private volatile long givenUp;

  /** Whether {@link #givenUp} is known: set once, by the worker's end or by {@link #close}. */
  private final AtomicBoolean settled = new AtomicBoolean();

  BackgroundPublisher(PageIndex target, int capacity) {
    this(target, capacity, DRAIN_AT_CLOSE);
  }

  BackgroundPublisher(PageIndex target, int capacity, Duration drainAtClose) {
    this.target = target;
    this.capacity = capacity;
    this.drainAtClose = drainAtClose;
    this.room = new Semaphore(capacity);
    this.worker = new Thread(this::run, "index-publisher-" + target.describe());
    worker.setDaemon(true);
    worker.start();
  }

  /**
   * Queues the entries in order, waiting up to {@code wait} for room, and returns how many it
   * queued: fewer than all when the queue stayed full (the first ones are queued, the rest not).
   */
  int offer(List<IndexEntry> entries, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    int queued = 0;
    for (IndexEntry entry : entries) {
      long left = deadline - System.nanoTime();
      if (!room.tryAcquire(Math.max(0, left), TimeUnit.NANOSECONDS)) {
        return queued;
      }
      queue.add(entry);
      queued++;
    }
    return queued;
  }

  /**
   * Queues the entries in order as far as there is room now, without waiting, and returns how many
   * it queued. Unlike {@link #offer}, an interrupted caller queues them too: the fan-out calls this
   * after the primary took the entries, and a secondary must get them all the same.
   */
  int offerNow(List<IndexEntry> entries) {
    int queued = 0;
    for (IndexEntry entry : entries) {
      if (!room.tryAcquire()) {
        return queued;
      }
      queue.add(entry);
      queued++;
    }
    return queued;
  }

  /** Entries queued or being published. */
  int pending() {
    return capacity - room.availablePermits();
  }

  int capacity() {
    return capacity;
  }

  /** Waits until everything queued so far is published; false on timeout. */
  boolean awaitDrained(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (pending() > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  private void run() {
    List<IndexEntry> batch = new ArrayList<>(MAX_BATCH);
    Duration backoff = FIRST_BACKOFF;
    int failures = 0;
    while (!abandoned && (!closing || !queue.isEmpty() || !batch.isEmpty())) {
      try {
        if (batch.isEmpty()) {
          IndexEntry first = queue.poll(100, TimeUnit.MILLISECONDS);
          if (first == null) {
            continue;
          }
          batch.add(first);
          queue.drainTo(batch, MAX_BATCH - 1);
        }
        target.publish(batch);
        if (failures > 0) {
          log.info("Publishing to {} works again after {} failures", target.describe(), failures);
        }
        room.release(batch.size());
        batch.clear();
        failures = 0;
        backoff = FIRST_BACKOFF;
      } catch (InterruptedException e) {
        break;
      } catch (RuntimeException | Error e) {
        // An Error too (a client class that fails to load, a stack overflow): this is the queue's
        // only thread, and if it ended nothing queued would ever be published or counted.
        failures++;
        if (e instanceof Error) {
          log.error("Publishing to {} failed with an Error; retrying", target.describe(), e);
        }
        log.warn(
            "Publishing {} entries to {} failed ({} in a row; {} more queued), retrying in {} ms: {}",
            batch.size(),
            target.describe(),
            failures,
            queue.size(),
            backoff.toMillis(),
            e.toString());
        try {
          Thread.sleep(backoff.toMillis());
        } catch (InterruptedException interrupted) {
          break;
        }
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
      }
    }
    giveUp(batch.size() + queue.size(), "");
  }

  /** Counts and logs the entries given up, once: the worker's end and close() may both try. */
  private void giveUp(long lost, String why) {
    if (!settled.compareAndSet(false, true)) {
      return;
    }
    givenUp = lost;
    if (lost > 0) {
      log.error(
          "{} index entries for {} were not published before shutdown{}; run `bin/snapshotter reindex` to restore them",
          lost,
          target.describe(),
          why);
    }
  }

  /**
   * Entries that were still queued when {@link #close} stopped the worker (after the drain
   * timeout): they never reached the target. 0 until then.
   */
  long givenUpAtClose() {
    return givenUp;
  }

  /** Tries to publish what is queued for up to {@code drainTimeout}, then stops. */
  void close(Duration drainTimeout) {
    closing = true;
    try {
      worker.join(drainTimeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    worker.interrupt();
    try {
      worker.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (worker.isAlive()) {
      // Stuck in a call that ignores interrupts (a blocking socket read): count now what is not
      // known to be published, as the caller reads the count once this returns (the task's
      // metrics do), and stop the worker's retries once that call ends.
      abandoned = true;
      giveUp(pending(), " (a publish to it was still running, and may yet land)");
    }
  }

  @Override
  public void close() {
    close(drainAtClose);
  }
}
