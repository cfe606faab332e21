package io.prism.snapshotter.chaos;

import io.prism.snapshotter.testing.ClickHouseProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deployment a user runs, as separate processes on loopback: a KRaft Kafka broker ({@code
 * kafka.Kafka}), S3Proxy (its standalone jar, filesystem backend), two Connect workers in
 * distributed mode with the unpacked plugin zip on their plugin.path, and the front door ({@code
 * bin/snapshotter frontdoor}). ClickHouse is the one bin/lib/services.sh started. Ports are fixed
 * at construction, so a restarted process comes back at the same address.
 */
final class ChaosDeployment implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChaosDeployment.class);

  static final String TOPIC = "events";
  static final int PARTITIONS = 4;
  static final String CONNECTOR = "prism-snapshotter";
  static final String BUCKET = "chaos-pages";
  static final String S3_ID = "chaos";
  static final String S3_SECRET = "chaos-secret";

  /** The heap each worker gets; the run checks that the workers stay within it. */
  static final int WORKER_HEAP_MB = 384;

  private final Path root;
  private final Path dir;
  private final ChaosSettings settings;
  private final int brokerPort = freePort();
  private final int controllerPort = freePort();
  private final int s3Port = freePort();

  /** The front door's metrics and health endpoint: never the default 8080, which may be taken. */
  private final int frontDoorHttpPort = freePort();

  private final int frontDoorPort = freePort();
  private final List<Integer> workerPorts = List.of(freePort(), freePort());
  private final String clickHouseDatabase = "prism_chaos_" + System.currentTimeMillis();

  final ChildProcess broker;
  final ChildProcess s3proxy;
  final List<ChildProcess> workers = new ArrayList<>();
  final ChildProcess frontDoor;
  final ClickHouseProcess clickHouse;
  private final URI clickHouseUrl;

  ChaosDeployment(Path root, Path dir, ChaosSettings settings) throws IOException {
    this.root = root;
    this.dir = dir;
    this.settings = settings;
    this.clickHouse = new ClickHouseProcess(settings.clickHouseDir(), settings.clickHouseUrl());
    this.clickHouseUrl = settings.clickHouseUrl();
    Files.createDirectories(dir.resolve("logs"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String kafkaClassPath = Files.readString(root.resolve("target/runtime-classpath.txt")).trim();
    Path log4j = writeLog4j();

    Path brokerProps = writeBrokerProperties();
    broker =
        new ChildProcess(
            "broker",
            start ->
                List.of(
                    java,
                    "-Xmx384m",
                    "-XX:+ExitOnOutOfMemoryError",
                    "-Dlog4j2.configurationFile=" + log4j,
                    "-Dchaos.log=" + logFile("broker", start),
                    "-cp",
                    kafkaClassPath,
                    "kafka.Kafka",
                    brokerProps.toString()),
            Map.of(),
            logs());

    Path s3conf = writeS3ProxyConf();
    Path logback = dir.resolve("s3proxy-logback.xml");
    Files.writeString(logback, "<configuration><root level=\"WARN\"/></configuration>\n");
    s3proxy =
        new ChildProcess(
            "s3proxy",
            start ->
                List.of(
                    java,
                    "-Xmx256m",
                    "-Dlogback.configurationFile=" + logback,
                    "-jar",
                    settings.s3proxyJar().toString(),
                    "--properties",
                    s3conf.toString()),
            Map.of(),
            logs());

    Path plugins = unpackPlugin();
    for (int w = 0; w < workerPorts.size(); w++) {
      String name = "worker-" + (char) ('a' + w);
      Path props = writeWorkerProperties(name, workerPorts.get(w), plugins);
      workers.add(
          new ChildProcess(
              name,
              start ->
                  List.of(
                      java,
                      "-Xmx" + WORKER_HEAP_MB + "m",
                      "-XX:+ExitOnOutOfMemoryError",
                      "-Xlog:gc:file=" + gcLog(name, start),
                      "-Dlog4j2.configurationFile=" + log4j,
                      "-Dchaos.log=" + logFile(name, start),
                      "-cp",
                      kafkaClassPath,
                      "org.apache.kafka.connect.cli.ConnectDistributed",
                      props.toString()),
              Map.of(),
              logs()));
    }

    Path frontDoorProps = writeFrontDoorProperties();
    frontDoor =
        new ChildProcess(
            "frontdoor",
            start ->
                List.of(
                    root.resolve("bin/snapshotter").toString(),
                    "frontdoor",
                    "--config",
                    frontDoorProps.toString()),
            Map.of("SNAPSHOTTER_SKIP_BUILD", "1", "SNAPSHOTTER_JAVA_OPTS", "-Xmx160m"),
            logs());
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> processes().forEach(ChildProcess::killNow), "chaos-children-cleanup"));
  }

  Path logs() {
    return dir.resolve("logs");
  }

  Path gcLog(String worker, int start) {
    return logs().resolve(worker + "-" + start + "-gc.log");
  }

  Path logFile(String name, int start) {
    return logs().resolve(name + "-" + start + ".log");
  }

  String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  String frontDoorTarget() {
    return "127.0.0.1:" + frontDoorPort;
  }

  URI workerUrl(int worker) {
    return URI.create("http://127.0.0.1:" + workerPorts.get(worker));
  }

  /** The connector's settings, also what replay and the checks open storage and the index with. */
  Map<String, String> connectorConfig() {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("connector.class", "io.prism.snapshotter.connect.SnapshotterSinkConnector");
    c.put("tasks.max", "2");
    c.put("topics", TOPIC);
    c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    c.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    c.put("header.converter", "org.apache.kafka.connect.storage.StringConverter");
    c.put("writer.key.source", "key");
    c.put("buffer.max.events", "200");
    c.put("buffer.max.age.seconds", "2");
    c.put("buffer.memory.max.bytes", Long.toString(64L << 20));
    c.put("page.format", "protobuf");
    c.put("page.compression", "zstd");
    c.put("storage.backend", "s3");
    c.put("storage.s3.bucket", BUCKET);
    c.put("storage.s3.region", "us-east-1");
    c.put("storage.s3.endpoint", "http://127.0.0.1:" + s3Port);
    c.put("storage.s3.path.style", "true");
    c.put("storage.s3.access.key", S3_ID);
    c.put("storage.s3.secret.key", S3_SECRET);
    c.put("index.backend", "clickhouse");
    c.put("index.publish.mode", "sync");
    c.put("index.clickhouse.url", clickHouseUrl.toString());
    c.put("index.clickhouse.database", clickHouseDatabase);
    return c;
  }

  String clickHouseTable() {
    return clickHouseDatabase + ".pages";
  }

  /** Starts everything in dependency order and configures the connector over REST. */
  void start() throws Exception {
    broker.start();
    await("the broker", Duration.ofSeconds(90), this::brokerAnswers, broker);
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1)))
          .all()
          .get(60, TimeUnit.SECONDS);
    }
    s3proxy.start();
    await("S3Proxy", Duration.ofSeconds(60), this::s3Answers, s3proxy);
    for (int w = 0; w < workers.size(); w++) {
      workers.get(w).start();
    }
    for (int w = 0; w < workers.size(); w++) {
      int worker = w;
      await(
          workers.get(w).name() + "'s REST API",
          Duration.ofSeconds(120),
          () -> workerAnswers(worker),
          workers.get(w));
    }
    configureConnector();
    await(
        "both connector tasks RUNNING",
        Duration.ofSeconds(120),
        () -> runningTasks() == 2,
        workers.get(0));
    frontDoor.start();
    await("the front door", Duration.ofSeconds(60), this::frontDoorListens, frontDoor);
    log.info(
        "deployment up: broker {}, front door {}, workers {} and {}",
        bootstrapServers(),
        frontDoorTarget(),
        workerUrl(0),
        workerUrl(1));
  }

  Admin admin() {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            15_000,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            5_000));
  }

  void configureConnector() throws Exception {
    StringBuilder json = new StringBuilder("{");
    for (Map.Entry<String, String> e : connectorConfig().entrySet()) {
      json.append(json.length() > 1 ? "," : "")
          .append('"')
          .append(e.getKey())
          .append("\":\"")
          .append(e.getValue().replace("\\", "\\\\").replace("\"", "\\\""))
          .append('"');
    }
    json.append('}');
    HttpResponse<String> response =
        http(
            HttpRequest.newBuilder(
                    URI.create(workerUrl(0) + "/connectors/" + CONNECTOR + "/config"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json.toString())));
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          "configuring the connector failed: HTTP "
              + response.statusCode()
              + " "
              + response.body());
    }
  }

  /** Tasks the cluster reports RUNNING, asked of whichever worker answers; -1 when none does. */
  int runningTasks() {
    for (int w = 0; w < workers.size(); w++) {
      try {
        HttpResponse<String> status =
            http(
                HttpRequest.newBuilder(
                        URI.create(workerUrl(w) + "/connectors/" + CONNECTOR + "/status"))
                    .GET());
        if (status.statusCode() == 200) {
          return countOccurrences(status.body(), "\"state\":\"RUNNING\"")
              - 1; // less the connector's own
        }
      } catch (IOException | RuntimeException e) {
        // that worker is down: ask the other
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    }
    return -1;
  }

  boolean workerAnswers(int worker) {
    try {
      return http(HttpRequest.newBuilder(workerUrl(worker)).GET()).statusCode() == 200;
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  boolean brokerAnswers() {
    try (Admin admin = admin()) {
      admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  boolean s3Answers() {
    return listens(s3Port);
  }

  boolean frontDoorListens() {
    return listens(frontDoorPort);
  }

  private static boolean listens(int port) {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Waits for {@code ready}; fails at once, naming the process and its output, if the process died.
   */
  static void await(String what, Duration limit, BooleanSupplier ready, ChildProcess process)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!ready.getAsBoolean()) {
      if (process != null && !process.alive()) {
        throw new IllegalStateException("waiting for " + what + ": " + process.describeExit());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + " not ready within " + limit.toSeconds() + " s");
      }
      Thread.sleep(250);
    }
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static HttpResponse<String> http(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return HTTP.send(
        request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int countOccurrences(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  private Path writeLog4j() throws IOException {
    Path file = dir.resolve("log4j2.properties");
    Files.writeString(
        file,
        String.join(
            "\n",
            "rootLogger.level=INFO",
            "rootLogger.appenderRef.f.ref=F",
            "appender.f.type=File",
            "appender.f.name=F",
            "appender.f.fileName=${sys:chaos.log}",
            "appender.f.layout.type=PatternLayout",
            "appender.f.layout.pattern=%d{HH:mm:ss.SSS} %p [%t] %c{1} %m%n",
            // Kafka's own chatter at WARN; the connector's classes at INFO (their refusals are
            // counted).
            "logger.kafka.name=kafka",
            "logger.kafka.level=WARN",
            "logger.apache.name=org.apache.kafka",
            "logger.apache.level=WARN",
            "logger.connect.name=org.apache.kafka.connect.runtime.WorkerSinkTask",
            "logger.connect.level=INFO",
            "logger.aws.name=software.amazon",
            "logger.aws.level=WARN",
            "logger.ch.name=com.clickhouse",
            "logger.ch.level=WARN",
            ""));
    return file;
  }

  private Path writeBrokerProperties() throws IOException {
    Path logDirs = dir.resolve("kafka");
    Path file = dir.resolve("server.properties");
    Files.writeString(
        file,
        String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:"
                + brokerPort
                + ",CONTROLLER://127.0.0.1:"
                + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + logDirs,
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=3",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "num.partitions=1",
            "log.segment.bytes=" + (64 << 20),
            "log.index.size.max.bytes=" + (1 << 20),
            ""));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process format =
        new ProcessBuilder(
                java,
                "-Xmx128m",
                "-cp",
                Files.readString(root.resolve("target/runtime-classpath.txt")).trim(),
                "kafka.tools.StorageTool",
                "format",
                "-t",
                Uuid.randomUuid().toString(),
                "-c",
                file.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("logs/storage-format.out").toFile())
            .start();
    try {
      if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
        throw new IOException(
            "formatting the broker's log directory failed: see "
                + dir.resolve("logs/storage-format.out"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while formatting", e);
    }
    return file;
  }

  private Path writeS3ProxyConf() throws IOException {
    Path data = Files.createDirectories(dir.resolve("s3"));
    Files.createDirectories(data.resolve(BUCKET));
    Path file = dir.resolve("s3proxy.conf");
    Files.writeString(
        file,
        String.join(
            "\n",
            "s3proxy.endpoint=http://127.0.0.1:" + s3Port,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + S3_ID,
            "s3proxy.credential=" + S3_SECRET,
            "jclouds.provider=filesystem",
            "jclouds.filesystem.basedir=" + data,
            ""));
    return file;
  }

  private Path writeWorkerProperties(String name, int port, Path plugins) throws IOException {
    Path file = dir.resolve(name + ".properties");
    Files.writeString(
        file,
        String.join(
            "\n",
            "bootstrap.servers=" + bootstrapServers(),
            "group.id=chaos-connect",
            "config.storage.topic=chaos-connect-configs",
            "offset.storage.topic=chaos-connect-offsets",
            "status.storage.topic=chaos-connect-status",
            "config.storage.replication.factor=1",
            "offset.storage.replication.factor=1",
            "offset.storage.partitions=3",
            "status.storage.replication.factor=1",
            "status.storage.partitions=1",
            "key.converter=org.apache.kafka.connect.storage.StringConverter",
            "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter",
            "plugin.path=" + plugins,
            "plugin.discovery=service_load",
            "listeners=http://127.0.0.1:" + port,
            "rest.advertised.host.name=127.0.0.1",
            "rest.advertised.port=" + port,
            "offset.flush.interval.ms=1000",
            // Fence a dead or frozen worker out in seconds, not minutes: the run injects many
            // faults.
            "session.timeout.ms=10000",
            "heartbeat.interval.ms=2000",
            "scheduled.rebalance.max.delay.ms=10000",
            "consumer.session.timeout.ms=10000",
            "consumer.heartbeat.interval.ms=2000",
            "consumer.max.poll.records=500",
            ""));
    return file;
  }

  private Path writeFrontDoorProperties() throws IOException {
    Path file = dir.resolve("frontdoor.properties");
    Files.writeString(
        file,
        String.join(
            "\n",
            "frontdoor.listen=" + frontDoorTarget(),
            "http.listen=127.0.0.1:" + frontDoorHttpPort,
            "frontdoor.topic=" + TOPIC,
            "frontdoor.shutdown.grace.ms=2000",
            "bootstrap.servers=" + bootstrapServers(),
            "max.block.ms=5000",
            "request.timeout.ms=5000",
            "delivery.timeout.ms=15000",
            ""));
    return file;
  }

  /** target/prism-snapshotter-plugin.zip, unpacked as a user does into the workers' plugin.path. */
  private Path unpackPlugin() throws IOException {
    Path zip = root.resolve("target/prism-snapshotter-plugin.zip");
    if (!Files.isRegularFile(zip)) {
      throw new IOException(zip + " is missing: `mvn -B -DskipTests package` builds it");
    }
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    try (InputStream in = Files.newInputStream(zip);
        ZipInputStream entries = new ZipInputStream(in)) {
      for (ZipEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
        Path target = plugins.resolve(entry.getName()).normalize();
        if (!target.startsWith(plugins)) {
          throw new IOException("zip entry escapes the plugin directory: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(entries, target);
        }
      }
    }
    return plugins;
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }

  /** Every process, in the order they are stopped: clients of a service before the service. */
  private List<ChildProcess> processes() {
    List<ChildProcess> all = new ArrayList<>();
    all.add(frontDoor);
    all.addAll(workers);
    all.add(s3proxy);
    all.add(broker);
    return all;
  }

  @Override
  public void close() {
    for (ChildProcess process : processes()) {
      try {
        process.stop(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        log.warn("stopping {} failed: {}", process.name(), e.toString());
      }
    }
  }
}
