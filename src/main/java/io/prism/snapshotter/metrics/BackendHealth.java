package io.prism.snapshotter.metrics;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.TreeSet;

/**
 * Outcomes of one task's calls to a backend (the object store's page writes, or the index's
 * publishes), and of the probes made while it is idle, and the status they give.
 *
 * <p>Status rule: {@code healthy} when the last call succeeded (or none was made yet); {@code
 * degraded} after 1 or 2 failures in a row (a blip that the retry may absorb); {@code unhealthy}
 * after {@value #UNHEALTHY_AFTER} or more failures in a row. One success makes it healthy again.
 *
 * <p>Calls only happen while there are pages to write: an idle backend would keep the status of its
 * last call however long ago that was. So {@link IdleProbes} probes it once it has been idle for
 * the probe interval (no call, no probe): a failed probe makes it {@code unhealthy} at once (no
 * retry is under way that could absorb a blip, and the probe had its own time limit); a probe that
 * succeeds, or a call that succeeds, makes it healthy again. A probe's outcome is ignored when a
 * call finished while it ran: the call is the newer news.
 *
 * <p>Thread-safe: the task and the probes write, the HTTP endpoint reads.
 */
public final class BackendHealth {
  /** Failures in a row from which a backend is reported unhealthy. */
  public static final int UNHEALTHY_AFTER = 3;

  private final String backend;
  private final Clock clock;
  private long successes;
  private long failures;
  private long latencyNanos;
  private long items;
  private int consecutiveFailures;
  private Instant lastSuccess;

  /** When the last call or probe finished (or this record started): what idleness counts from. */
  private Instant lastActivity;

  private Instant lastCall;
  private Instant lastProbe;
  private String probeFailure;

  public BackendHealth(String backend, Clock clock) {
    this.backend = backend;
    this.clock = clock;
    this.lastActivity = clock.instant();
  }

  /**
   * A call that succeeded after {@code nanos}, having written {@code itemCount} items (entries,
   * pages).
   */
  public synchronized void succeeded(long nanos, long itemCount) {
    successes++;
    latencyNanos += nanos;
    items += itemCount;
    consecutiveFailures = 0;
    probeFailure = null;
    lastSuccess = clock.instant();
    called(lastSuccess);
  }

  public synchronized void failed() {
    failures++;
    consecutiveFailures++;
    called(clock.instant());
  }

  private void called(Instant now) {
    lastCall = now;
    lastActivity = now;
  }

  /** Whether no call and no probe finished for {@code interval}: time to probe. */
  public synchronized boolean idleFor(Duration interval) {
    return !clock.instant().isBefore(lastActivity.plus(interval));
  }

  /** The time a probe starting now passes to {@link #probeSucceeded} / {@link #probeFailed}. */
  public Instant now() {
    return clock.instant();
  }

  /** A probe started at {@code started} succeeded: the backend answers. */
  public synchronized void probeSucceeded(Instant started) {
    if (probed(started)) {
      consecutiveFailures = 0;
      probeFailure = null;
    }
  }

  /** A probe started at {@code started} failed, for {@code reason} (never a secret). */
  public synchronized void probeFailed(Instant started, String reason) {
    if (probed(started)) {
      probeFailure = reason;
    }
  }

  private boolean probed(Instant started) {
    Instant now = clock.instant();
    lastProbe = now;
    lastActivity = now;
    return lastCall == null || lastCall.isBefore(started);
  }

  public synchronized Snapshot snapshot() {
    return new Snapshot(
        backend,
        probeFailure != null ? HealthStatus.UNHEALTHY : statusOf(consecutiveFailures),
        lastSuccess,
        successes,
        failures,
        latencyNanos,
        items,
        lastProbe,
        probeFailure);
  }

  static HealthStatus statusOf(int consecutiveFailures) {
    if (consecutiveFailures == 0) {
      return HealthStatus.HEALTHY;
    }
    return consecutiveFailures < UNHEALTHY_AFTER ? HealthStatus.DEGRADED : HealthStatus.UNHEALTHY;
  }

  /**
   * One moment of a backend's record.
   *
   * @param lastSuccess when the last call succeeded; null: none yet
   * @param items what the successful calls wrote (pages for storage, index entries for the index)
   * @param lastProbe when the last probe of the idle backend finished; null: none yet
   * @param probeFailure why the last probe failed; null when it succeeded (or a call has since)
   */
  public record Snapshot(
      String backend,
      HealthStatus status,
      Instant lastSuccess,
      long successes,
      long failures,
      long latencyNanos,
      long items,
      Instant lastProbe,
      String probeFailure) {

    /** Successful calls over all calls; 1.0 before the first call. */
    public double successRate() {
      long calls = successes + failures;
      return calls == 0 ? 1.0 : (double) successes / calls;
    }

    /** Mean latency of the successful calls, 0 before the first. */
    public double avgLatencyMillis() {
      return successes == 0 ? 0 : latencyNanos / 1e6 / successes;
    }

    /**
     * Several tasks' records as one: sums, the latest success and probe, the worst status, and the
     * first probe failure.
     */
    public static Snapshot merge(String noTasksBackend, Collection<Snapshot> parts) {
      if (parts.isEmpty()) {
        return new Snapshot(noTasksBackend, HealthStatus.HEALTHY, null, 0, 0, 0, 0, null, null);
      }
      TreeSet<String> backends = new TreeSet<>();
      HealthStatus status = HealthStatus.HEALTHY;
      Instant last = null;
      Instant lastProbe = null;
      String probeFailure = null;
      long ok = 0;
      long bad = 0;
      long nanos = 0;
      long items = 0;
      for (Snapshot part : parts) {
        backends.add(part.backend());
        status = status.worse(part.status());
        last = later(last, part.lastSuccess());
        lastProbe = later(lastProbe, part.lastProbe());
        if (probeFailure == null) {
          probeFailure = part.probeFailure();
        }
        ok += part.successes();
        bad += part.failures();
        nanos += part.latencyNanos();
        items += part.items();
      }
      return new Snapshot(
          String.join(",", backends), status, last, ok, bad, nanos, items, lastProbe, probeFailure);
    }

    private static Instant later(Instant a, Instant b) {
      return b != null && (a == null || b.isAfter(a)) ? b : a;
    }
  }
}
