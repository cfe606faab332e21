package io.prism.snapshotter.bench;

import io.prism.snapshotter.connect.SnapshotterSinkTask;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.converters.ByteArrayConverter;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import io.prism.snapshotter.testing.StubSinkTaskContext;
import org.apache.kafka.connect.storage.StringConverter;

/**
 * The sink task without Kafka Connect: a {@link KafkaConsumer} poll loop that converts records
 * as Connect's {@code WorkerSinkTask} does (key, value and header converters of the benchmark's
 * connector config) and hands them to {@link SnapshotterSinkTask#put}; every {@link #COMMIT_INTERVAL}
 * (and after every batch once it has read to the end) it asks {@link SnapshotterSinkTask#preCommit}
 * how far is durable, as the worker does once per {@code offset.flush.interval.ms}. Done when every partition is durable
 * up to its end offset.
 */
final class DirectSinkRun {
  /** How often the loop asks preCommit: the connect variant's {@code offset.flush.interval.ms}. */
  static final Duration COMMIT_INTERVAL = Duration.ofMillis(200);

  private final Map<String, String> taskConfig;
  private final Map<String, Object> consumerConfig;
  private final Map<TopicPartition, Long> ends;

  DirectSinkRun(Map<String, String> taskConfig, Map<String, Object> consumerConfig, Map<TopicPartition, Long> ends) {
    this.taskConfig = taskConfig;
    this.consumerConfig = consumerConfig;
    this.ends = ends;
  }

  /** Wall-clock nanoseconds of the loop's phases in the last run. */
  long pollNanos;
  long convertNanos;
  long putNanos;
  long preCommitNanos;

  /**
   * Runs to the end on a thread of its own named {@code sink-direct} (so a profile can pick out
   * its samples); returns the number of records handed to the task.
   */
  long run(Duration timeout) throws InterruptedException {
    long[] records = new long[1];
    RuntimeException[] failure = new RuntimeException[1];
    Thread thread = new Thread(() -> {
      try {
        records[0] = runHere(timeout);
      } catch (RuntimeException e) {
        failure[0] = e;
      }
    }, "sink-direct");
    thread.start();
    thread.join();
    if (failure[0] != null) {
      throw failure[0];
    }
    return records[0];
  }

  /** The phases as a share of the loop's wall-clock time. */
  String phases() {
    double total = pollNanos + convertNanos + putNanos + preCommitNanos;
    return String.format(java.util.Locale.ROOT, "poll %.0f%%, convert %.0f%%, put %.0f%%, preCommit %.0f%%",
        100 * pollNanos / total, 100 * convertNanos / total, 100 * putNanos / total, 100 * preCommitNanos / total);
  }

  private long runHere(Duration timeout) {
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
    long records = 0;
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig)) {
      consumer.assign(ends.keySet());
      consumer.seekToBeginning(ends.keySet());
      Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
      long lastCommit = System.nanoTime();
      while (true) {
        // Like WorkerSinkTask: preCommit once per commit interval, not after every batch; once
        // the consumer has read everything, after every poll, to see the end without delay.
        long now = System.nanoTime();
        if (now - lastCommit >= COMMIT_INTERVAL.toNanos() || readToTheEnd(positions)) {
          lastCommit = now;
          if (allDurable(task, positions)) {
            break;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("direct sink did not finish within " + timeout + "; positions " + positions);
        }
        long t0 = System.nanoTime();
        ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(100));
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
          batch.add(new SinkRecord(r.topic(), r.partition(), key.schema(), key.value(), value.schema(), value.value(),
              r.offset(), r.timestamp(), r.timestampType(), connectHeaders));
          positions.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        long t2 = System.nanoTime();
        convertNanos += t2 - t1;
        task.put(batch);
        putNanos += System.nanoTime() - t2;
        records += batch.size();
        if (!context.paused().isEmpty()) {
          throw new IllegalStateException("the task paused " + context.paused() + ": storage is failing?");
        }
      }
    } finally {
      task.stop();
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

  private boolean allDurable(SnapshotterSinkTask task, Map<TopicPartition, OffsetAndMetadata> positions) {
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
