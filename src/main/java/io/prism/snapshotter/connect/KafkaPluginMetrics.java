package io.prism.snapshotter.connect;

import io.prism.snapshotter.buffer.FlushReason;
import io.prism.snapshotter.metrics.PartitionOffsets;
import io.prism.snapshotter.metrics.TaskMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Measurable;

/**
 * The task's metrics as Kafka metrics: with the worker's own (KIP-877 plugin metrics, Kafka 4.1
 * on), so they appear in JMX ({@code kafka.connect:type=plugins,connector=...,task=...}) and in
 * every reporter the worker runs; on older workers in JMX under the same names ({@link
 * OwnJmxMetrics}). Each is read from the same {@link TaskMetrics} the Prometheus endpoint reads.
 */
final class KafkaPluginMetrics {
  private final KafkaMetricsRegistry plugin;
  private final List<MetricName> names = new ArrayList<>();

  private KafkaPluginMetrics(KafkaMetricsRegistry plugin) {
    this.plugin = plugin;
  }

  /** Registers every metric with {@code plugin}, which {@link #close} then closes. */
  static KafkaPluginMetrics register(KafkaMetricsRegistry plugin, TaskMetrics metrics) {
    KafkaPluginMetrics kafka = new KafkaPluginMetrics(plugin);
    kafka.add("records-in-total", "Records the task received.", m -> m.recordsInTotal(), metrics);
    kafka.add("events-paged-total", "Events in durable pages.", m -> m.eventsPagedTotal(), metrics);
    kafka.add("page-writes-total", "Pages made durable.", m -> m.pageWritesTotal(), metrics);
    kafka.add(
        "page-write-time-avg-ms",
        "Mean time to make a page durable.",
        m -> m.pageWriteCount() == 0 ? 0 : m.pageWriteSecondsSum() * 1000 / m.pageWriteCount(),
        metrics);
    kafka.add(
        "page-size-avg-bytes",
        "Mean stored page size.",
        m -> m.pageSizeCount() == 0 ? 0 : m.pageSizeBytesSum() / m.pageSizeCount(),
        metrics);
    kafka.add(
        "index-publish-errors-total",
        "Failed index publishes by the task (async: refused enqueues).",
        m -> m.indexPublishErrorsTotal(),
        metrics);
    kafka.add(
        "index-background-publish-errors-total",
        "Failed background index publishes (async queue, secondaries).",
        m -> m.indexBackgroundPublishErrorsTotal(),
        metrics);
    kafka.add(
        "index-publish-queue-entries",
        "Index entries waiting in the task's publish queues.",
        m -> m.indexQueueEntries(),
        metrics);
    kafka.add(
        "index-dropped-entries-total",
        "Index entries given up: a secondary's queue was full, or queued at a stop.",
        m -> m.indexDroppedEntriesTotal(),
        metrics);
    kafka.add(
        "storage-errors-total",
        "Failed object store writes.",
        m -> m.storageErrorsTotal(),
        metrics);
    kafka.add(
        "storage-retries-total",
        "Batches retried after a failed page write.",
        m -> m.storageRetriesTotal(),
        metrics);
    kafka.add(
        "session-disconnects-total",
        "Pages closed by a session end.",
        m -> m.sessionDisconnectsTotal(),
        metrics);
    kafka.add(
        "dead-letter-records-total",
        "Records sent to the dead letter queue.",
        m -> m.deadLettersTotal(),
        metrics);
    kafka.add(
        "records-already-stored-total",
        "Re-delivered records already in stored pages, not stored again.",
        m -> m.recordsAlreadyStoredTotal(),
        metrics);
    kafka.add(
        "records-left-to-new-owner-total",
        "Buffered records not stored at revocation: the new owner had stored some.",
        m -> m.recordsLeftToNewOwnerTotal(),
        metrics);
    kafka.add(
        "paused-partitions", "Partitions paused for memory.", m -> m.pausedPartitions(), metrics);
    kafka.add(
        "upload-queue-pages",
        "Closed pages waiting for a free upload thread.",
        m -> m.uploadQueuePages(),
        metrics);
    kafka.add(
        "uploads-in-progress",
        "Pages being stored right now.",
        m -> m.uploadsInProgress(),
        metrics);
    kafka.add(
        "buffer-size-bytes", "Bytes buffered, not yet durable.", m -> m.buffers().bytes(), metrics);
    kafka.add(
        "buffer-event-count",
        "Events buffered, not yet durable.",
        m -> m.buffers().events(),
        metrics);
    kafka.add(
        "buffer-age-seconds",
        "Age of the oldest buffered event.",
        m -> m.buffers().oldestAgeMillis(System.currentTimeMillis()) / 1000.0,
        metrics);
    kafka.add(
        "buffer-active-writers",
        "Open pages (writer and partition).",
        m -> m.buffers().activeWriters(),
        metrics);
    kafka.add(
        "buffer-writers-over-age-limit",
        "Buffered pages older than buffer.max.age.seconds.",
        m -> m.buffers().writersOverAgeLimit(),
        metrics);
    kafka.add(
        "offset-gap-records",
        "Records received but not yet durable, over all partitions.",
        m -> m.buffers().partitions().stream().mapToLong(PartitionOffsets::gap).sum(),
        metrics);
    for (FlushReason reason : FlushReason.values()) {
      LinkedHashMap<String, String> tags = new LinkedHashMap<>();
      tags.put("reason", reason.label());
      kafka.add(
          plugin.metricName("flushes-total", "Pages made durable, by why they closed.", tags),
          m -> m.flushesTotal(reason),
          metrics);
    }
    return kafka;
  }

  private void add(
      String name, String description, ToDoubleFunction<TaskMetrics> value, TaskMetrics metrics) {
    add(plugin.metricName(name, description, new LinkedHashMap<>()), value, metrics);
  }

  private void add(MetricName name, ToDoubleFunction<TaskMetrics> value, TaskMetrics metrics) {
    plugin.addMetric(name, (Measurable) (config, now) -> value.applyAsDouble(metrics));
    names.add(name);
  }

  /** Removes every metric (a worker does too when the task stops; removing twice is harmless). */
  void close() {
    for (MetricName name : names) {
      plugin.removeMetric(name);
    }
    plugin.close();
  }
}
