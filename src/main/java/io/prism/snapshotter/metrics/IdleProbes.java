package io.prism.snapshotter.metrics;

import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.storage.ObjectStore;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes a task's object store and index once each has been idle (no call, no probe) for the probe
 * interval, so {@code /health/storage} and {@code /health/index} follow the backends' current state
 * when no page is being written (see {@link BackendHealth}).
 *
 * <p>Off the task's thread and never in its way: a timer thread of its own checks every tick
 * whether a probe is due and hands it to a probe thread (one call per backend at a time); the task
 * shares nothing with it but the thread-safe store, index and health records. A probe gets {@link
 * #timeout} to answer, after which it counts as failed; a probe that hangs longer is not started
 * again until it returns, so a stuck backend holds at most one thread per backend.
 */
public final class IdleProbes implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IdleProbes.class);

  /** The longest a probe may take: a probe is one small call, far below this when all is well. */
  static final Duration MAX_TIMEOUT = Duration.ofSeconds(5);

  /** How often the timer looks whether a probe is due, at most. */
  static final Duration MAX_TICK = Duration.ofSeconds(1);

  private static final IdleProbes NONE = new IdleProbes(null, null, Duration.ZERO);

  private final ScheduledExecutorService timer;
  private final ExecutorService callers;
  private final Duration interval;

  private IdleProbes(ScheduledExecutorService timer, ExecutorService callers, Duration interval) {
    this.timer = timer;
    this.callers = callers;
    this.interval = interval;
  }

  /**
   * Starts probing the task's backends when idle for {@code interval}; {@link Duration#ZERO}: never
   * (returns an instance that does nothing). Pass the store and index unmetered: a probe is not a
   * page write or publish, and counts in no rate or counter.
   */
  public static IdleProbes start(
      TaskMetrics metrics, ObjectStore store, PageIndex index, Duration interval) {
    if (interval.isZero()) {
      return NONE;
    }
    String name = "prism-health-probe-" + metrics.id().connector() + "-" + metrics.id().task();
    AtomicInteger threads = new AtomicInteger();
    ScheduledExecutorService timer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, name + "-timer"));
    ExecutorService callers =
        new ThreadPoolExecutor(
            0,
            2, // one probe per backend at a time (in flight), so never more
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> daemon(r, name + "-" + threads.incrementAndGet()));
    IdleProbes probes = new IdleProbes(timer, callers, interval);
    Probe storage =
        probes.new Probe("object store " + store.describe(), metrics.storageRecord(), store::probe);
    Probe pages = probes.new Probe("index " + index.describe(), metrics.indexRecord(), index::ping);
    long tick = Math.min(interval.toMillis(), MAX_TICK.toMillis());
    timer.scheduleWithFixedDelay(
        () -> {
          storage.runIfDue();
          pages.runIfDue();
        },
        tick,
        tick,
        TimeUnit.MILLISECONDS);
    return probes;
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    return thread;
  }

  /** What a probe may take: the interval, at most {@link #MAX_TIMEOUT}. */
  Duration timeout() {
    return interval.compareTo(MAX_TIMEOUT) < 0 ? interval : MAX_TIMEOUT;
  }

  /** One backend's probe. */
  private final class Probe {
    private final String what;
    private final BackendHealth health;
    private final Runnable call;
    private final AtomicBoolean inFlight = new AtomicBoolean();

    Probe(String what, BackendHealth health, Runnable call) {
      this.what = what;
      this.health = health;
      this.call = call;
    }

    /** Timer thread: starts the probe when the backend is idle and no probe of it still runs. */
    void runIfDue() {
      if (!health.idleFor(interval) || !inFlight.compareAndSet(false, true)) {
        return;
      }
      Instant started = health.now();
      CompletableFuture<Void> probe;
      try {
        probe =
            CompletableFuture.runAsync(
                () -> {
                  try {
                    call.run();
                  } finally {
                    inFlight.set(false);
                  }
                },
                callers);
      } catch (RuntimeException closing) {
        inFlight.set(false);
        return;
      }
      long timeoutMillis = timeout().toMillis();
      probe
          .orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
          .whenComplete((ok, failure) -> record(started, failure, timeoutMillis));
    }

    private void record(Instant started, Throwable failure, long timeoutMillis) {
      if (failure == null) {
        health.probeSucceeded(started);
        return;
      }
      Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
      String reason =
          cause instanceof TimeoutException
              ? "probe of the idle " + what + " had no answer in " + timeoutMillis + " ms"
              : "probe of the idle " + what + " failed: " + cause.getMessage();
      log.debug("{}", reason, cause);
      health.probeFailed(started, reason);
    }
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
      callers.shutdownNow();
    }
  }
}
