package io.prism.snapshotter.frontdoor;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.prism.snapshotter.metrics.HealthEndpoint;
import io.prism.snapshotter.metrics.HealthStatus;
import io.prism.snapshotter.metrics.ObservabilityHttpServer;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front door: a gRPC server on Netty with the publish service (behind token auth and the
 * malformed-request check), the standard health service and server reflection, writing through one
 * idempotent Kafka producer, replaced when it breaks for good (health NOT_SERVING meanwhile).
 * {@link #close()} drains in-flight calls, then flushes and closes the producer, so nothing
 * acknowledged is lost on shutdown.
 */
public final class FrontDoorServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FrontDoorServer.class);

  /** {@code /health/frontdoor} on {@code http.listen}: see {@link #httpHealth}. */
  public static final String HTTP_HEALTH_PATH = "frontdoor";

  /** Headroom above the payload limit for the rest of a message (attributes, batch framing). */
  private static final int MIN_INBOUND_MESSAGE_BYTES = 16 * 1024 * 1024;

  private final Server server;
  private final ProducerSupervisor producers;
  private final EventProducer producer;
  private final HealthStatusManager health;
  private final Duration shutdownGrace;
  private final String topic;
  private final KafkaCheck check;
  private final AtomicBoolean closed = new AtomicBoolean();

  private FrontDoorServer(
      Server server,
      ProducerSupervisor producers,
      EventProducer producer,
      HealthStatusManager health,
      Duration grace,
      String topic,
      KafkaCheck check) {
    this.topic = topic;
    this.check = check;
    this.server = server;
    this.producers = producers;
    this.producer = producer;
    this.health = health;
    this.shutdownGrace = grace;
  }

  /** Starts against the Kafka cluster named in the config. */
  public static FrontDoorServer start(FrontDoorConfig config) throws IOException {
    return start(
        config,
        () -> new KafkaProducer<>(config.producerSettings()),
        new AdminKafkaCheck(config.producerSettings(), config.topic(), config.kafkaCheckInterval()),
        Clock.systemUTC());
  }

  /**
   * {@link #start(FrontDoorConfig, Supplier, KafkaCheck, Clock)} without a {@link KafkaCheck}
   * (tests with producers that are no real cluster's): Kafka going silent after the start does not
   * change health, and after a refusal new producers are tried on trial.
   */
  static FrontDoorServer start(
      FrontDoorConfig config, Supplier<Producer<String, byte[]>> producers, Clock clock)
      throws IOException {
    return start(config, producers, KafkaCheck.NONE, clock);
  }

  /**
   * Starts with producers from {@code producers}: one at once, and a new one whenever the one in
   * use breaks for good. The front door owns and closes them, and {@code check}. It serves (health
   * SERVING) once Kafka has answered the first producer ({@link #awaitServing}); until then calls
   * are refused UNAVAILABLE, and a Kafka that is not up yet, or a topic not created yet, is waited
   * for. Afterwards {@code check} tells when Kafka has gone silent (NOT_SERVING meanwhile) and when
   * a refused permission is granted again.
   */
  static FrontDoorServer start(
      FrontDoorConfig config,
      Supplier<Producer<String, byte[]>> producers,
      KafkaCheck check,
      Clock clock)
      throws IOException {
    HealthStatusManager health = new HealthStatusManager();
    setHealth(health, false); // the manager starts SERVING; not before Kafka has answered
    ProducerSupervisor supervisor =
        new ProducerSupervisor(
            producers,
            config.topic(),
            String.valueOf(config.producerSettings().get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)),
            config.producerReplaceBackoff(),
            config.producerReplaceBackoffMax(),
            usable -> setHealth(health, usable),
            new RepeatedLogLimit(ProducerSupervisor.REPEATED_LOG_INTERVAL),
            check,
            config.kafkaCheckInterval(),
            config.kafkaUnansweredMax());
    EventProducer producer =
        new EventProducer(supervisor, config.topic(), config.headerNames(), clock);
    try {
      PublishService service =
          new PublishService(
              producer,
              new InputRules(config.limits(), config.headerNames()),
              new InFlightLimit(config.maxInFlightEvents()),
              config.sessionWindow());
      ServerServiceDefinition publish = MalformedRequestInterceptor.wrap(service.bindService());
      Optional<Path> tokens = config.authTokensFile();
      if (tokens.isPresent()) {
        publish =
            ServerInterceptors.intercept(
                publish, new TokenAuthInterceptor(BearerTokens.load(tokens.get())));
      }
      publish =
          ServerInterceptors.intercept(
              publish, new RequestMetricsInterceptor()); // outermost: counts refusals too
      Server server =
          NettyServerBuilder.forAddress(config.listen().socketAddress(), credentials(config))
              .addService(publish)
              .addService(health.getHealthService())
              .addService(ProtoReflectionServiceV1.newInstance())
              // Room for one largest event and more; not for a largest batch (1,000 events of
              // 1 MiB would be a 1 GB message held in memory): docs/FRONTDOOR.md says to split.
              .maxInboundMessageSize(
                  (int)
                      Math.min(
                          Integer.MAX_VALUE,
                          Math.max(
                              MIN_INBOUND_MESSAGE_BYTES,
                              config.limits().largestRecordBytes() + (1 << 20))))
              .build()
              .start();
      log.info(
          "Front door listening on {}:{} (TLS {}, client auth {}, token auth {}), topic {},"
              + " headers {} and {}",
          config.listen().host(),
          server.getPort(),
          config.tlsEnabled() ? "on" : "off",
          config.clientAuth().configName(),
          tokens.isPresent() ? "on" : "off",
          config.topic(),
          config.headerNames().eventId(),
          config.headerNames().session());
      config.warnings().forEach(warning -> log.warn("Front door settings: {}", warning));
      supervisor.start(); // NOT_SERVING until Kafka has answered the first producer
      return new FrontDoorServer(
          server, supervisor, producer, health, config.shutdownGrace(), config.topic(), check);
    } catch (IOException | RuntimeException e) {
      producer.close(Duration.ZERO);
      throw e;
    }
  }

  /**
   * The publish service, and the server as a whole (what a probe without a service name asks), are
   * SERVING while a Kafka producer is in use, NOT_SERVING before Kafka answered the first one,
   * while a broken one is being replaced, and while Kafka has not answered for {@code
   * frontdoor.kafka.unanswered.max.ms}.
   */
  private static void setHealth(HealthStatusManager health, boolean usable) {
    ServingStatus status = usable ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    health.setStatus(PubSubBasicInterfaceGrpc.SERVICE_NAME, status);
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
  }

  private static ServerCredentials credentials(FrontDoorConfig config) throws IOException {
    if (!config.tlsEnabled()) {
      return InsecureServerCredentials.create();
    }
    TlsServerCredentials.Builder tls =
        TlsServerCredentials.newBuilder()
            .keyManager(
                config.tlsCertFile().orElseThrow().toFile(),
                config.tlsKeyFile().orElseThrow().toFile());
    Optional<Path> clientCa = config.tlsClientCaFile();
    if (clientCa.isPresent()) {
      tls.trustManager(clientCa.get().toFile());
    }
    tls.clientAuth(
        config.clientAuth() == ClientAuth.REQUIRE
            ? TlsServerCredentials.ClientAuth.REQUIRE
            : TlsServerCredentials.ClientAuth.NONE);
    return tls.build();
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return server.getPort();
  }

  /**
   * The front door's readiness for {@code /health/frontdoor} on {@code http.listen}: healthy (HTTP
   * 200) while gRPC health says SERVING, unhealthy (503) otherwise, with the reason. For probes
   * that do not speak gRPC (a Kubernetes readiness probe with httpGet). Serving with its Kafka
   * check off (no admin client could be made: Kafka going silent is not noticed) is degraded (200),
   * the check's field saying why.
   */
  public HealthEndpoint.Report httpHealth() {
    Optional<String> notServing =
        closed.get() ? Optional.of("stopping") : producers.notServingBecause();
    Optional<String> checkOff = check.off();
    HealthStatus status =
        notServing.isPresent()
            ? HealthStatus.UNHEALTHY
            : checkOff.isPresent() ? HealthStatus.DEGRADED : HealthStatus.HEALTHY;
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("status", status.label());
    fields.put("serving", notServing.isEmpty());
    fields.put("topic", topic);
    fields.put("reason", notServing.orElse(null));
    fields.put("kafka_check", checkOff.map(why -> "off: " + why).orElse("on"));
    return new HealthEndpoint.Report(status, fields);
  }

  /**
   * Waits until the front door served once (Kafka answered its first producer); false if it did not
   * within {@code timeout}.
   */
  public boolean awaitServing(Duration timeout) throws InterruptedException {
    return producers.awaitFirstInUse(timeout);
  }

  /** Blocks until the server has shut down. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /**
   * Stops taking calls, lets in-flight calls finish for up to the grace period (then cancels them),
   * and flushes and closes the producer.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("In-flight calls did not finish within {}; cancelling them", shutdownGrace);
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    producer.flush();
    producer.close();
    log.info("Front door stopped");
  }

  /**
   * What {@link #runUntilStopped} prints once both servers listen: where, and how to stop it. gRPC
   * health says SERVING only once Kafka answers; this line says the ports are open.
   */
  static String listeningLine(FrontDoorConfig config, int grpcPort, int httpPort) {
    return "frontdoor: listening on "
        + config.listen().host()
        + ":"
        + grpcPort
        + " (gRPC, "
        + (config.tlsEnabled() ? "TLS" : "plaintext")
        + ", topic "
        + config.topic()
        + "), metrics on http://"
        + config.httpListen().host()
        + ":"
        + httpPort
        + "/metrics and health on /health/"
        + HTTP_HEALTH_PATH
        + "; Ctrl-C or SIGTERM stops it";
  }

  /**
   * Runs until the JVM is asked to stop (Ctrl-C, SIGTERM); for {@code bin/snapshotter frontdoor}.
   */
  public static int runUntilStopped(Path configFile, PrintStream status) {
    FrontDoorConfig config;
    FrontDoorServer server;
    ObservabilityHttpServer http;
    try {
      config = FrontDoorConfig.load(configFile);
      server = start(config);
      try {
        http =
            ObservabilityHttpServer.start(
                config.httpListen().socketAddress(), Map.of(HTTP_HEALTH_PATH, server::httpHealth));
      } catch (IOException e) {
        server.close();
        throw new UncheckedIOException(
            "could not serve metrics on "
                + FrontDoorConfig.HTTP_LISTEN
                + "="
                + config.httpListen().host()
                + ":"
                + config.httpListen().port(),
            e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the front door from " + configFile, e);
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  http.close();
                },
                "frontdoor-shutdown"));
    // The commands log warnings only: without this line nothing says the front door is up, or
    // where (port 0 picks a free port).
    status.println(listeningLine(config, server.port(), http.port()));
    try {
      server.awaitTermination();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
