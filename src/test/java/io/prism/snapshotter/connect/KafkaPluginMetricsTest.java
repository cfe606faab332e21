package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.index.PublishPath;
import io.prism.snapshotter.metrics.TaskId;
import io.prism.snapshotter.metrics.TaskMetrics;
import io.prism.snapshotter.testing.ManualClock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.junit.jupiter.api.Test;

/** The plugin metrics (JMX) read the same index values as the Prometheus families. */
class KafkaPluginMetricsTest {
  @Test
  void indexQueueAndBackgroundErrorsAreKafkaMetricsToo() throws Exception {
    AtomicInteger queued = new AtomicInteger(7);
    try (Metrics registry = new Metrics();
        PluginMetricsImpl plugin =
            new PluginMetricsImpl(registry, Map.of("connector", "c", "task", "0"));
        TaskMetrics metrics =
            TaskMetrics.open(
                new TaskId("plugin-" + System.nanoTime(), "0"),
                "filesystem",
                "sqlite",
                1,
                Duration.ofSeconds(60),
                new ManualClock())) {
      metrics.watchIndexQueue(queued::get);
      metrics.watchIndexDrops(() -> 5);
      metrics.indexFailed(PublishPath.BACKGROUND_TO_PRIMARY);
      metrics.indexFailed(PublishPath.BACKGROUND_TO_SECONDARY);
      metrics.indexFailed(PublishPath.TASK_TO_QUEUE);
      KafkaPluginMetrics.register(new WorkerPluginMetrics(plugin), metrics);

      assertThat(value(registry, "index-publish-queue-entries")).isEqualTo(7);
      assertThat(value(registry, "index-background-publish-errors-total")).isEqualTo(2);
      assertThat(value(registry, "index-publish-errors-total")).isEqualTo(1);
      assertThat(value(registry, "index-dropped-entries-total")).isEqualTo(5);
      queued.set(0);
      assertThat(value(registry, "index-publish-queue-entries")).isZero();
    }
  }

  @Test
  void uploadCountsAreKafkaMetricsAndPrometheusGauges() throws Exception {
    AtomicInteger waiting = new AtomicInteger(3);
    AtomicInteger storing = new AtomicInteger(8);
    TaskId id = new TaskId("uploads-" + System.nanoTime(), "0");
    try (Metrics registry = new Metrics();
        PluginMetricsImpl plugin =
            new PluginMetricsImpl(registry, Map.of("connector", id.connector(), "task", "0"));
        TaskMetrics metrics =
            TaskMetrics.open(id, "s3", "sqlite", 1, Duration.ofSeconds(60), new ManualClock())) {
      metrics.watchUploads(waiting::get, storing::get);
      KafkaPluginMetrics.register(new WorkerPluginMetrics(plugin), metrics);

      assertThat(value(registry, "upload-queue-pages")).isEqualTo(3);
      assertThat(value(registry, "uploads-in-progress")).isEqualTo(8);
      String scrape = TaskMetricsWorkloadTest.scrape();
      assertThat(scrape)
          .contains(
              "snapshotter_upload_queue_pages{connector=\"" + id.connector() + "\",task=\"0\"} 3.0")
          .contains(
              "snapshotter_uploads_in_progress{connector=\""
                  + id.connector()
                  + "\",task=\"0\"} 8.0");
      waiting.set(0);
      assertThat(value(registry, "upload-queue-pages")).isZero();
    }
  }

  private static double value(Metrics registry, String name) {
    return registry.metrics().entrySet().stream()
        .filter(e -> e.getKey().name().equals(name))
        .map(e -> ((Number) e.getValue().metricValue()).doubleValue())
        .findFirst()
        .orElseThrow(
            () -> new AssertionError(name + " not registered: " + registry.metrics().keySet()));
  }
}
