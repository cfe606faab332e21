package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prism.snapshotter.metrics.ObservabilityHttpServer;
import io.prism.snapshotter.testing.ManualClock;
import io.prism.snapshotter.testing.StubSinkTaskContext;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP endpoint the local run and the front door serve: a scrape of /metrics parsed by the
 * reference Prometheus text-format parser (Debian's python3-prometheus-client), with the values a
 * known workload implies; the health checks as JSON.
 */
class MetricsEndpointIT {
  static final TopicPartition P0 = new TopicPartition("events", 0);

  /** Prints every sample as {"name{k=v,...}": value}, labels sorted, as the parser read them. */
  static final String PARSER =
      String.join(
          "\n",
          "import sys, json",
          "from prometheus_client.parser import text_string_to_metric_families",
          "out = {}",
          "for family in text_string_to_metric_families(sys.stdin.read()):",
          "    for s in family.samples:",
          "        labels = ','.join(k + '=' + v for k, v in sorted(s.labels.items()))",
          "        out[s.name + '{' + labels + '}'] = s.value",
          "print(json.dumps(out))");

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aScrapeParsesWithThePrometheusParserAndHoldsTheWorkloadsValues() throws Exception {
    String connector = "endpoint-" + System.nanoTime();
    ManualClock clock = new ManualClock();
    StubSinkTaskContext context = new StubSinkTaskContext(Map.of(), Set.of(P0));
    context.reporter((record, error) -> CompletableFuture.completedFuture(null));
    SnapshotterSinkTask task = new SnapshotterSinkTask(clock);
    task.initialize(context);
    Map<String, String> props = new HashMap<>();
    props.put("name", connector);
    props.put(TaskTelemetry.TASK_ID, "0");
    props.put("storage.filesystem.path", dir.resolve("pages").toString());
    props.put("index.sqlite.path", dir.resolve("index.db").toString());
    props.put("buffer.max.events", "2");
    props.put("errors.tolerance", "all"); // with a dead letter queue, as Connect's reporter needs
    task.start(props);
    task.open(Set.of(P0));
    try (ObservabilityHttpServer server =
        ObservabilityHttpServer.start(new InetSocketAddress("127.0.0.1", 0))) {
      // 5 records of writer a: 2 pages closed by count, 1 event left open.
      task.put(
          List.of(
              TaskMetricsWorkloadTest.record("a", "1", 0),
              TaskMetricsWorkloadTest.record("a", "2", 1),
              TaskMetricsWorkloadTest.record("a", "3", 2),
              TaskMetricsWorkloadTest.record("a", "4", 3),
              TaskMetricsWorkloadTest.record("a", "5", 4)));
      // Closed pages are stored on upload threads: both are durable once the committable offset
      // reaches the open event (4); the gap is measured by that preCommit.
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (task.preCommit(Map.of(P0, new OffsetAndMetadata(5)))
              .getOrDefault(P0, new OffsetAndMetadata(0))
              .offset()
          < 4) {
        assertThat(System.nanoTime()).as("two pages durable within 10 s").isLessThan(deadline);
        Thread.sleep(10);
      }

      HttpResponse<String> scrape = get(server, "/metrics");
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
      JsonNode samples = parse(scrape.body());
      assertThat(sample(samples, connector, "snapshotter_records_in_total", "").asDouble())
          .isEqualTo(5);
      assertThat(sample(samples, connector, "snapshotter_page_writes_total", "").asDouble())
          .isEqualTo(2);
      assertThat(sample(samples, connector, "snapshotter_events_paged_total", "").asDouble())
          .isEqualTo(4);
      assertThat(sample(samples, connector, "snapshotter_flushes_total", "reason=count").asDouble())
          .isEqualTo(2);
      assertThat(sample(samples, connector, "snapshotter_page_size_bytes_count", "").asDouble())
          .isEqualTo(2);
      assertThat(
              sample(samples, connector, "snapshotter_page_size_bytes_bucket", "le=+Inf")
                  .asDouble())
          .isEqualTo(2);
      assertThat(
              sample(samples, connector, "snapshotter_page_write_duration_seconds_count", "")
                  .asDouble())
          .isEqualTo(2);
      assertThat(sample(samples, connector, "snapshotter_storage_errors_total", "").asDouble())
          .isZero();
      assertThat(
              sample(samples, connector, "snapshotter_index_publish_errors_total", "").asDouble())
          .isZero();
      assertThat(sample(samples, connector, "snapshotter_session_disconnects_total", "").asDouble())
          .isZero();
      assertThat(
              sample(
                      samples,
                      connector,
                      "snapshotter_buffer_event_count",
                      "selection=task,writer_id=")
                  .asDouble())
          .isEqualTo(1);
      assertThat(
              sample(
                      samples,
                      connector,
                      "snapshotter_buffer_event_count",
                      "selection=oldest,writer_id=a")
                  .asDouble())
          .isEqualTo(1);
      assertThat(
              sample(
                      samples,
                      connector,
                      "snapshotter_offset_gap_records",
                      "partition=0,topic=events")
                  .asDouble())
          .isEqualTo(1);
      assertThat(sample(samples, connector, "snapshotter_paused_partitions", "").asDouble())
          .isZero();

      JsonNode buffers = new ObjectMapper().readTree(get(server, "/health/buffers").body());
      assertThat(buffers.get("total_buffered_events").asLong()).isGreaterThanOrEqualTo(1);
      JsonNode storage = new ObjectMapper().readTree(get(server, "/health/storage").body());
      assertThat(storage.get("status").asText()).isEqualTo("healthy");
      assertThat(storage.get("backend").asText()).contains("filesystem");
      assertThat(get(server, "/health/nothing").statusCode()).isEqualTo(404);
    } finally {
      task.stop();
    }
  }

  /** The parsed sample {@code name} of task 0 with these extra labels ("k=v,k=v"; "" for none). */
  private static JsonNode sample(JsonNode samples, String connector, String name, String extra) {
    java.util.TreeMap<String, String> labels =
        new java.util.TreeMap<>(Map.of("connector", connector, "task", "0"));
    if (!extra.isEmpty()) {
      for (String pair : extra.split(",")) {
        labels.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
      }
    }
    StringBuilder key = new StringBuilder(name).append('{');
    labels.forEach(
        (k, v) ->
            key.append(key.charAt(key.length() - 1) == '{' ? "" : ",")
                .append(k)
                .append('=')
                .append(v));
    JsonNode value = samples.get(key.append('}').toString());
    assertThat(value)
        .as(key + " among the parsed samples " + samples.fieldNames().next() + "...")
        .isNotNull();
    return value;
  }

  private HttpResponse<String> get(ObservabilityHttpServer server, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Debian's python3 (where python3-prometheus-client lives), even when another comes first on
   * PATH.
   */
  static String python() {
    return java.nio.file.Files.isExecutable(Path.of("/usr/bin/python3"))
        ? "/usr/bin/python3"
        : "python3";
  }

  private static JsonNode parse(String scrape) throws Exception {
    Process python = new ProcessBuilder(python(), "-c", PARSER).redirectErrorStream(true).start();
    python.getOutputStream().write(scrape.getBytes(StandardCharsets.UTF_8));
    python.getOutputStream().close();
    String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(python.exitValue())
        .as("the Prometheus parser rejected the scrape:\n" + out + "\n" + scrape)
        .isZero();
    return new ObjectMapper().readTree(out);
  }
}
