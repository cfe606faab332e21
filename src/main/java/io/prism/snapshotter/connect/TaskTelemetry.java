package io.prism.snapshotter.connect;

import io.prism.snapshotter.buffer.PageAssembler;
import io.prism.snapshotter.buffer.PageBuffer;
import io.prism.snapshotter.buffer.PageSink;
import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.metrics.MeteredObjectStore;
import io.prism.snapshotter.metrics.MeteredPageIndex;
import io.prism.snapshotter.metrics.MeteredPageSink;
import io.prism.snapshotter.metrics.TaskId;
import io.prism.snapshotter.metrics.TaskMetrics;
import io.prism.snapshotter.storage.ObjectStore;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the sink task reports about itself, behind a few hooks: its {@link TaskMetrics}
 * (Prometheus and health), the same values as Kafka plugin metrics, and the commit log.
 */
final class TaskTelemetry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TaskTelemetry.class);

  /** Task config key the connector sets: the task's number, its {@code task} label. */
  static final String TASK_ID = "prism.task.id";

  private final TaskMetrics metrics;
  private final KafkaPluginMetrics kafka;
  private final CommitLog commits;

  /** The page whose write failed last, shared by the metered sinks of every upload thread. */
  private final AtomicReference<PageBuffer> lastFailed = new AtomicReference<>();

  private TaskTelemetry(TaskMetrics metrics, KafkaPluginMetrics kafka) {
    this.metrics = metrics;
    this.kafka = kafka;
    this.commits = new CommitLog(metrics.progress());
  }

  static TaskTelemetry start(
      SnapshotterConfig config, Map<String, String> props, SinkTaskContext context, Clock clock) {
    TaskId id =
        new TaskId(props.getOrDefault("name", "snapshotter"), props.getOrDefault(TASK_ID, "0"));
    TaskMetrics metrics =
        TaskMetrics.open(
            id,
            config.storage().backend().configName(),
            config.index().backend().configName(),
            config.metrics().topWriters(),
            config.buffer().limits().maxAge(),
            clock);
    return new TaskTelemetry(
        metrics, KafkaPluginMetrics.register(kafkaMetrics(context, id), metrics));
  }

  /** The worker's plugin metrics where it offers them, else JMX metrics of the task's own. */
  private static KafkaMetricsRegistry kafkaMetrics(SinkTaskContext context, TaskId id) {
    try {
      PluginMetrics plugin = context == null ? null : context.pluginMetrics();
      if (plugin != null) {
        return new WorkerPluginMetrics(plugin);
      }
    } catch (NoSuchMethodError
        | NoClassDefFoundError
        | AbstractMethodError
        | UnsupportedOperationException e) {
      log.info(
          "This worker offers no plugin metrics (Kafka before 4.1); the task registers its metrics in JMX itself");
    }
    return new OwnJmxMetrics(id.connector(), id.task());
  }

  TaskMetrics metrics() {
    return metrics;
  }

  ObjectStore meter(ObjectStore store) {
    return new MeteredObjectStore(store, metrics);
  }

  /**
   * Opens the task's index with every part metered (so async and secondary publishes are counted
   * where they reach a backend) and its queues watched by the queue gauge.
   */
  PageIndex openIndex(IndexConfig config) {
    PageIndex index = config.open(config.publishMode(), MeteredPageIndex.decorator(metrics));
    metrics.watchIndexQueue(index::queuedEntries);
    metrics.watchIndexDrops(index::droppedEntries);
    return index;
  }

  PageSink meter(PageSink pages) {
    return new MeteredPageSink(pages, metrics, lastFailed);
  }

  /** The page whose write failed last (for the error log), or null. */
  PageBuffer lastFailedPage() {
    return lastFailed.get();
  }

  void afterPut(int records, PageAssembler assembler) {
    metrics.recordsIn(records);
    metrics.recordsAlreadyStored(assembler.takeRecordsAlreadyStored());
    metrics.survey(assembler);
  }

  void committing(Map<TopicPartition, OffsetAndMetadata> commit, PageAssembler assembler) {
    metrics.surveyNow(assembler);
    commits.committing(commit);
  }

  void closed(Collection<TopicPartition> partitions, PageAssembler assembler) {
    commits.forget(partitions);
    metrics.recordsLeftToNewOwner(assembler.takeRecordsLeftToNewOwner());
    metrics.surveyNow(assembler);
  }

  @Override
  public void close() {
    if (kafka != null) {
      kafka.close();
    }
    metrics.close();
  }
}
