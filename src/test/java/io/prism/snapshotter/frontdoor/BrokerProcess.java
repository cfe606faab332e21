package io.prism.snapshotter.frontdoor;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A real KRaft broker (combined broker and controller) in a child JVM, so a test can stop it and
 * start it again on the same port and data: what "Kafka is down for a while" looks like to a
 * client. Built from the test classpath; no download.
 */
final class BrokerProcess implements AutoCloseable {
  /**
   * The client id of this fixture's own admin clients, so that a test counting a front door's
   * admin-client lines can leave theirs out (they log too while the broker starts).
   */
  static final String ADMIN_CLIENT_ID = "broker-process-fixture";

  private final Path directory;
  private final Path properties;
  private final int port;
  private Process process;

  private BrokerProcess(Path directory, Path properties, int port) {
    this.directory = directory;
    this.properties = properties;
    this.port = port;
  }

  static BrokerProcess format(Path directory) throws Exception {
    int brokerPort = freePort();
    int controllerPort = freePort();
    Path properties = directory.resolve("server.properties");
    Files.writeString(
        properties,
        String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:"
                + brokerPort
                + ",CONTROLLER://127.0.0.1:"
                + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + directory.resolve("data"),
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=false",
            ""));
    BrokerProcess broker = new BrokerProcess(directory, properties, brokerPort);
    int formatted =
        broker
            .java(
                "kafka.tools.StorageTool",
                "format",
                "--standalone",
                "-t",
                UUID.randomUUID().toString().replace("-", "").substring(0, 22),
                "-c",
                properties.toString())
            .waitFor();
    if (formatted != 0) {
      throw new IllegalStateException(
          "formatting the broker's storage failed; see " + directory.resolve("broker.log"));
    }
    return broker;
  }

  String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** Starts the broker and waits until it answers. */
  void start() throws Exception {
    process = java("kafka.Kafka", properties.toString());
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG,
                ADMIN_CLIENT_ID,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                "5000",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                "2000"))) {
      while (true) {
        try {
          admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
          return;
        } catch (Exception notYet) {
          if (!process.isAlive() || System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "the broker did not start; see " + directory.resolve("broker.log"), notYet);
          }
          Thread.sleep(200);
        }
      }
    }
  }

  void createTopic(String name) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG,
                ADMIN_CLIENT_ID))) {
      admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
  }

  /** Stops the broker (SIGTERM, then SIGKILL after 20 s). */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor();
    }
  }

  private Process java(String mainClass, String... arguments) throws IOException {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                mainClass));
    command.addAll(List.of(arguments));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("broker.log").toFile()))
        .start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
