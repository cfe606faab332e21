package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prism.snapshotter.testing.CapturedLogs;
import io.prism.snapshotter.testing.ConnectTestCluster;
import io.prism.snapshotter.testing.RestartableS3;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The task's metrics in the worker's JMX (Kafka plugin metrics), the health checks under the
 * worker's REST API (the REST extension) with true values, a storage outage seen by
 * /prism/health/storage, and secrets in no log line through it all. Two workers, so that a task
 * failed on one of them shows on that worker's checks and in the cluster view, not on the other
 * worker's (both run in this JVM, so the checks' own fields cover the tasks of both).
 */
class ObservabilityIT {
  static final String CLICKHOUSE_PASSWORD = "clickhouse-password-do-not-log";
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static CapturedLogs logs;
  static RestartableS3 s3;
  static ConnectTestCluster cluster;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    logs = CapturedLogs.capture();
    s3 = RestartableS3.start();
    s3.createBucket("pages");
    cluster =
        ConnectTestCluster.start(
            2, Map.of("rest.extension.classes", HealthRestExtension.class.getName()));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      cluster.close();
      s3.close();
    } finally {
      logs.close();
    }
  }

  static Map<String, String> connector(String topic) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", SnapshotterSinkConnector.class.getName());
    config.put("tasks.max", "1");
    config.put("topics", topic);
    config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    config.put("header.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("buffer.max.events", "10");
    config.put("buffer.max.age.seconds", "600");
    config.put("index.sqlite.path", dir.resolve(topic + "-index.db").toString());
    return config;
  }

  static void produce(String topic, int writers, int perWriter) {
    try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
      for (int i = 0; i < perWriter; i++) {
        for (int w = 0; w < writers; w++) {
          producer.send(
              new ProducerRecord<>(
                  topic,
                  ("writer-" + w).getBytes(StandardCharsets.UTF_8),
                  ("event " + i).getBytes(StandardCharsets.UTF_8)));
        }
      }
      producer.flush();
    }
  }

  @AfterEach
  void deleteConnector() {
    if (cluster.connect().connectors().contains(ConnectTestCluster.CONNECTOR)) {
      cluster.connect().deleteConnector(ConnectTestCluster.CONNECTOR);
    }
  }

  static JsonNode health(String check) throws Exception {
    return health(URI.create(cluster.connect().endpointForResource("prism/health/" + check)));
  }

  /** A check of one worker, {@code check} with its query if any ({@code storage?scope=cluster}). */
  static JsonNode health(WorkerHandle worker, String check) throws Exception {
    return health(on(worker, "prism/health/" + check));
  }

  static JsonNode health(URI uri) throws Exception {
    String check = uri.getPath().substring(uri.getPath().lastIndexOf('/') + 1);
    HttpResponse<String> response =
        HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(response.body());
    assertThat(response.statusCode())
        .as(check + ": " + body)
        .isEqualTo("unhealthy".equals(body.path("status").asText()) ? 503 : 200);
    return body;
  }

  static double jmx(String attribute, String extraKey) throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    Set<ObjectName> names =
        server.queryNames(
            new ObjectName(
                "kafka.connect:type=plugins,connector="
                    + ConnectTestCluster.CONNECTOR
                    + ",task=0"
                    + extraKey
                    + ",*"),
            null);
    for (ObjectName name : names) {
      for (var info : server.getMBeanInfo(name).getAttributes()) {
        if (info.getName().equals(attribute)) {
          return ((Number) server.getAttribute(name, attribute)).doubleValue();
        }
      }
    }
    throw new AssertionError(
        "no MBean of the task has "
            + attribute
            + extraKey
            + "; plugin MBeans: "
            + server.queryNames(new ObjectName("kafka.connect:type=plugins,*"), null));
  }

  @Test
  void aKnownWorkloadShowsInJmxAndInTheWorkersHealthChecks() throws Exception {
    String topic = "observed";
    cluster.createTopic(topic, 1);
    Map<String, String> config = connector(topic);
    config.put("storage.backend", "filesystem");
    config.put("storage.filesystem.path", dir.resolve("pages").toString());
    cluster.startConnector(config);
    cluster.awaitGroupAssigned(1, 1, Duration.ofSeconds(60));
    // 5 writers x 20 events in pages of 10: 10 pages, every one closed by count; nothing left open.
    produce(topic, 5, 20);
    cluster.assertTopicHolds(topic, 1, 100);
    cluster.awaitAllCommitted(topic, 1, Duration.ofSeconds(60));

    assertThat(jmx("records-in-total", "")).isEqualTo(100);
    assertThat(jmx("events-paged-total", "")).isEqualTo(100);
    assertThat(jmx("page-writes-total", "")).isEqualTo(10);
    assertThat(jmx("flushes-total", ",reason=count")).isEqualTo(10);
    assertThat(jmx("flushes-total", ",reason=age")).isZero();
    assertThat(jmx("storage-errors-total", "")).isZero();
    assertThat(jmx("index-background-publish-errors-total", "")).isZero();
    assertThat(jmx("index-publish-queue-entries", "")).isZero();
    assertThat(jmx("uploads-in-progress", "")).isZero(); // every page durable: none being stored
    assertThat(jmx("upload-queue-pages", "")).isZero();
    assertThat(jmx("dead-letter-records-total", "")).isZero();
    assertThat(jmx("page-size-avg-bytes", "")).isPositive();
    ConnectTestCluster.await(
        "the buffers surveyed empty",
        Duration.ofSeconds(30),
        () -> {
          try {
            return jmx("buffer-event-count", "") == 0 && jmx("offset-gap-records", "") == 0;
          } catch (Exception e) {
            return false;
          }
        });

    JsonNode buffers = health("buffers");
    assertThat(buffers.get("status").asText()).isEqualTo("healthy");
    assertThat(buffers.get("active_writers").asLong()).isZero();
    assertThat(buffers.get("total_buffered_events").asLong()).isZero();
    assertThat(buffers.get("total_buffer_size_bytes").asLong()).isZero();
    assertThat(buffers.get("oldest_buffer_age_seconds").asLong()).isZero();
    assertThat(buffers.get("writers_exceeding_age_limit").asLong()).isZero();
    JsonNode storage = health("storage");
    assertThat(storage.get("backend").asText()).isEqualTo("filesystem");
    assertThat(storage.get("status").asText()).isEqualTo("healthy");
    assertThat(storage.get("write_success_rate").asDouble()).isEqualTo(1.0);
    assertThat(storage.get("writes").asLong()).isEqualTo(10);
    assertThat(storage.get("avg_write_latency_ms").asDouble()).isPositive();
    assertThat(java.time.Instant.parse(storage.get("last_write_success").asText()))
        .isBefore(java.time.Instant.now());
    JsonNode index = health("index");
    assertThat(index.get("backend").asText()).isEqualTo("sqlite");
    assertThat(index.get("status").asText()).isEqualTo("healthy");
    assertThat(index.get("publish_success_rate").asDouble()).isEqualTo(1.0);
    assertThat(index.get("index_entry_count").asLong()).isEqualTo(10);
    assertThat(index.get("last_publish_success").isTextual()).isTrue();
    assertThat(index.get("avg_publish_latency_ms").asDouble()).isPositive();
    assertThat(index.get("publish_queue_entries").asLong()).isZero();
    // What the cluster expects: the connector's one task (tasks.max), running.
    assertThat(index.get("connectors"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.get("name").asText()).isEqualTo(ConnectTestCluster.CONNECTOR);
              assertThat(c.get("state").asText()).isEqualTo("RUNNING");
              assertThat(c.get("expected_tasks").asInt()).isEqualTo(1);
              assertThat(c.get("running_tasks").asInt()).isEqualTo(1);
            });
    assertThat(index.get("reasons")).isEmpty();
  }

  /**
   * A task that failed for good leaves its worker with no snapshotter task: the checks over the
   * worker's tasks have nothing to report, but the cluster expects one task, so every check of that
   * worker says unhealthy and why. The other worker's checks stay healthy (a readiness probe on it
   * keeps it in service); asked for the whole cluster (?scope=cluster), any worker says unhealthy.
   * With the connector deleted nothing is expected any more.
   */
  @Test
  void aConnectorWhoseTaskFailedIsUnhealthyOnItsWorkerAndInTheClusterView() throws Exception {
    String topic = "failing";
    cluster.createTopic(topic, 1);
    Map<String, String> config = connector(topic);
    config.put("storage.backend", "filesystem");
    config.put("storage.filesystem.path", dir.resolve("failing-pages").toString());
    cluster.startConnector(config);
    cluster.awaitGroupAssigned(1, 1, Duration.ofSeconds(60));
    ConnectTestCluster.await(
        "the task running", Duration.ofSeconds(30), () -> status("storage").equals("healthy"));

    // No key, so no writer id, and no dead letter queue: the task fails for good.
    try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
      producer.send(new ProducerRecord<>(topic, null, "keyless".getBytes(StandardCharsets.UTF_8)));
      producer.flush();
    }
    ConnectTestCluster.await(
        "the task failed",
        Duration.ofSeconds(60),
        () -> cluster.taskStates().stream().anyMatch(state -> state.startsWith("FAILED")));
    String failedOn =
        cluster.connect().connectorStatus(ConnectTestCluster.CONNECTOR).tasks().get(0).workerId();
    WorkerHandle failedWorker = worker(failedOn);
    WorkerHandle otherWorker =
        cluster.connect().workers().stream().filter(w -> w != failedWorker).findFirst().get();
    for (String check : List.of("buffers", "storage", "index")) {
      JsonNode body = health(failedWorker, check);
      assertThat(body.get("status").asText()).as(check).isEqualTo("unhealthy");
      assertThat(body.get("scope").asText()).isEqualTo("worker");
      assertThat(body.get("worker_id").asText()).isEqualTo(failedOn);
      assertThat(body.get("tasks").asInt()).as(check + ": tasks in this JVM").isZero();
      assertThat(body.get("reasons"))
          .as(check)
          .singleElement()
          .satisfies(
              reason ->
                  assertThat(reason.asText())
                      .startsWith(
                          "task 0 of connector '"
                              + ConnectTestCluster.CONNECTOR
                              + "' failed on worker "
                              + failedOn)
                      .contains("no writer id"));
      assertThat(body.get("connectors").get(0).get("running_tasks").asInt()).isZero();
      assertThat(body.get("connectors").get(0).get("tasks_on_this_worker").asInt()).isOne();

      JsonNode other = health(otherWorker, check);
      assertThat(other.get("status").asText())
          .as("the other worker's " + check)
          .isEqualTo("healthy");
      assertThat(other.get("worker_id").asText()).isEqualTo(id(otherWorker));
      assertThat(other.get("reasons")).isEmpty();
      assertThat(other.get("connectors").get(0).get("tasks_on_this_worker").asInt()).isZero();

      JsonNode whole = health(otherWorker, check + "?scope=cluster");
      assertThat(whole.get("status").asText()).as("the cluster's " + check).isEqualTo("unhealthy");
      assertThat(whole.get("scope").asText()).isEqualTo("cluster");
      assertThat(whole.get("reasons"))
          .singleElement()
          .satisfies(
              reason -> assertThat(reason.asText()).contains("failed on worker " + failedOn));
    }
    HttpResponse<String> badScope =
        HTTP.send(
            HttpRequest.newBuilder(on(otherWorker, "prism/health/storage?scope=all")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(badScope.statusCode()).isEqualTo(400);
    assertThat(badScope.body()).contains("scope 'all' is neither worker");

    deleteConnector();
    ConnectTestCluster.await(
        "nothing expected once deleted",
        Duration.ofSeconds(30),
        () -> status(failedWorker, "storage?scope=cluster").equals("healthy"));
    assertThat(health(failedWorker, "storage").get("connectors")).isEmpty();
  }

  /** The worker Connect names {@code workerId} (host:port of its advertised URL) in states. */
  static WorkerHandle worker(String workerId) {
    return cluster.connect().workers().stream()
        .filter(w -> id(w).equals(workerId))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no worker " + workerId + " among " + cluster.connect().workers()));
  }

  static URI on(WorkerHandle worker, String resource) {
    return URI.create(worker.url().toString().replaceAll("/$", "") + "/" + resource);
  }

  static String id(WorkerHandle worker) {
    return worker.url().getHost() + ":" + worker.url().getPort();
  }

  @Test
  void aStorageOutageTurnsStorageUnhealthyAndItsRecoveryHealthyAgainWithNoSecretLogged()
      throws Exception {
    String topic = "outage";
    cluster.createTopic(topic, 1);
    Map<String, String> config = connector(topic);
    config.put("storage.backend", "s3");
    config.put("storage.s3.bucket", "pages");
    config.put("storage.s3.endpoint", s3.endpoint());
    config.put("storage.s3.region", "us-east-1");
    config.put("storage.s3.path.style", "true");
    config.put("storage.s3.access.key", RestartableS3.ACCESS_KEY);
    config.put("storage.s3.secret.key", RestartableS3.SECRET_KEY);
    config.put("index.clickhouse.password", CLICKHOUSE_PASSWORD);
    cluster.startConnector(config);
    cluster.awaitGroupAssigned(1, 1, Duration.ofSeconds(60));
    produce(topic, 2, 10);
    cluster.awaitAllCommitted(topic, 1, Duration.ofSeconds(60));
    assertThat(health("storage").get("status").asText()).isEqualTo("healthy");

    s3.stop();
    produce(topic, 2, 10);
    ConnectTestCluster.await(
        "storage unhealthy", Duration.ofSeconds(90), () -> status("storage").equals("unhealthy"));
    JsonNode down = health("storage");
    assertThat(down.get("write_success_rate").asDouble()).isLessThan(1.0);
    assertThat(down.get("backend").asText()).isEqualTo("s3");
    assertThat(health("buffers").get("total_buffered_events").asLong()).isPositive();

    s3.restart();
    ConnectTestCluster.await(
        "storage healthy again",
        Duration.ofSeconds(120),
        () -> status("storage").equals("healthy"));
    cluster.awaitAllCommitted(topic, 1, Duration.ofSeconds(60));
    assertThat(jmx("storage-retries-total", "")).isPositive();
    assertThat(jmx("storage-errors-total", "")).isPositive();

    // Configuration errors that carry the secrets: through the worker's validation, and a task
    // started by hand with a broken S3 setting.
    Map<String, String> broken = new HashMap<>(config);
    broken.put("page.format", "no-such-format");
    broken.put("index.backend", "clickhouse");
    broken.put("index.clickhouse.url", "not a url " + CLICKHOUSE_PASSWORD.length());
    cluster
        .connect()
        .validateConnectorConfig(SnapshotterSinkConnector.class.getSimpleName(), broken);
    Map<String, String> badTask = new HashMap<>(config);
    badTask.put("storage.s3.endpoint", "::not a uri::");
    try {
      SnapshotterSinkTask task = new SnapshotterSinkTask();
      task.start(badTask);
      task.stop();
    } catch (ConfigException | IllegalArgumentException expected) {
      org.slf4j.LoggerFactory.getLogger(ObservabilityIT.class)
          .error("A task with a bad config failed to start", expected);
    }
    deleteConnector();

    // The embedded cluster's own test kit (EmbeddedConnect) logs its REST requests and responses,
    // configs included; a production worker has no such logger, so its lines are left out.
    var lines =
        logs.lines().stream()
            .filter(
                line ->
                    !line.split(" ", 3)[1].startsWith("org.apache.kafka.connect.util.clusters."))
            .toList();
    assertThat(lines).as("captured log lines").hasSizeGreaterThan(100);
    assertThat(lines)
        .anySatisfy(line -> assertThat(line).contains("Committing " + topic + "-0 at offset"));
    assertThat(lines)
        .anySatisfy(
            line -> assertThat(line).contains("WARN").contains("retrying in").contains("writer-"));
    // One line per retry in Connect's log; the stack trace only with the first retry of the outage
    // (and with any other kind of failure), not with every one.
    assertThat(lines.stream().filter(line -> line.contains("RetriableException from SinkTask")))
        .as("Connect's ERROR at each retry")
        .isNotEmpty()
        .allSatisfy(line -> assertThat(line).contains("will retry").doesNotContain("\tat "));
    List<String> retries =
        lines.stream()
            .filter(line -> line.startsWith("WARN " + StorageFailures.class.getName()))
            .toList();
    assertThat(retries).as("the task's WARN at each retry").hasSizeGreaterThanOrEqualTo(2);
    assertThat(retries.stream().filter(line -> line.contains("\tat ")).count())
        .as("retries logged with a stack trace, of " + retries.size())
        .isPositive()
        .isLessThan(retries.size());
    assertThat(lines).noneSatisfy(line -> assertThat(line).contains(RestartableS3.SECRET_KEY));
    assertThat(lines).noneSatisfy(line -> assertThat(line).contains(CLICKHOUSE_PASSWORD));
  }

  /**
   * An idle connector writes nothing, so only the probe of the idle store can see that the store
   * went away: storage turns unhealthy within the probe interval (1 s here), and healthy again once
   * the store is back, with no page written meanwhile.
   */
  @Test
  void anIdleConnectorsStorageHealthFollowsTheStoreThroughItsProbe() throws Exception {
    String topic = "idle";
    cluster.createTopic(topic, 1);
    Map<String, String> config = connector(topic);
    config.put("storage.backend", "s3");
    config.put("storage.s3.bucket", "pages");
    config.put("storage.s3.endpoint", s3.endpoint());
    config.put("storage.s3.region", "us-east-1");
    config.put("storage.s3.path.style", "true");
    config.put("storage.s3.access.key", RestartableS3.ACCESS_KEY);
    config.put("storage.s3.secret.key", RestartableS3.SECRET_KEY);
    config.put("metrics.health.probe.interval.seconds", "1");
    cluster.startConnector(config);
    cluster.awaitGroupAssigned(1, 1, Duration.ofSeconds(60));
    produce(topic, 2, 10);
    cluster.awaitAllCommitted(topic, 1, Duration.ofSeconds(60));
    ConnectTestCluster.await(
        "the idle store probed",
        Duration.ofSeconds(30),
        () -> {
          try {
            return health("storage").get("last_probe").isTextual();
          } catch (Exception e) {
            return false;
          }
        });
    JsonNode before = health("storage");
    assertThat(before.get("status").asText()).isEqualTo("healthy");
    assertThat(before.get("probe_failure").isNull()).isTrue();
    long writes = before.get("writes").asLong();
    assertThat(writes).isEqualTo(2);

    s3.stop();
    try {
      ConnectTestCluster.await(
          "storage unhealthy while idle",
          Duration.ofSeconds(30),
          () -> status("storage").equals("unhealthy"));
      JsonNode down = health("storage");
      assertThat(down.get("probe_failure").asText())
          .startsWith("probe of the idle object store s3://pages");
      assertThat(down.get("writes").asLong()).as("no page written").isEqualTo(writes);
      assertThat(down.get("write_failures").asLong()).as("a probe is not a write").isZero();
      assertThat(down.get("reasons")).isEmpty(); // the task itself runs
      assertThat(health("buffers").get("total_buffered_events").asLong()).isZero();
    } finally {
      s3.restart();
    }
    ConnectTestCluster.await(
        "storage healthy again", Duration.ofSeconds(60), () -> status("storage").equals("healthy"));
    JsonNode up = health("storage");
    assertThat(up.get("probe_failure").isNull()).isTrue();
    assertThat(up.get("writes").asLong()).isEqualTo(writes);
  }

  static String status(String check) {
    try {
      return health(check).path("status").asText();
    } catch (Exception e) {
      return "unreachable: " + e;
    }
  }

  static String status(WorkerHandle worker, String check) {
    try {
      return health(worker, check).path("status").asText();
    } catch (Exception e) {
      return "unreachable: " + e;
    }
  }
}
