package io.prism.snapshotter.config;

import java.time.Duration;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

/** {@code metrics.*}: what the task's metrics show. */
public final class MetricsConfig {
  public static final String GROUP = "Metrics";

  public static final String TOP_WRITERS = "metrics.top.writers";
  static final String TOP_WRITERS_DOC =
      "The buffer gauges show each task's totals plus its N oldest and N largest writers; this is N."
          + " Never one series per writer: with 100,000 writers that would swamp the metrics system.";

  public static final String HEALTH_PROBE_INTERVAL = "metrics.health.probe.interval.seconds";
  static final String HEALTH_PROBE_INTERVAL_DOC =
      "The storage and index health checks follow the task's page writes and index publishes; with"
          + " nothing to write they would keep the last outcome however old. So once the object"
          + " store (or the index) has had no call for this many seconds, each task probes it: one"
          + " cheap call that writes nothing (a head of key 'prism-health-probe', or for the"
          + " filesystem a check that its directory is there and writable; an index ping), on a"
          + " thread of its own, never the task's, with at most min(this, 5) seconds to answer. A"
          + " failed probe makes the check unhealthy until a probe or a write succeeds. 0: never"
          + " probe (an idle connector's storage and index health then tell only the last write).";

  private final int topWriters;
  private final int healthProbeIntervalSeconds;

  public MetricsConfig(AbstractConfig config) {
    this.topWriters = config.getInt(TOP_WRITERS);
    this.healthProbeIntervalSeconds = config.getInt(HEALTH_PROBE_INTERVAL);
  }

  public static ConfigDef addTo(ConfigDef def) {
    return def.define(
            TOP_WRITERS,
            Type.INT,
            5,
            Range.between(0, 100),
            Importance.LOW,
            TOP_WRITERS_DOC,
            GROUP,
            1,
            Width.SHORT,
            "Top writers shown")
        .define(
            HEALTH_PROBE_INTERVAL,
            Type.INT,
            30,
            Range.between(0, 86_400),
            Importance.LOW,
            HEALTH_PROBE_INTERVAL_DOC,
            GROUP,
            2,
            Width.SHORT,
            "Health probe interval (s)");
  }

  public int topWriters() {
    return topWriters;
  }

  /** How long a backend may be idle before it is probed; zero: never. */
  public Duration healthProbeInterval() {
    return Duration.ofSeconds(healthProbeIntervalSeconds);
  }
}
