package io.prism.snapshotter.config;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

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

  public static final String HEALTH_TASKS_GRACE = "metrics.health.tasks.grace.seconds";
  static final String HEALTH_TASKS_GRACE_DOC =
      "How long a task of this connector (ids 0..tasks.max-1) may have no state in the cluster"
          + " before the Connect worker's health checks (the REST extension's /prism/health/*, and"
          + " bin/snapshotter local's) count it unhealthy rather than degraded, from when a"
          + " worker's checks first see the connector or see its tasks.max change: Connect starts"
          + " the connector, which makes its task configs, and a rebalance assigns them, a few"
          + " seconds on a healthy cluster. A restarted worker counts again from its first look,"
          + " as it cannot tell a connector created a moment before its start from an old one (a"
          + " standalone worker creates its connectors at every start). A failed task is never"
          + " given grace. 0: a missing task is unhealthy at once, even of a new connector.";
  static final int HEALTH_TASKS_GRACE_DEFAULT = 30;

  /** What a worker's health checks give a connector's tasks to appear, unless it says otherwise. */
  public static final Duration DEFAULT_HEALTH_TASKS_GRACE =
      Duration.ofSeconds(HEALTH_TASKS_GRACE_DEFAULT);

  private static final Range HEALTH_TASKS_GRACE_RANGE = Range.between(0, 3600);

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
            "Health probe interval (s)")
        .define(
            HEALTH_TASKS_GRACE,
            Type.INT,
            HEALTH_TASKS_GRACE_DEFAULT,
            HEALTH_TASKS_GRACE_RANGE,
            Importance.LOW,
            HEALTH_TASKS_GRACE_DOC,
            GROUP,
            3,
            Width.SHORT,
            "Grace for missing tasks (s)");
  }

  /**
   * {@link #HEALTH_TASKS_GRACE} of a connector as a worker's health checks read it: from the
   * connector's stored config, strings as the user gave them (Connect validated them when the
   * connector was made, but a config provider's placeholder is resolved only for the task).
   *
   * @throws ConfigException naming the key and the value when it is not a whole number of seconds
   *     in range
   */
  public static Duration healthTasksGrace(Map<String, String> connectorConfig) {
    String value = connectorConfig.get(HEALTH_TASKS_GRACE);
    if (value == null) {
      return DEFAULT_HEALTH_TASKS_GRACE;
    }
    Object seconds = ConfigDef.parseType(HEALTH_TASKS_GRACE, value, Type.INT);
    HEALTH_TASKS_GRACE_RANGE.ensureValid(HEALTH_TASKS_GRACE, seconds);
    return Duration.ofSeconds((Integer) seconds);
  }

  public int topWriters() {
    return topWriters;
  }

  /** How long a backend may be idle before it is probed; zero: never. */
  public Duration healthProbeInterval() {
    return Duration.ofSeconds(healthProbeIntervalSeconds);
  }
}
