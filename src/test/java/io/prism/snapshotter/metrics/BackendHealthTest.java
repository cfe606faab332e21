package io.prism.snapshotter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.testing.ManualClock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status rules of the storage and index health checks. */
class BackendHealthTest {
  final ManualClock clock = new ManualClock();

  @Test
  void healthyUntilFailuresInARowThenHealthyAgainAfterOneSuccess() {
    BackendHealth health = new BackendHealth("s3", clock);
    assertThat(health.snapshot().status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(health.snapshot().lastSuccess()).isNull();
    assertThat(health.snapshot().successRate()).isEqualTo(1.0);

    health.succeeded(2_000_000, 1);
    Instant firstSuccess = clock.instant();
    clock.advance(1_000);
    health.failed();
    assertThat(health.snapshot().status()).isEqualTo(HealthStatus.DEGRADED);
    health.failed();
    assertThat(health.snapshot().status()).isEqualTo(HealthStatus.DEGRADED);
    health.failed();
    BackendHealth.Snapshot down = health.snapshot();
    assertThat(down.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(down.lastSuccess()).isEqualTo(firstSuccess);
    assertThat(down.successRate()).isEqualTo(0.25);

    health.succeeded(4_000_000, 1);
    BackendHealth.Snapshot up = health.snapshot();
    assertThat(up.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(up.avgLatencyMillis()).isEqualTo(3.0);
    assertThat(up.items()).isEqualTo(2);
    assertThat(up.lastSuccess()).isEqualTo(clock.instant());
  }

  @Test
  void severalTasksMergeToTheWorstStatusAndTheLatestSuccess() {
    BackendHealth a = new BackendHealth("s3", clock);
    BackendHealth b = new BackendHealth("s3", clock);
    a.succeeded(1_000_000, 3);
    clock.advance(5_000);
    b.succeeded(3_000_000, 1);
    b.failed();
    BackendHealth.Snapshot merged =
        BackendHealth.Snapshot.merge("none", List.of(a.snapshot(), b.snapshot()));
    assertThat(merged.backend()).isEqualTo("s3");
    assertThat(merged.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(merged.lastSuccess()).isEqualTo(clock.instant());
    assertThat(merged.successRate()).isEqualTo(2.0 / 3);
    assertThat(merged.items()).isEqualTo(4);
    assertThat(merged.avgLatencyMillis()).isEqualTo(2.0);
    assertThat(BackendHealth.Snapshot.merge("none", List.of()).backend()).isEqualTo("none");
  }

  @Test
  void anIdleBackendIsDueForAProbeAfterTheIntervalWithNoCallOrProbe() {
    BackendHealth health = new BackendHealth("s3", clock);
    java.time.Duration interval = java.time.Duration.ofSeconds(30);
    assertThat(health.idleFor(interval)).isFalse();
    clock.advance(30_000);
    assertThat(health.idleFor(interval)).isTrue();
    health.succeeded(1, 1);
    assertThat(health.idleFor(interval)).isFalse();
    clock.advance(30_000);
    health.probeSucceeded(clock.instant());
    assertThat(health.idleFor(interval)).as("a probe counts as activity").isFalse();
  }

  @Test
  void aFailedProbeIsUnhealthyAtOnceUntilAProbeOrACallSucceeds() {
    BackendHealth health = new BackendHealth("s3", clock);
    health.succeeded(1, 1);
    clock.advance(60_000);
    Instant started = clock.instant();
    clock.advance(100);
    health.probeFailed(started, "probe failed: connection refused");
    BackendHealth.Snapshot down = health.snapshot();
    assertThat(down.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(down.probeFailure()).isEqualTo("probe failed: connection refused");
    assertThat(down.lastProbe()).isEqualTo(clock.instant());
    assertThat(down.failures()).as("a probe is not a write").isZero();
    assertThat(down.successRate()).isEqualTo(1.0);

    health.probeSucceeded(clock.instant());
    assertThat(health.snapshot().status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(health.snapshot().probeFailure()).isNull();

    health.probeFailed(clock.instant(), "again");
    health.succeeded(1, 1);
    assertThat(health.snapshot().status())
        .as("a write that succeeds")
        .isEqualTo(HealthStatus.HEALTHY);
  }

  @Test
  void aProbeOutcomeIsIgnoredWhenACallFinishedWhileItRan() {
    BackendHealth health = new BackendHealth("s3", clock);
    Instant probeStarted = clock.instant();
    clock.advance(10);
    health.succeeded(1, 1); // a page stored while the probe was under way
    clock.advance(10);
    health.probeFailed(probeStarted, "timed out");
    assertThat(health.snapshot().status()).isEqualTo(HealthStatus.HEALTHY);

    health.failed();
    health.failed();
    health.failed();
    Instant secondProbe = clock.instant();
    clock.advance(10);
    health.failed();
    health.probeSucceeded(secondProbe);
    assertThat(health.snapshot().status())
        .as("the failing writes are newer than the probe")
        .isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void mergedProbesShowTheLatestProbeAndAFailure() {
    BackendHealth a = new BackendHealth("s3", clock);
    BackendHealth b = new BackendHealth("s3", clock);
    a.probeSucceeded(clock.instant());
    clock.advance(5);
    b.probeFailed(clock.instant().minusMillis(1), "bucket gone");
    BackendHealth.Snapshot merged =
        BackendHealth.Snapshot.merge("none", List.of(a.snapshot(), b.snapshot()));
    assertThat(merged.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(merged.probeFailure()).isEqualTo("bucket gone");
    assertThat(merged.lastProbe()).isEqualTo(clock.instant());
  }
}
