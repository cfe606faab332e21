package io.prism.snapshotter.frontdoor;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices Kafka going silent while the front door serves: when for {@code silentAfter} Kafka has
 * not answered — no record acknowledged, no {@link KafkaCheck} answered — the listener hears
 * "silent" (health NOT_SERVING), and "answering" again as soon as one record is acknowledged or one
 * check is answered.
 *
 * <p>Acknowledgements are the evidence while calls flow: a check is asked only in an interval in
 * which none arrived, so a busy front door asks nothing, and an idle one asks one small question
 * per {@code interval}. Only a timeout or a network error counts as silence: a refusal, a missing
 * topic or a question that failed otherwise is an answer (those are other checks' business, and a
 * broken check must not take the front door out of service).
 *
 * <p>Lock-free: the state is pushed to the listener at every tick (and "answering" by the first
 * acknowledgement after a silence), so a race between the two is corrected by the next tick.
 */
final class KafkaWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaWatch.class);

  /** Told what the watch sees; calls must be cheap and may come from a producer's I/O thread. */
  interface Listener {
    /** Kafka has not answered for longer than allowed; {@code reason} says since when and why. */
    void silent(String reason);

    /** Kafka answers (again). */
    void answering();
  }

  private final KafkaCheck check;
  private final Duration interval;
  private final long silentAfterNanos;
  private final String cluster;
  private final BooleanSupplier active;
  private final Listener listener;
  private final LongSupplier nanoTime;
  private final ScheduledExecutorService ticks =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "frontdoor-kafka-watch");
            thread.setDaemon(true);
            return thread;
          });

  /** A record was acknowledged since the last tick; written only when false (hot path). */
  private volatile boolean acknowledged;

  /** What the listener was last told by a tick; read by every acknowledgement. */
  private volatile boolean silent;

  // Tick thread only.
  private long lastAnswerNanos;

  /**
   * @param silentAfter how long without an answer before "silent"; zero: never (no checks asked)
   * @param active whether the front door serves otherwise: while not, nothing is asked and the
   *     silence counts from when it is again
   */
  KafkaWatch(
      KafkaCheck check,
      Duration interval,
      Duration silentAfter,
      String cluster,
      BooleanSupplier active,
      Listener listener,
      LongSupplier nanoTime) {
    this.check = check;
    this.interval = interval;
    this.silentAfterNanos = silentAfter.toNanos();
    this.cluster = cluster;
    this.active = active;
    this.listener = listener;
    this.nanoTime = nanoTime;
    this.lastAnswerNanos = nanoTime.getAsLong();
  }

  /** Ticks every {@code interval} (unless silence is never reported). */
  void start() {
    if (silentAfterNanos > 0) {
      long millis = Math.max(1, interval.toMillis());
      ticks.scheduleAtFixedRate(this::tickQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Kafka acknowledged a record: on every acknowledgement, so allocation-free and without a lock
   * (two volatile reads; a write only on the first one after a tick or a silence).
   */
  void acknowledged() {
    if (!acknowledged) {
      acknowledged = true;
    }
    if (silent) {
      silent = false;
      listener.answering();
      log.info("Kafka acknowledged a record again; the front door serves");
    }
  }

  private void tickQuietly() {
    try {
      tick();
    } catch (RuntimeException e) {
      log.warn("Checking whether Kafka answers failed: {}", e.toString());
    }
  }

  /** One look: called every {@code interval} by {@link #start}'s thread; tests call it directly. */
  void tick() {
    long now = nanoTime.getAsLong();
    if (!active.getAsBoolean()) {
      lastAnswerNanos = now;
      acknowledged = false;
      answered(false);
      return;
    }
    if (acknowledged) {
      acknowledged = false;
      lastAnswerNanos = now;
      answered(false);
      return;
    }
    KafkaCheck.Answer answer = check.ask(interval);
    now = nanoTime.getAsLong();
    if (answer.answered() || acknowledged) {
      lastAnswerNanos = now;
      answered(true);
      return;
    }
    long silentNanos = now - lastAnswerNanos;
    if (silentNanos < silentAfterNanos) {
      return;
    }
    String reason =
        "Kafka at "
            + cluster
            + " has not answered the front door for "
            + TimeUnit.NANOSECONDS.toMillis(silentNanos)
            + " ms (no record acknowledged; the last check: "
            + answer.describe()
            + "); the front door serves again once Kafka answers";
    boolean news = !silent;
    silent = true;
    listener.silent(reason);
    if (news) {
      log.warn("{}; health says NOT_SERVING meanwhile", reason);
    }
  }

  private void answered(boolean byCheck) {
    boolean news = silent;
    silent = false;
    listener.answering();
    if (news && byCheck) {
      log.info("Kafka at {} answers again; the front door serves", cluster);
    }
  }

  @Override
  public void close() {
    ticks.shutdownNow();
    try {
      ticks.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
