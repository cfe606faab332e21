package io.prism.snapshotter.config;

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

  private final int topWriters;

  public MetricsConfig(AbstractConfig config) {
    this.topWriters = config.getInt(TOP_WRITERS);
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
        "Top writers shown");
  }

  public int topWriters() {
    return topWriters;
  }
}
