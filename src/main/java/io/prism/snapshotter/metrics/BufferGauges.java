package io.prism.snapshotter.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;

/**
 * The gauges read at scrape time from each live task's last buffer survey: buffer size, event count
 * and age per task ({@code selection="task"}, no writer) and for the task's N oldest ({@code
 * selection="oldest"}) and N largest ({@code selection="largest"}) writers; the gap between
 * received and durable offsets per partition; paused partitions.
 */
final class BufferGauges {
  static final String SELECTION = "selection";
  static final String WRITER = "writer_id";

  private BufferGauges() {}

  private interface WriterValue {
    double of(WriterBuffer writer, long nowMillis);
  }

  private interface TaskValue {
    double of(BufferSnapshot buffers, long nowMillis);
  }

  static void register(PrometheusRegistry registry) {
    bufferGauge(
        registry,
        "snapshotter_buffer_size_bytes",
        "Bytes buffered and not yet durable.",
        (b, now) -> b.bytes(),
        (w, now) -> w.bytes());
    bufferGauge(
        registry,
        "snapshotter_buffer_event_count",
        "Events buffered and not yet durable.",
        (b, now) -> b.events(),
        (w, now) -> w.events());
    bufferGauge(
        registry,
        "snapshotter_buffer_age_seconds",
        "Age of the oldest buffered event (its page's opening).",
        (b, now) -> b.oldestAgeMillis(now) / 1000.0,
        (w, now) -> Math.max(0, now - w.openedAtMillis()) / 1000.0);
    taskGauge(
        registry,
        "snapshotter_buffer_active_writers",
        "Open pages: one per writer and partition with buffered events.",
        (b, now) -> b.activeWriters());
    taskGauge(
        registry,
        "snapshotter_buffer_writers_over_age_limit",
        "Buffered pages older than buffer.max.age.seconds (e.g. while storage fails).",
        (b, now) -> b.writersOverAgeLimit());
    GaugeWithCallback.builder()
        .name("snapshotter_offset_gap_records")
        .help(
            "Records received but not yet durable, per partition: re-delivered if the task died now.")
        .labelNames(SnapshotterMetrics.CONNECTOR, SnapshotterMetrics.TASK, "topic", "partition")
        .callback(
            callback -> {
              for (TaskMetrics task : SnapshotterMetrics.liveTasks()) {
                for (PartitionOffsets offsets : task.buffers().partitions()) {
                  callback.call(
                      offsets.gap(),
                      task.id().connector(),
                      task.id().task(),
                      offsets.partition().topic(),
                      Integer.toString(offsets.partition().partition()));
                }
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("snapshotter_paused_partitions")
        .help("Partitions the task paused because its buffers are over the memory budget.")
        .labelNames(SnapshotterMetrics.CONNECTOR, SnapshotterMetrics.TASK)
        .callback(
            callback -> {
              for (TaskMetrics task : SnapshotterMetrics.liveTasks()) {
                callback.call(task.pausedPartitions(), task.id().connector(), task.id().task());
              }
            })
        .register(registry);
  }

  private static void bufferGauge(
      PrometheusRegistry registry, String name, String help, TaskValue total, WriterValue writer) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help + " Per task, and for its N oldest and N largest writers only.")
        .labelNames(SnapshotterMetrics.CONNECTOR, SnapshotterMetrics.TASK, SELECTION, WRITER)
        .callback(
            callback -> {
              for (TaskMetrics task : SnapshotterMetrics.liveTasks()) {
                long now = task.nowMillis();
                BufferSnapshot buffers = task.buffers();
                String connector = task.id().connector();
                String id = task.id().task();
                callback.call(total.of(buffers, now), connector, id, "task", "");
                emit(callback, connector, id, "oldest", buffers.oldest(), writer, now);
                emit(callback, connector, id, "largest", buffers.largest(), writer, now);
              }
            })
        .register(registry);
  }

  private static void emit(
      GaugeWithCallback.Callback callback,
      String connector,
      String task,
      String selection,
      List<WriterBuffer> writers,
      WriterValue value,
      long now) {
    for (int i = 0; i < writers.size(); i++) {
      WriterBuffer writer = writers.get(i);
      if (seenBefore(writers, i)) {
        continue; // the same writer in two partitions, or with an open and a closed page: one
        // series
      }
      callback.call(value.of(writer, now), connector, task, selection, writer.writerId());
    }
  }

  private static boolean seenBefore(List<WriterBuffer> writers, int index) {
    for (int i = 0; i < index; i++) {
      if (writers.get(i).writerId().equals(writers.get(index).writerId())) {
        return true;
      }
    }
    return false;
  }

  private static void taskGauge(
      PrometheusRegistry registry, String name, String help, TaskValue value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames(SnapshotterMetrics.CONNECTOR, SnapshotterMetrics.TASK)
        .callback(
            callback -> {
              for (TaskMetrics task : SnapshotterMetrics.liveTasks()) {
                callback.call(
                    value.of(task.buffers(), task.nowMillis()),
                    task.id().connector(),
                    task.id().task());
              }
            })
        .register(registry);
  }
}
