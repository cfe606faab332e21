package io.prism.snapshotter.connect;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.metrics.KafkaMetricsContext;
import org.apache.kafka.common.metrics.Measurable;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.Time;

/**
 * The task's metrics on a worker that offers no plugin metrics (Kafka before 4.1): a metrics
 * registry of the task's own, reported to JMX under the names a 4.1 worker gives plugin metrics
 * ({@code kafka.connect:type=plugins,connector=<name>,task=<n>}), so dashboards and JMX exporter
 * rules work on every worker version. Only those MBeans are registered: the registry's own {@code
 * kafka-metrics-count} would clash with the worker's MBean of that name.
 */
final class OwnJmxMetrics implements KafkaMetricsRegistry {
  static final String JMX_DOMAIN = "kafka.connect";
  private static final String GROUP = "plugins";

  private final Metrics metrics;
  private final Map<String, String> taskTags;

  OwnJmxMetrics(String connector, String task) {
    JmxReporter jmx = new JmxReporter();
    jmx.configure(Map.of(JmxReporter.INCLUDE_CONFIG, JMX_DOMAIN + ":type=" + GROUP + ",.*"));
    metrics =
        new Metrics(
            new MetricConfig(), List.of(jmx), Time.SYSTEM, new KafkaMetricsContext(JMX_DOMAIN));
    LinkedHashMap<String, String> tags = new LinkedHashMap<>();
    tags.put("connector", connector);
    tags.put("task", task);
    taskTags = tags;
  }

  @Override
  public MetricName metricName(
      String name, String description, LinkedHashMap<String, String> tags) {
    LinkedHashMap<String, String> all = new LinkedHashMap<>(taskTags);
    all.putAll(tags);
    return metrics.metricName(name, GROUP, description, all);
  }

  @Override
  public void addMetric(MetricName name, Measurable value) {
    metrics.addMetric(name, value);
  }

  @Override
  public void removeMetric(MetricName name) {
    metrics.removeMetric(name);
  }

  /** Unregisters the task's MBeans. */
  @Override
  public void close() {
    metrics.close();
  }
}
