package io.prism.snapshotter.bench;

import io.prism.snapshotter.connect.SnapshotterSinkTask;
import io.prism.snapshotter.testing.StubSinkTaskContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.converters.ByteArrayConverter;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.storage.StringConverter;

/**
 * The sink task without Kafka Connect: a {@link KafkaConsumer} poll loop that converts records as
 * Connect's {@code WorkerSinkTask} does (key, value and header converters of the benchmark's
 * connector config) and hands them to {@link SnapshotterSinkTask#put}; every {@link
 * #COMMIT_INTERVAL} (and after every batch once it has read to the end) it asks {@link
 * SnapshotterSinkTask#preCommit} how far is durable, as the worker does once per {@code
 * offset.flush.interval.ms}. Done when every partition is durable up to its end offset.
 */
final class DirectSinkRun {
  /** How often the loop asks preCommit: the connect variant's {@code offset.flush.interval.ms}. */
  static final Duration COMMIT_INTERVAL = Duration.ofMillis(200);

  private final Map<String, String> taskConfig;
  private final Map<String, Object> consumerConfig;
  private final Map<TopicPartition, Long> ends;

  /** Told when everything is durable, before the task stops (and its upload threads end). */
  private final Runnable onDurable;

  DirectSinkRun(
      Map<String, String> taskConfig,
      Map<String, Object> consumerConfig,
      Map<TopicPartition, Long> ends,
      Runnable onDurable) {
    this.taskConfig = taskConfig;
    this.onDurable = onDurable;
    this.consumerConfig = consumerConfig;
    this.ends = ends;
  }

  /** Wall-clock nanoseconds of the loop's phases in the last run. */
  long pollNanos;

  long convertNanos;
  long putNanos;
  long preCommitNanos;

  /**
   * When the run began, when the task had started, when the consumer had read every record, when
   * all was durable.
   */
  long runStartNanos;

  long taskStartedNanos;
  long readEndNanos;
  long durableNanos;

  /** How long {@code task.stop()} and closing the consumer took. */
  long stopNanos;

  long closeNanos;

  /**
   * Runs to the end on a thread of its own named {@code sink-direct} (so a profile can pick out its
   * samples); returns the number of records handed to the task.
   */
  long run(Duration timeout) throws InterruptedException {
    long[] records = new long[1];
    RuntimeException[] failure = new RuntimeException[1];
    Thread thread =
        new Thread(
            () -> {
              try {
                records[0] = runHere(timeout);
              } catch (RuntimeException e) {
                failure[0] = e;
              }
            },
            "sink-direct");
    thread.start();
    thread.join();
    if (failure[0] != null) {
      throw failure[0];
    }
    return records[0];
  }

  /**
   * The sink's time: from before {@code task.start} until {@code preCommit} said every partition is
   * durable to its end. Stopping the task and closing the consumer are not counted (nor is the
   * plain consumer's close); {@link #phases()} says how long they took.
   */
  double secondsToDurable() {
    return (durableNanos - runStartNanos) / 1e9;
  }

  /** The phases as a share of the loop's wall-clock time, and the run's milestones. */
  String phases() {
    double total = pollNanos + convertNanos + putNanos + preCommitNanos;
    return String.format(
        java.util.Locale.ROOT,
        "poll %.0f%%, convert %.0f%%, put %.0f%%, preCommit %.0f%%;"
            + " task started at %.2f s, last record read at %.2f s, all durable at %.2f s; then task stopped in %.2f s,"
            + " consumer closed in %.2f s (not counted)",
        100 * pollNanos / total,
        100 * convertNanos / total,
        100 * putNanos / total,
        100 * preCommitNanos / total,
        (taskStartedNanos - runStartNanos) / 1e9,
        (readEndNanos - runStartNanos) / 1e9,
        (durableNanos - runStartNanos) / 1e9,
        stopNanos / 1e9,
        closeNanos / 1e9);
  }

  private long runHere(Duration timeout) {
    runStartNanos = System.nanoTime();
    readEndNanos = 0;
    String topic = ends.keySet().iterator().next().topic();
    StringConverter keys = new StringConverter();
    keys.configure(Map.of(), true);
    ByteArrayConverter values = new ByteArrayConverter();
    values.configure(Map.of(), false);
    StringConverter headers = new StringConverter();
    headers.configure(Map.of("converter.type", "header"));

    SnapshotterSinkTask task = new SnapshotterSinkTask();
    StubSinkTaskContext context = new StubSinkTaskContext(taskConfig, ends.keySet());
    task.initialize(context);
    task.start(taskConfig);
    taskStartedNanos = System.nanoTime();
    long records = 0;
    long deadline = System.nanoTime() + timeout.toNanos();
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig);
    try {
      consumer.assign(ends.keySet());
      consumer.seekToBeginning(ends.keySet());
      Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
      long lastCommit = System.nanoTime();
      while (true) {
        // Like WorkerSinkTask: preCommit once per commit interval, not after every batch; once
        // the consumer has read everything, after every poll, to see the end without delay.
        long now = System.nanoTime();
        boolean readAll = readToTheEnd(positions);
        if (readAll && readEndNanos == 0) {
          readEndNanos = now;
        }
        if (now - lastCommit >= COMMIT_INTERVAL.toNanos() || readAll) {
          lastCommit = now;
          if (allDurable(task, positions)) {
            durableNanos = System.nanoTime();
            onDurable.run();
            break;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "direct sink did not finish within " + timeout + "; positions " + positions);
        }
        long t0 = System.nanoTime();
        // Once everything is read, a short poll: the loop only waits for the last pages to be
        // stored,
        // and a 100 ms poll would add up to 100 ms to the time it notices.
        ConsumerRecords<byte[], byte[]> polled =
            consumer.poll(Duration.ofMillis(readAll ? 5 : 100));
        long t1 = System.nanoTime();
        pollNanos += t1 - t0;
        List<SinkRecord> batch = new ArrayList<>(polled.count());
        for (ConsumerRecord<byte[], byte[]> r : polled) {
          ConnectHeaders connectHeaders = new ConnectHeaders();
          for (org.apache.kafka.common.header.Header h : r.headers()) {
            SchemaAndValue header = headers.toConnectHeader(topic, h.key(), h.value());
            connectHeaders.add(h.key(), header);
          }
          SchemaAndValue key = keys.toConnectData(topic, r.headers(), r.key());
          SchemaAndValue value = values.toConnectData(topic, r.headers(), r.value());
          batch.add(
              new SinkRecord(
                  r.topic(),
                  r.partition(),
                  key.schema(),
                  key.value(),
                  value.schema(),
                  value.value(),
                  r.offset(),
                  r.timestamp(),
                  r.timestampType(),
                  connectHeaders));
          positions.put(
              new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        long t2 = System.nanoTime();
        convertNanos += t2 - t1;
        task.put(batch);
        putNanos += System.nanoTime() - t2;
        records += batch.size();
        if (!context.paused().isEmpty()) {
          throw new IllegalStateException(
              "the task paused " + context.paused() + ": storage is failing?");
        }
      }
    } finally {
      long stopping = System.nanoTime();
      task.stop();
      long closing = System.nanoTime();
      stopNanos = closing - stopping;
      consumer.close();
      closeNanos = System.nanoTime() - closing;
    }
    return records;
  }

  private boolean readToTheEnd(Map<TopicPartition, OffsetAndMetadata> positions) {
    for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
      OffsetAndMetadata position = positions.get(end.getKey());
      if (position == null || position.offset() < end.getValue()) {
        return false;
      }
    }
    return true;
  }

  private boolean allDurable(
      SnapshotterSinkTask task, Map<TopicPartition, OffsetAndMetadata> positions) {
    if (positions.size() < ends.size()) {
      return false;
    }
    long start = System.nanoTime();
    Map<TopicPartition, OffsetAndMetadata> committable = task.preCommit(new HashMap<>(positions));
    preCommitNanos += System.nanoTime() - start;
    for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
      OffsetAndMetadata offset = committable.get(end.getKey());
      if (offset == null || offset.offset() < end.getValue()) {
        return false;
      }
    }
    return true;
  }
}
