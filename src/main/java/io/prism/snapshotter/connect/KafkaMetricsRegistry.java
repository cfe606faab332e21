package io.prism.snapshotter.connect;

import java.util.LinkedHashMap;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Measurable;

/**
 * Where the task registers its Kafka metrics: the worker's plugin metrics (Kafka 4.1 on, {@link
 * WorkerPluginMetrics}), or a registry of the task's own that reports to JMX under the same names
 * on older workers ({@link OwnJmxMetrics}). Either way an operator finds the same MBeans.
 */
interface KafkaMetricsRegistry extends AutoCloseable {
  /** A metric name with the task's tags ({@code connector}, {@code task}) before {@code tags}. */
  MetricName metricName(String name, String description, LinkedHashMap<String, String> tags);

  void addMetric(MetricName name, Measurable value);

  void removeMetric(MetricName name);

  /** Releases what the registry itself holds (the worker's plugin metrics are the worker's). */
  @Override
  default void close() {}
}
