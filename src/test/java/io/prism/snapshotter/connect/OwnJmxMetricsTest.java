package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.metrics.TaskId;
import io.prism.snapshotter.metrics.TaskMetrics;
import io.prism.snapshotter.testing.ManualClock;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * On a worker without plugin metrics (Kafka before 4.1) the task's metrics are in JMX all the same.
 */
class OwnJmxMetricsTest {
  private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

  @Test
  void theTaskRegistersItsMetricsInJmxUnderThePluginMetricNamesAndRemovesThemOnClose()
      throws Exception {
    String connector = "own-jmx-" + System.nanoTime();
    ObjectName task =
        new ObjectName("kafka.connect:type=plugins,connector=" + connector + ",task=3");
    ObjectName byReason =
        new ObjectName("kafka.connect:type=plugins,connector=" + connector + ",task=3,reason=size");
    int countBeansBefore =
        JMX.queryNames(new ObjectName("kafka.connect:type=kafka-metrics-count,*"), null).size();
    try (TaskMetrics metrics =
        TaskMetrics.open(
            new TaskId(connector, "3"),
            "filesystem",
            "sqlite",
            1,
            Duration.ofSeconds(60),
            new ManualClock())) {
      KafkaPluginMetrics kafka =
          KafkaPluginMetrics.register(new OwnJmxMetrics(connector, "3"), metrics);
      metrics.recordsIn(42);
      assertThat(((Number) JMX.getAttribute(task, "records-in-total")).doubleValue()).isEqualTo(42);
      assertThat(JMX.isRegistered(byReason)).as("flushes by reason carry a reason key").isTrue();
      assertThat(JMX.queryNames(new ObjectName("kafka.connect:type=kafka-metrics-count,*"), null))
          .as("the registry's own count metric stays out of JMX: it would clash with the worker's")
          .hasSize(countBeansBefore);

      kafka.close();
      assertThat(JMX.isRegistered(task)).isFalse();
      assertThat(JMX.isRegistered(byReason)).isFalse();
    }
  }

  @Test
  void aWorkerWithoutPluginMetricsStillGetsJmxMetrics() throws Exception {
    // StubSinkTaskContext.pluginMetrics() returns null, as a worker that offers none would.
    String connector = "no-plugin-metrics-" + System.nanoTime();
    var props = new java.util.HashMap<String, String>();
    props.put("name", connector);
    props.put(TaskTelemetry.TASK_ID, "0");
    props.put(
        "storage.filesystem.path", java.nio.file.Files.createTempDirectory("own-jmx").toString());
    props.put("index.backend", "none");
    var config = new io.prism.snapshotter.config.SnapshotterConfig(props);
    try (TaskTelemetry telemetry =
        TaskTelemetry.start(
            config,
            props,
            new io.prism.snapshotter.testing.StubSinkTaskContext(props, java.util.Set.of()),
            new ManualClock())) {
      telemetry.metrics().recordsIn(5);
      ObjectName task =
          new ObjectName("kafka.connect:type=plugins,connector=" + connector + ",task=0");
      assertThat(((Number) JMX.getAttribute(task, "records-in-total")).doubleValue()).isEqualTo(5);
    }
  }
}
