package io.prism.snapshotter.metrics;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.TreeSet;

/**
 * Outcomes of one task's calls to a backend (the object store's page writes, or the index's
 * publishes), and the status they give.
 *
 * <p>Status rule: {@code healthy} when the last call succeeded (or none was made yet); {@code
 * degraded} after 1 or 2 failures in a row (a blip that the retry may absorb); {@code unhealthy}
 * after {@value #UNHEALTHY_AFTER} or more failures in a row. One success makes it healthy again.
 * Thread-safe: the task writes, the HTTP endpoint reads.
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

  public BackendHealth(String backend, Clock clock) {
    this.backend = backend;
    this.clock = clock;
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
    lastSuccess = clock.instant();
  }

  public synchronized void failed() {
    failures++;
    consecutiveFailures++;
  }

  public synchronized Snapshot snapshot() {
    return new Snapshot(
        backend,
        statusOf(consecutiveFailures),
        lastSuccess,
        successes,
        failures,
        latencyNanos,
        items);
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
   */
  public record Snapshot(
      String backend,
      HealthStatus status,
      Instant lastSuccess,
      long successes,
      long failures,
      long latencyNanos,
      long items) {

    /** Successful calls over all calls; 1.0 before the first call. */
    public double successRate() {
      long calls = successes + failures;
      return calls == 0 ? 1.0 : (double) successes / calls;
    }

    /** Mean latency of the successful calls, 0 before the first. */
    public double avgLatencyMillis() {
      return successes == 0 ? 0 : latencyNanos / 1e6 / successes;
    }

    /** Several tasks' records as one: sums, the latest success, and the worst status. */
    public static Snapshot merge(String noTasksBackend, Collection<Snapshot> parts) {
      if (parts.isEmpty()) {
        return new Snapshot(noTasksBackend, HealthStatus.HEALTHY, null, 0, 0, 0, 0);
      }
      TreeSet<String> backends = new TreeSet<>();
      HealthStatus status = HealthStatus.HEALTHY;
      Instant last = null;
      long ok = 0;
      long bad = 0;
      long nanos = 0;
      long items = 0;
      for (Snapshot part : parts) {
        backends.add(part.backend());
        status = status.worse(part.status());
        if (part.lastSuccess() != null && (last == null || part.lastSuccess().isAfter(last))) {
          last = part.lastSuccess();
        }
        ok += part.successes();
        bad += part.failures();
        nanos += part.latencyNanos();
        items += part.items();
      }
      return new Snapshot(String.join(",", backends), status, last, ok, bad, nanos, items);
    }
  }
}
