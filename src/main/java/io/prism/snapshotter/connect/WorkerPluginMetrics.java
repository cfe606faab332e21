package io.prism.snapshotter.connect;

import java.util.LinkedHashMap;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Measurable;
import org.apache.kafka.common.metrics.PluginMetrics;

/**
 * The worker's own metrics for this task (KIP-877, Kafka 4.1 on): they appear in its JMX and in
 * every metrics reporter it runs, and the worker removes them when the task stops. Loaded only
 * where {@link PluginMetrics} exists.
 */
final class WorkerPluginMetrics implements KafkaMetricsRegistry {
  private final PluginMetrics plugin;

  WorkerPluginMetrics(PluginMetrics plugin) {
    this.plugin = plugin;
  }

  @Override
  public MetricName metricName(
      String name, String description, LinkedHashMap<String, String> tags) {
    return plugin.metricName(name, description, tags);
  }

  @Override
  public void addMetric(MetricName name, Measurable value) {
    plugin.addMetric(name, value);
  }

  @Override
  public void removeMetric(MetricName name) {
    plugin.removeMetric(name);
  }
}
