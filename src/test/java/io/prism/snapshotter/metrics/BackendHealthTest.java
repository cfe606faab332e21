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
}
