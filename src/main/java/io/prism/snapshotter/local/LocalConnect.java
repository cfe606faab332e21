package io.prism.snapshotter.local;

import io.prism.snapshotter.connect.HealthRestExtension;
import io.prism.snapshotter.connect.TasksHealth;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.runtime.health.ConnectClusterStateImpl;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone Kafka Connect worker in this JVM ({@link ConnectStandalone}'s own start-up), running
 * the snapshotter connector. Source offsets go to {@code connect.offsets}; the sink's offsets are
 * committed to Kafka's consumer group, so a restart resumes where the stored pages end.
 */
final class LocalConnect implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalConnect.class);

  private final LocalPaths paths;
  private final String bootstrapServers;
  private final int restPort;
  private final Map<String, String> worker = new HashMap<>();
  private Connect<StandaloneHerder> connect;

  /** The name {@link Connect#start} gives its shutdown hook ({@link Exit#addShutdownHook}). */
  static final String CONNECT_SHUTDOWN_HOOK = "connect-shutdown-hook";

  /** How long a health check waits for the worker's answer about its connectors. */
  private static final long CLUSTER_STATE_TIMEOUT_MS = 10_000;

  /** How long the worker waits for the task's stop to store its open pages. */
  static final Duration TASK_STOP_GRACE = Duration.ofSeconds(30);

  LocalConnect(LocalPaths paths, String bootstrapServers, int restPort) {
    this.paths = paths;
    this.bootstrapServers = bootstrapServers;
    this.restPort = restPort;
  }

  String restUrl() {
    return "http://127.0.0.1:" + restPort;
  }

  void start(Map<String, String> connectorConfig) throws InterruptedException, ExecutionException {
    worker.put("bootstrap.servers", bootstrapServers);
    worker.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    worker.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    worker.put("offset.storage.file.filename", paths.connectOffsets().toString());
    worker.put("offset.flush.interval.ms", "5000");
    // The task's stop stores every open page (buffer.flush.on.disconnect). Connect gives a stopping
    // task task.shutdown.graceful.timeout.ms (5 s by default) and then cancels it: on a loaded
    // machine a Ctrl-C then cut the last pages short (nothing lost: their records are re-read at
    // the next start) and logged "Graceful stop of task ... failed" with interrupted consumers.
    worker.put(
        WorkerConfig.TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS_CONFIG,
        Long.toString(TASK_STOP_GRACE.toMillis()));
    worker.put("listeners", restUrl());
    // The connector is on the class path with a ServiceLoader manifest: no plugin scan, half the
    // memory.
    worker.put("plugin.discovery", "service_load");
    // /prism/health/* on the worker's REST port too, as on any worker with the extension.
    worker.put("rest.extension.classes", HealthRestExtension.class.getName());
    connect = startWithoutItsShutdownHook();
    FutureCallback<Herder.Created<ConnectorInfo>> created = new FutureCallback<>();
    connect
        .herder()
        .putConnectorConfig(LocalSettings.CONNECTOR_NAME, connectorConfig, true, created);
    try {
      created.get(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new ExecutionException(
          "the Connect worker did not create the connector within 60 s", e);
    }
    log.info(
        "Connect worker started at {} with connector {}", restUrl(), LocalSettings.CONNECTOR_NAME);
  }

  /**
   * Starts the worker as {@link ConnectStandalone} does, but for the JVM shutdown hook that {@link
   * Connect#start} adds to stop it: {@link LocalStack}'s own hook stops the parts in order (front
   * door, worker, broker). With both, a Ctrl-C ran the two at once, and the second {@link
   * Connect#stop} returns at once, before the worker has stopped (its {@code awaitStop} too): the
   * broker was stopped under the stopping sink task, whose consumer then logged an ERROR leaving
   * its group ("This is not the correct coordinator"), and whose last offset commit could fail
   * alike. Kafka's other hooks, if any, are added as usual.
   */
  private Connect<StandaloneHerder> startWithoutItsShutdownHook() {
    Exit.setShutdownHookAdder(
        (name, hook) -> {
          if (CONNECT_SHUTDOWN_HOOK.equals(name)) {
            log.debug("Kafka's {} left out: the local stack stops the worker", name);
          } else {
            Runtime.getRuntime().addShutdownHook(new Thread(hook, name));
          }
        });
    try {
      return new ConnectStandalone().startConnect(worker);
    } finally {
      // Nothing else in this process sets one: Kafka's default, which adds each hook.
      Exit.resetShutdownHookAdder();
    }
  }

  /**
   * The tasks part of the health checks on {@code http.listen}, as the REST extension adds it on a
   * worker: a failed or missing task of the connector makes them unhealthy, though no task of it
   * then runs in this process to report anything.
   */
  TasksHealth tasksHealth() {
    StandaloneHerder herder = connect.herder();
    return TasksHealth.of(
        new ConnectClusterStateImpl(CLUSTER_STATE_TIMEOUT_MS, herder::kafkaClusterId, herder),
        worker);
  }

  /** Stops the worker: the sink task's stop stores every open buffer first. */
  @Override
  public void close() {
    if (connect != null) {
      connect.stop();
      connect.awaitStop();
      connect = null;
      log.info("Connect worker stopped");
    }
  }
}
