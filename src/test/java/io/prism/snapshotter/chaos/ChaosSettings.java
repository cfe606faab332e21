package io.prism.snapshotter.chaos;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What one chaos run needs: how long the faults go on, where the project and its built artifacts
 * are, the ClickHouse server to use (and stop), and where the run's files and report go.
 *
 * @param duration how long writers write while faults are injected
 * @param root the project directory (bin/, target/)
 * @param work a fresh directory for the deployment's data and logs
 * @param report where the Markdown report is written
 * @param s3proxyJar S3Proxy's standalone jar (org.gaul:s3proxy:jar-with-dependencies)
 * @param clickHouseUrl HTTP address of the ClickHouse server bin/lib/services.sh started
 * @param clickHouseDir its directory (config.xml, clickhouse.pid), to stop and restart it
 */
record ChaosSettings(
    Duration duration,
    Path root,
    Path work,
    Path report,
    Path s3proxyJar,
    URI clickHouseUrl,
    Path clickHouseDir) {
  ChaosSettings {
    if (duration.toSeconds() < 60) {
      throw new IllegalArgumentException("a chaos run needs at least one minute, got " + duration);
    }
  }

  /** The long run: every kind of fault, at least 20 worker kills. */
  boolean full() {
    return duration.toMinutes() >= 8;
  }

  /**
   * How long S3Proxy and ClickHouse stay down: 30 s, or 15 s in a run shorter than the full one.
   */
  Duration outage() {
    return full() ? Duration.ofSeconds(30) : Duration.ofSeconds(15);
  }
}
