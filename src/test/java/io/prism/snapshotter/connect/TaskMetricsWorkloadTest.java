package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.buffer.FlushReason;
import io.prism.snapshotter.metrics.BufferSnapshot;
import io.prism.snapshotter.metrics.HealthEndpoint;
import io.prism.snapshotter.metrics.SnapshotterMetrics;
import io.prism.snapshotter.metrics.TaskMetrics;
import io.prism.snapshotter.metrics.WriterBuffer;
import io.prism.snapshotter.testing.ManualClock;
import io.prism.snapshotter.testing.Poll;
import io.prism.snapshotter.testing.StubSinkTaskContext;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A known workload through a real task; every metric is then what the workload implies. */
class TaskMetricsWorkloadTest {
  static final TopicPartition P0 = new TopicPartition("events", 0);

  @TempDir Path pages;
  final ManualClock clock = new ManualClock();
  final StubSinkTaskContext context = new StubSinkTaskContext(Map.of(), Set.of(P0));

  private SnapshotterSinkTask start(String connector) {
    return start(connector, Map.of());
  }

  private Path indexFile() {
    return pages.resolveSibling(pages.getFileName() + "-index.db");
  }

  private SnapshotterSinkTask start(String connector, Map<String, String> more) {
    context.reporter((record, error) -> CompletableFuture.completedFuture(null));
    SnapshotterSinkTask task = new SnapshotterSinkTask(clock);
    task.initialize(context);
    Map<String, String> props = new HashMap<>();
    props.put("name", connector);
    props.put(TaskTelemetry.TASK_ID, "3");
    props.put("storage.filesystem.path", pages.toString());
    props.put("index.sqlite.path", indexFile().toString());
    props.put("buffer.max.events", "2");
    props.put("errors.tolerance", "all"); // with a dead letter queue, as Connect's reporter needs
    props.put("buffer.max.age.seconds", "10");
    props.put("metrics.top.writers", "2");
    props.putAll(more);
    task.start(props);
    task.open(Set.of(P0));
    return task;
  }

  static SinkRecord record(String key, String value, long offset) {
    return new SinkRecord(
        "events",
        0,
        Schema.OPTIONAL_STRING_SCHEMA,
        key,
        Schema.OPTIONAL_BYTES_SCHEMA,
        value.getBytes(StandardCharsets.UTF_8),
        offset,
        1000L + offset,
        TimestampType.CREATE_TIME,
        new ConnectHeaders());
  }

  static SinkRecord sessionEnd(String key, long offset) {
    ConnectHeaders headers = new ConnectHeaders();
    headers.addString("prism.session", "end");
    return new SinkRecord(
        "events",
        0,
        Schema.OPTIONAL_STRING_SCHEMA,
        key,
        Schema.OPTIONAL_BYTES_SCHEMA,
        new byte[0],
        offset,
        1000L + offset,
        TimestampType.CREATE_TIME,
        headers);
  }

  private static TaskMetrics metricsOf(String connector) {
    return SnapshotterMetrics.liveTasks().stream()
        .filter(t -> t.id().connector().equals(connector))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aKnownWorkloadGivesKnownValues() throws Exception {
    String connector = "workload-" + System.nanoTime();
    SnapshotterSinkTask task = start(connector);
    TaskMetrics metrics = metricsOf(connector);
    assertThat(metrics.id().task()).isEqualTo("3");

    // a: 0, 2 -> a page closed by count; b: 1 then its session ends at 3; a record without a
    // key (4) goes to the dead letter queue; d: 5 waits past the age limit.
    task.put(
        List.of(
            record("a", "1", 0),
            record("b", "2", 1),
            record("a", "3", 2),
            sessionEnd("b", 3),
            new SinkRecord("events", 0, null, null, null, "x".getBytes(StandardCharsets.UTF_8), 4),
            record("d", "4", 5)));
    clock.advance(11_000);
    task.put(List.of());
    // Two writers left buffered: e opened first, f is larger.
    task.put(List.of(record("e", "5", 6)));
    clock.advance(1_000);
    task.put(List.of(record("f", "a much longer event than e's", 7)));
    // Closed pages are stored on upload threads: they are all durable once the committable
    // offset reaches e's record (6), the first one still buffered.
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (task.preCommit(Map.of(P0, new OffsetAndMetadata(8)))
            .getOrDefault(P0, new OffsetAndMetadata(0))
            .offset()
        < 6) {
      assertThat(System.nanoTime()).as("three pages durable within 10 s").isLessThan(deadline);
      Thread.sleep(10);
    }

    assertThat(metrics.recordsInTotal()).isEqualTo(8);
    assertThat(metrics.pageWritesTotal()).isEqualTo(3);
    assertThat(metrics.eventsPagedTotal()).isEqualTo(4);
    assertThat(metrics.flushesTotal(FlushReason.EVENT_COUNT)).isEqualTo(1);
    assertThat(metrics.flushesTotal(FlushReason.SESSION_END)).isEqualTo(1);
    assertThat(metrics.flushesTotal(FlushReason.AGE)).isEqualTo(1);
    assertThat(metrics.flushesTotal(FlushReason.MEMORY)).isZero();
    assertThat(metrics.sessionDisconnectsTotal()).isEqualTo(1);
    assertThat(metrics.deadLettersTotal()).isEqualTo(1);
    assertThat(metrics.storageErrorsTotal()).isZero();
    assertThat(metrics.indexPublishErrorsTotal()).isZero();
    assertThat(metrics.storageRetriesTotal()).isZero();
    assertThat(metrics.pageSizeCount()).isEqualTo(3);
    assertThat(metrics.pageSizeBytesSum()).isEqualTo(metrics.storedBytes()).isPositive();
    assertThat(metrics.pageWriteCount()).isEqualTo(3);

    BufferSnapshot buffers = metrics.buffers();
    assertThat(buffers.activeWriters()).isEqualTo(2);
    assertThat(buffers.events()).isEqualTo(2);
    assertThat(buffers.oldestAgeMillis(clock.millis())).isEqualTo(1_000);
    assertThat(buffers.oldest()).extracting(WriterBuffer::writerId).containsExactly("e", "f");
    assertThat(buffers.largest()).extracting(WriterBuffer::writerId).containsExactly("f", "e");
    // Received up to 8; durable up to 6 (e's page holds 6): a gap of 2 records.
    assertThat(buffers.partitions())
        .singleElement()
        .satisfies(p -> assertThat(p.gap()).isEqualTo(2));

    String scrape = scrape();
    String labels = "connector=\"" + connector + "\",task=\"3\"";
    assertThat(value(scrape, "snapshotter_records_in_total", labels)).isEqualTo(8);
    assertThat(value(scrape, "snapshotter_page_writes_total", labels)).isEqualTo(3);
    assertThat(value(scrape, "snapshotter_events_paged_total", labels)).isEqualTo(4);
    assertThat(value(scrape, "snapshotter_flushes_total", labels + ",reason=\"session_end\""))
        .isEqualTo(1);
    assertThat(value(scrape, "snapshotter_session_disconnects_total", labels)).isEqualTo(1);
    assertThat(value(scrape, "snapshotter_dead_letter_records_total", labels)).isEqualTo(1);
    assertThat(value(scrape, "snapshotter_page_size_bytes_count", labels)).isEqualTo(3);
    assertThat(
            value(
                scrape,
                "snapshotter_buffer_event_count",
                labels + ",selection=\"task\",writer_id=\"\""))
        .isEqualTo(2);
    assertThat(
            value(
                scrape,
                "snapshotter_buffer_event_count",
                labels + ",selection=\"oldest\",writer_id=\"e\""))
        .isEqualTo(1);
    assertThat(
            value(
                scrape,
                "snapshotter_buffer_age_seconds",
                labels + ",selection=\"oldest\",writer_id=\"e\""))
        .isEqualTo(1);
    assertThat(
            value(
                scrape,
                "snapshotter_offset_gap_records",
                labels + ",topic=\"events\",partition=\"0\""))
        .isEqualTo(2);
    assertThat(value(scrape, "snapshotter_index_publish_queue_entries", labels)).isZero();
    assertThat(value(scrape, "snapshotter_index_background_publish_errors_total", labels)).isZero();

    var health = HealthEndpoint.BUFFERS.report(clock);
    assertThat(health.fields()).containsEntry("status", "healthy");
    var storage = HealthEndpoint.STORAGE.report(clock);
    assertThat(storage.fields())
        .containsEntry("status", "healthy")
        .containsEntry("write_success_rate", 1.0);

    task.stop();
    assertThat(SnapshotterMetrics.liveTasks()).noneMatch(t -> t.id().connector().equals(connector));
    assertThat(scrape()).doesNotContain(connector);
  }

  @Test
  void withAsyncPublishingTheQueueGaugeAndIndexHealthFollowTheIndexNotTheQueue() throws Exception {
    String connector = "async-" + System.nanoTime();
    SnapshotterSinkTask task = start(connector, Map.of("index.publish.mode", "async"));
    TaskMetrics metrics = metricsOf(connector);
    String labels = "connector=\"" + connector + "\",task=\"3\"";
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + indexFile());
        Statement statement = other.createStatement()) {
      statement.execute("BEGIN IMMEDIATE"); // another writer holds the index: its publishes wait
      task.put(List.of(record("a", "1", 0), record("a", "2", 1))); // a page closed by count

      Poll.until(
          "the page's entry queued",
          Duration.ofSeconds(10),
          () -> metrics.indexQueueEntries() == 1);
      assertThat(value(scrape(), "snapshotter_index_publish_queue_entries", labels)).isEqualTo(1);
      assertThat(metrics.indexHealth().successes()).as("nothing reached the index yet").isZero();
      assertThat(HealthEndpoint.INDEX.report(clock).fields())
          .containsEntry("publish_queue_entries", 1L);

      statement.execute("ROLLBACK");
      Poll.until(
          "the queue drained", Duration.ofSeconds(30), () -> metrics.indexQueueEntries() == 0);
      assertThat(metrics.indexHealth().items()).isEqualTo(1);
      assertThat(value(scrape(), "snapshotter_index_publish_queue_entries", labels)).isZero();
    } finally {
      task.stop();
    }
  }

  /**
   * The value of the one series of {@code name} whose labels are exactly {@code labels} (any
   * order).
   */
  static double value(String scrape, String name, String labels) {
    Set<String> wanted = Set.of(labels.split(","));
    Double found = null;
    for (String line : scrape.split("\n")) {
      if (!line.startsWith(name + "{")) {
        continue;
      }
      int close = line.lastIndexOf('}');
      if (Set.of(line.substring(name.length() + 1, close).split(",")).equals(wanted)) {
        assertThat(found).as("two series " + name + "{" + labels + "}").isNull();
        found = Double.parseDouble(line.substring(close + 1).trim());
      }
    }
    assertThat(found).as(name + "{" + labels + "} in the scrape").isNotNull();
    return found;
  }

  static String scrape() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, SnapshotterMetrics.REGISTRY.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
