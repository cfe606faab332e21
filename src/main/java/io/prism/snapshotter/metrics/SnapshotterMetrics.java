package io.prism.snapshotter.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * The snapshotter's metric families, one set per JVM, and the tasks that feed them.
 *
 * <p>Every family is labelled by {@code connector} and {@code task}. Buffer gauges are per task
 * plus the {@code metrics.top.writers} oldest and largest writers of each task, never one series
 * per writer: with 100,000 writers that would be 100,000 series per gauge (a "cardinality bomb" for
 * Prometheus). Per-writer detail stays in the logs and in the page index.
 *
 * <p>Static on purpose: the connector's tasks, the front door and the HTTP endpoint of one process
 * share one registry, and inside a Connect worker the plugin's REST extension is loaded by the same
 * plugin class loader as its tasks, so it sees the same instance.
 */
public final class SnapshotterMetrics {
  /** Every snapshotter metric of this JVM; what {@code /metrics} serves. */
  public static final PrometheusRegistry REGISTRY = new PrometheusRegistry();

  static final String CONNECTOR = "connector";
  static final String TASK = "task";

  private static final double[] DURATION_BOUNDS = {
    .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60
  };
  private static final double[] SIZE_BOUNDS = {
    1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20, 1 << 22, 1 << 24, 1 << 26, 1 << 28
  };

  static final Counter RECORDS_IN =
      counter("snapshotter_records_in", "Records the sink task received from Kafka.");
  static final Counter EVENTS_PAGED =
      counter("snapshotter_events_paged", "Events now in durable (stored and indexed) pages.");
  static final Counter PAGE_WRITES =
      counter("snapshotter_page_writes", "Pages made durable (stored and indexed).");
  static final Counter FLUSHES =
      Counter.builder()
          .name("snapshotter_flushes")
          .help("Pages made durable, by the reason their page closed.")
          .labelNames(CONNECTOR, TASK, "reason")
          .withoutExemplars()
          .register(REGISTRY);
  static final Counter INDEX_PUBLISH_ERRORS =
      counter(
          "snapshotter_index_publish_errors",
          "Index publishes the task made that failed: sync publishes, and with async publishing enqueues refused for a full queue.");
  static final Counter INDEX_BACKGROUND_PUBLISH_ERRORS =
      counter(
          "snapshotter_index_background_publish_errors",
          "Background publish attempts that failed (async publish queue, secondary indexes); each retry of a batch counts.");
  static final Counter STORAGE_ERRORS =
      counter("snapshotter_storage_errors", "Object store writes that failed.");
  static final Counter STORAGE_RETRIES =
      counter(
          "snapshotter_storage_retries",
          "Times the task asked Connect to retry after a failed page write.");
  static final Counter SESSION_DISCONNECTS =
      counter(
          "snapshotter_session_disconnects",
          "Pages made durable because their writer's session ended.");
  static final Counter DEAD_LETTERS =
      counter("snapshotter_dead_letter_records", "Records sent to the dead letter queue.");
  static final Counter RECORDS_ALREADY_STORED =
      counter(
          "snapshotter_records_already_stored",
          "Re-delivered records not stored again: a page stored before the task took over their partition holds them.");
  static final Counter RECORDS_LEFT_TO_NEW_OWNER =
      counter(
          "snapshotter_records_left_to_new_owner",
          "Buffered records not stored at revocation: another task, the partition's new owner, had stored some of them.");
  static final Histogram PAGE_WRITE_DURATION =
      Histogram.builder()
          .name("snapshotter_page_write_duration_seconds")
          .unit(Unit.SECONDS)
          .help("Time to make one page durable: encode, store and publish its index entry.")
          .labelNames(CONNECTOR, TASK)
          .classicOnly()
          .classicUpperBounds(DURATION_BOUNDS)
          .withoutExemplars()
          .register(REGISTRY);
  static final Histogram PAGE_SIZE =
      Histogram.builder()
          .name("snapshotter_page_size_bytes")
          .unit(Unit.BYTES)
          .help("Size of the stored (encoded, compressed) pages.")
          .labelNames(CONNECTOR, TASK)
          .classicOnly()
          .classicUpperBounds(SIZE_BOUNDS)
          .withoutExemplars()
          .register(REGISTRY);

  private static final ConcurrentHashMap<TaskId, TaskMetrics> TASKS = new ConcurrentHashMap<>();

  /**
   * Per task id, the index entries that its stopped runs in this JVM gave up. A task's index closes
   * at its stop, and only then are the entries its queues still held given up, right before the
   * task's series go: carried over, they show in the series of the task's next run (a restart, a
   * rebalance back to this worker) instead of nowhere.
   */
  private static final ConcurrentHashMap<TaskId, Long> INDEX_DROPS_OF_STOPPED_RUNS =
      new ConcurrentHashMap<>();

  static {
    BufferGauges.register(REGISTRY);
    taskGauge(
        "snapshotter_upload_queue_pages",
        "Closed pages waiting for a free upload thread (storage.upload.threads): growing while every thread is busy, the threads hold the task back.",
        TaskMetrics::uploadQueuePages);
    taskGauge(
        "snapshotter_uploads_in_progress",
        "Pages being stored right now: at most storage.upload.threads.",
        TaskMetrics::uploadsInProgress);
    taskGauge(
        "snapshotter_index_publish_queue_entries",
        "Index entries waiting (or being retried) in the task's publish queues: the async queue and each secondary's.",
        TaskMetrics::indexQueueEntries);
    CounterWithCallback.builder()
        .name("snapshotter_index_dropped_entries")
        .help(
            "Index entries given up without reaching an index: a secondary's queue was full, or a queue still held them after the drain at task stop (counted in the task's next run in this worker). Reindex restores them.")
        .labelNames(CONNECTOR, TASK)
        .callback(
            callback -> {
              for (TaskMetrics task : liveTasks()) {
                callback.call(
                    task.indexDroppedEntriesTotal(), task.id().connector(), task.id().task());
              }
            })
        .register(REGISTRY);
  }

  private SnapshotterMetrics() {}

  private static Counter counter(String name, String help) {
    return Counter.builder()
        .name(name)
        .help(help)
        .labelNames(CONNECTOR, TASK)
        .withoutExemplars()
        .register(REGISTRY);
  }

  /**
   * Registers the task {@code open} makes, replacing a task with the same id that has not closed
   * (Connect starts a task again when the old one's stop outlasts its timeout). The old task's
   * series are dropped <em>before</em> the new one binds its own: both have the same label values,
   * so dropping them afterwards would drop the new task's series too, and its counts would never be
   * served.
   */
  static synchronized TaskMetrics add(TaskId id, Supplier<TaskMetrics> open) {
    TaskMetrics previous = TASKS.get(id);
    if (previous != null) {
      previous.forgetSeries();
    }
    TaskMetrics task = open.get();
    TASKS.put(id, task);
    return task;
  }

  /**
   * Unregisters {@code task} and drops its series, unless a newer task with its id replaced it:
   * those series (same label values) are the newer task's now.
   */
  static synchronized void remove(TaskMetrics task) {
    if (TASKS.remove(task.id(), task)) {
      task.forgetSeries();
    }
  }

  /** A run of task {@code id} stopped, having given up {@code entries} index entries. */
  static void indexDropsOfStoppedRun(TaskId id, long entries) {
    if (entries > 0) {
      INDEX_DROPS_OF_STOPPED_RUNS.merge(id, entries, Long::sum);
    }
  }

  /** The index entries given up by stopped runs of task {@code id} in this JVM. */
  static long indexDropsOfStoppedRuns(TaskId id) {
    return INDEX_DROPS_OF_STOPPED_RUNS.getOrDefault(id, 0L);
  }

  /** A gauge of one value per live task, read at scrape time. */
  private static void taskGauge(String name, String help, ToIntFunction<TaskMetrics> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames(CONNECTOR, TASK)
        .callback(
            callback -> {
              for (TaskMetrics task : liveTasks()) {
                callback.call(value.applyAsInt(task), task.id().connector(), task.id().task());
              }
            })
        .register(REGISTRY);
  }

  /** The tasks of this JVM that are running now. */
  public static Collection<TaskMetrics> liveTasks() {
    return List.copyOf(TASKS.values());
  }

  static GaugeWithCallback.Builder gauge(String name, String help) {
    return GaugeWithCallback.builder().name(name).help(help);
  }
}
