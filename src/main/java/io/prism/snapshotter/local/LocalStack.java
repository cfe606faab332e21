package io.prism.snapshotter.local;

import io.prism.snapshotter.frontdoor.FrontDoorConfig;
import io.prism.snapshotter.frontdoor.FrontDoorServer;
import io.prism.snapshotter.frontdoor.ListenAddress;
import io.prism.snapshotter.metrics.ObservabilityHttpServer;
import io.prism.snapshotter.preflight.Check;
import io.prism.snapshotter.preflight.ConfigChecks;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one process on loopback: a Kafka broker, a Connect worker running the
 * snapshotter, and the gRPC front door publishing to topic {@value LocalSettings#TOPIC}.
 *
 * <p>Start order is broker, topics, worker, front door; {@link #close()} goes the other way: the
 * front door drains its calls, the worker's stop stores every open buffer (the connector's {@code
 * buffer.flush.on.disconnect}), then the broker stops. A SIGKILL loses nothing acknowledged either:
 * acknowledged events are in Kafka, and the sink commits only offsets of stored pages.
 */
public final class LocalStack implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

  private final LocalSettings settings;

  /** The ports of this start: 0 settings get free ports that differ from each other. */
  private final FreePorts ports = new FreePorts();

  private LocalBroker broker;
  private LocalConnect connect;
  private FrontDoorServer frontDoor;
  private ObservabilityHttpServer http;

  public LocalStack(LocalSettings settings) {
    this.settings = settings;
  }

  /**
   * The connector's own validation, as the worker runs it when the connector is created: said
   * before a broker is started for nothing, and without the worker's wrapping.
   */
  private void requireValidConnectorSettings() {
    List<String> problems =
        ConfigChecks.run(settings.connector()).checks().stream()
            .filter(Check::failed)
            .map(Check::detail)
            .distinct() // a problem across keys is listed under each key
            .toList();
    if (!problems.isEmpty()) {
      throw new ConfigException(String.join("; ", problems));
    }
  }

  /**
   * Starts each part in turn.
   *
   * @throws LocalStartException a part did not start; the message says which, where, why and what
   *     to do (the caller closes what did start)
   */
  public void start() throws LocalStartException {
    LocalPaths paths = settings.paths();
    step(
        "the connector's settings are not valid",
        "fix them in --config FILE or with --set KEY=VALUE",
        () -> {
          requireValidConnectorSettings();
          return null;
        });
    step(
        "cannot create the data directory " + paths.data(),
        "give --data a directory this user can write",
        () -> {
          if (Files.exists(paths.data()) && !Files.isDirectory(paths.data())) {
            throw new IOException("it is a file, not a directory");
          }
          Files.createDirectories(paths.data());
          return Files.createDirectories(paths.pages());
        });
    int kafkaPort = port(LocalSettings.KAFKA_PORT);
    int controllerPort = port(LocalSettings.CONTROLLER_PORT);
    broker = new LocalBroker(paths, kafkaPort, controllerPort, QuietKafkaLog.debugRequested());
    step(
        "the Kafka broker did not start on 127.0.0.1:"
            + kafkaPort
            + " (controller 127.0.0.1:"
            + controllerPort
            + ", log directory "
            + paths.kafka()
            + ")",
        "if another process holds a port, stop it or choose another with --set "
            + LocalSettings.KAFKA_PORT
            + "=PORT or "
            + LocalSettings.CONTROLLER_PORT
            + "=PORT (0: any free port); SNAPSHOTTER_LOG_LEVEL=debug shows Kafka's own log",
        () -> {
          broker.start();
          return null;
        });
    Map<String, Integer> topics = new LinkedHashMap<>();
    topics.put(LocalSettings.TOPIC, settings.partitions());
    String dlq = settings.connector().get("errors.deadletterqueue.topic.name");
    if (dlq != null && !dlq.isBlank()) {
      topics.put(dlq, 1);
    }
    step(
        "the Kafka broker at " + broker.bootstrapServers() + " did not create the topics " + topics,
        null,
        () -> {
          broker.createTopics(topics);
          return null;
        });

    step(
        "cannot write the connector's settings to " + paths.connectorProperties(),
        "give --data a directory this user can write",
        () -> {
          writeConnectorProperties();
          return null;
        });
    int connectPort = port(LocalSettings.CONNECT_PORT);
    connect = new LocalConnect(paths, broker.bootstrapServers(), connectPort);
    step(
        "the Connect worker (REST API on 127.0.0.1:"
            + connectPort
            + ") did not start the connector",
        "check the connector settings it names, and if another process holds the port, stop it or"
            + " choose another with --set "
            + LocalSettings.CONNECT_PORT
            + "=PORT (0: any free port)",
        () -> {
          connect.start(settings.connector());
          return null;
        });

    Map<String, String> frontDoorSettings = new HashMap<>(settings.frontDoor());
    frontDoorSettings.put("bootstrap.servers", broker.bootstrapServers());
    FrontDoorConfig frontDoorConfig =
        step(
            "the front door's settings are not valid",
            "fix the setting named",
            () -> new FrontDoorConfig(frontDoorSettings));
    frontDoor =
        step(
            "the front door did not start on " + address(frontDoorConfig.listen()),
            "if another process holds the port, stop it or choose another with --set "
                + FrontDoorConfig.LISTEN
                + "=127.0.0.1:PORT (0: any free port)",
            () -> FrontDoorServer.start(frontDoorConfig));
    // The broker and topic are up already: this is a moment, and the welcome's "Try:" then works.
    boolean serving =
        step(
            "the front door was interrupted while reaching the local Kafka broker",
            null,
            () -> frontDoor.awaitServing(Duration.ofSeconds(60)));
    if (!serving) {
      log.warn("The front door has not reached the local Kafka broker yet; it keeps trying");
    }
    http =
        step(
            "the metrics and health endpoint did not start on "
                + address(frontDoorConfig.httpListen()),
            "if another process holds the port, stop it or choose another with --set "
                + FrontDoorConfig.HTTP_LISTEN
                + "=127.0.0.1:PORT (0: any free port)",
            () ->
                ObservabilityHttpServer.start(
                    frontDoorConfig.httpListen().socketAddress(),
                    Map.of(FrontDoorServer.HTTP_HEALTH_PATH, frontDoor::httpHealth),
                    connect.tasksHealth()::addTo));
  }

  private static String address(ListenAddress address) {
    return address.host() + ":" + address.port();
  }

  /** One part of the start-up, which may fail in any way. */
  @FunctionalInterface
  private interface Step<T> {
    T run() throws Exception;
  }

  /** Runs a part; its failure becomes a sentence: {@code what} failed, why, then {@code advice}. */
  private static <T> T step(String what, String advice, Step<T> step) throws LocalStartException {
    try {
      return step.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LocalStartException.of(what, e, "interrupted");
    } catch (Exception e) {
      throw LocalStartException.of(what, e, advice);
    }
  }

  /** A port setting, a free one for 0. */
  private int port(String key) throws LocalStartException {
    int port = settings.port(key);
    try {
      return ports.pick(port);
    } catch (IOException e) {
      throw LocalStartException.of("cannot find a free port for " + key, e, null);
    }
  }

  /** Prints where everything is and three commands to try. */
  public void printWelcome(PrintStream out) {
    LocalPaths paths = settings.paths();
    String frontDoorAddress = "127.0.0.1:" + frontDoor.port();
    String config = paths.connectorProperties().toString();
    out.println(
        "Prism Snapshotter local stack is up (data in "
            + paths.data()
            + "). Ctrl-C stores every buffer and stops.");
    out.println(
        "  kafka       " + broker.bootstrapServers() + "  (topic " + LocalSettings.TOPIC + ")");
    out.println(
        "  connect     "
            + connect.restUrl()
            + "  (connector "
            + LocalSettings.CONNECTOR_NAME
            + ")");
    out.println("  front door  " + frontDoorAddress);
    out.println("  pages       " + paths.pages());
    out.println(
        "  metrics     http://127.0.0.1:"
            + http.port()
            + "/metrics  (health: /health/buffers, /health/storage, /health/index,"
            + " /health/frontdoor)");
    out.println("Try:");
    out.println(
        "  printf 'hello\\nworld\\n' | bin/snapshotter publish --writer demo --session --target "
            + frontDoorAddress);
    out.println("  bin/snapshotter pages list --writer demo --config " + config);
    out.println("  bin/snapshotter replay --writer demo --config " + config);
    out.flush();
  }

  /** Runs until the JVM is asked to stop (SIGINT, SIGTERM), then closes everything in order. */
  public void runUntilStopped() throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    close();
                  } finally {
                    stopped.countDown();
                  }
                },
                "local-stack-shutdown"));
    stopped.await();
  }

  @Override
  public synchronized void close() {
    if (http != null) {
      http.close();
      http = null;
    }
    if (frontDoor != null) {
      frontDoor.close();
      frontDoor = null;
    }
    if (connect != null) {
      connect.close();
      connect = null;
    }
    if (broker != null) {
      broker.close();
      broker = null;
    }
    log.info("Local stack stopped");
  }

  /**
   * The connector's effective settings, so {@code replay --config} and {@code pages} read the same
   * store.
   */
  private void writeConnectorProperties() {
    Properties p = new Properties();
    p.putAll(new TreeMap<>(settings.connector()));
    try {
      // Owner-only: the settings may carry secrets (S3 keys, tokens, index passwords).
      OwnerOnlyFile.write(
          settings.paths().connectorProperties(),
          w ->
              p.store(
                  w,
                  "The local stack's connector settings (written at every start): use with replay"
                      + " --config"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
