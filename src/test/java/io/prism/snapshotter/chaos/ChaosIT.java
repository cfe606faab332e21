package io.prism.snapshotter.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.testing.TestServices;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The short chaos run in the suite (bin/test): the deployment as separate processes, three minutes
 * of faults of every kind (fewer worker kills, 15 s outages), and every guarantee checked as {@code
 * bin/chaos} checks it. Its report and every process's log stay under target/chaos-it/.
 */
class ChaosIT {
  private static final Path ROOT = Path.of(System.getProperty("user.dir"));

  @Test
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void theGuaranteesHoldOnSeparateProcessesUnderFaults() throws Exception {
    Path work = ROOT.resolve("target/chaos-it");
    deleteRecursively(work); // a fresh broker, bucket and report each time
    ChaosSettings settings =
        new ChaosSettings(
            Duration.ofMinutes(3),
            ROOT,
            work,
            work.resolve("RELIABILITY.md"),
            ROOT.resolve("target/chaos/s3proxy.jar"),
            TestServices.clickHouseUrl(),
            TestServices.clickHouseDir());

    ChaosResult result = ChaosRun.run(settings);

    assertThat(result.failures()).as("broken guarantees (report: %s)", settings.report()).isEmpty();
    assertThat(result.total(ReplayCheck::acknowledged)).isGreaterThan(1000);
    assertThat(result.faults(FaultKind.WORKER_KILL)).isPositive();
  }

  private static void deleteRecursively(Path dir) throws java.io.IOException {
    if (!java.nio.file.Files.exists(dir)) {
      return;
    }
    try (var paths = java.nio.file.Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.delete(p);
      }
    }
  }
}
