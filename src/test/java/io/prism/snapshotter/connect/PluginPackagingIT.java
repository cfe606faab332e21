package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.testing.ConnectTestCluster;
import io.prism.snapshotter.testing.KafkaJvmLeftovers;
import io.prism.snapshotter.testing.StoredPages;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The plugin archive, unzipped into a stock worker's plugin.path, runs the connector from
 * config/connector.properties: a standalone worker in a separate JVM whose class path is a Kafka
 * distribution's (connect-runtime of that version and what it depends on, nothing of ours), for
 * every version in the build's {@code stock.worker.versions} — Connect 3.x workers included, which
 * lack APIs the connector is compiled against (plugin metrics, KIP-877) or name them differently
 * (javax instead of jakarta REST).
 */
class PluginPackagingIT {
  private static final Duration WORKER_START = Duration.ofSeconds(120);
  private static EmbeddedKafkaCluster kafka;
  private static KafkaJvmLeftovers kafkaLeftovers;

  @TempDir Path work;

  @BeforeAll
  static void startKafka() {
    kafkaLeftovers = KafkaJvmLeftovers.record();
    kafka = new EmbeddedKafkaCluster(1, new Properties());
    kafka.start();
  }

  @AfterAll
  static void stopKafka() {
    try {
      kafka.stop();
    } finally {
      kafka = null; // this class stays loaded for every IT after it (one fork): let the broker go
      kafkaLeftovers.close();
    }
  }

  static Stream<String> stockWorkers() {
    String versions = System.getProperty("stock.worker.versions");
    assertThat(versions).as("stock.worker.versions, set by the build (pom.xml)").isNotBlank();
    return Arrays.stream(versions.split(",")).map(String::trim);
  }

  @ParameterizedTest(name = "Kafka Connect {0}")
  @MethodSource("stockWorkers")
  void theZippedPluginRunsInAStockStandaloneWorker(String version) throws Exception {
    Path zip = Paths.get("target", "prism-snapshotter-plugin.zip");
    assertThat(zip).as("mvn package builds the plugin archive").exists();
    Path plugins = Files.createDirectories(work.resolve("plugins"));
    List<String> entries = unzip(zip, plugins);
    assertThat(entries)
        .contains("prism-snapshotter/manifest.json", "prism-snapshotter/etc/connector.properties");
    assertThat(entries)
        .anyMatch(name -> name.matches("prism-snapshotter/lib/prism-snapshotter-.*\\.jar"));
    assertThat(entries)
        .as("AWS's default credentials chain needs STS for web identity (EKS) and role profiles")
        .anyMatch(name -> name.matches("prism-snapshotter/lib/sts-.*\\.jar"));
    assertThat(entries)
        .noneMatch(
            name ->
                name.matches(
                    ".*/lib/(kafka|connect-|slf4j|log4j|logback|reload4j|jakarta.ws.rs).*"));

    String topic = "events-" + version.replace('.', '-');
    kafka.createTopic(topic, 1);
    kafka.createTopic(topic + "-dlq", 1); // else the worker logs an ERROR that it creates it
    Path pages = work.resolve("pages");
    Path log = work.resolve("worker.log");
    Path workerProps = work.resolve("worker.properties");
    Files.writeString(
        workerProps,
        String.join(
            "\n",
            "bootstrap.servers=" + kafka.bootstrapServers(),
            "offset.storage.file.filename=" + work.resolve("offsets"),
            "offset.flush.interval.ms=1000",
            "key.converter=org.apache.kafka.connect.storage.StringConverter",
            "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter",
            "plugin.path=" + plugins,
            "listeners=http://127.0.0.1:0",
            // Service-loader discovery from 3.6 on (older workers scan the plugin's classes
            // instead).
            atLeast(version, 3, 6) ? "plugin.discovery=service_load" : "",
            // The health checks under the REST API: jakarta.ws.rs from 4.0 on, javax.ws.rs before.
            "rest.extension.classes=" + HealthRestExtension.class.getName(),
            ""));
    Properties connector = new Properties();
    try (var in = Files.newBufferedReader(Paths.get("config", "connector.properties"))) {
      connector.load(in);
    }
    connector.setProperty("topics", topic);
    connector.setProperty("errors.deadletterqueue.topic.name", topic + "-dlq");
    connector.setProperty("storage.filesystem.path", pages.toString());
    connector.setProperty("index.sqlite.path", work.resolve("index.db").toString());
    connector.setProperty("buffer.max.age.seconds", "1");
    Path connectorProps = work.resolve("connector.properties");
    try (var out = Files.newBufferedWriter(connectorProps)) {
      connector.store(out, "config/connector.properties with a temporary storage path");
    }

    int jmxPort = freePort();
    Process worker = startWorker(version, workerProps, connectorProps, log, jmxPort);
    try {
      String restUrl = awaitRestAddress(worker, log);
      try (KafkaProducer<byte[], byte[]> producer = kafka.createProducer(java.util.Map.of())) {
        for (int i = 0; i < 100; i++) {
          producer.send(
              new ProducerRecord<>(
                  topic,
                  ("w" + i % 5).getBytes(StandardCharsets.UTF_8),
                  ("event " + i).getBytes(StandardCharsets.UTF_8)));
        }
      }
      ConnectTestCluster.await(
          "100 events in pages on Connect " + version + " (worker log: " + log + ")",
          Duration.ofSeconds(90),
          () -> {
            assertThat(worker.isAlive()).as("worker process alive; output in " + work).isTrue();
            return Files.isDirectory(pages) && eventCount(pages) == 100;
          });
      // Workers before 3.6 scan every class of the plugin and warn (ClassNotFoundException) about
      // optional dependencies of its libraries that are not there: harmless. A missing API is not.
      String workerLog = Files.readString(log);
      assertThat(workerLog)
          .contains("SnapshotterSinkConnector")
          .doesNotContain(
              "NoClassDefFoundError", "NoSuchMethodError", "AbstractMethodError", "LinkageError");
      assertThat(workerLog.lines().filter(line -> line.contains(" ERROR ")))
          .as("errors in the worker log " + log)
          .isEmpty();

      // The worker validates a config through the connector's ConfigDef and cross-key checks,
      // each error on its key: what a user sees in the REST API or a UI before creating it.
      String validation =
          validate(
              restUrl,
              "{\"name\":\"checked\",\"connector.class\":\""
                  + SnapshotterSinkConnector.class.getName()
                  + "\",\"topics\":\"t\",\"page.compression\":\"lz4\",\"buffer.max.events\":\"0\","
                  + "\"buffer.max.age.secs\":\"10\"}");
      assertThat(validation).contains("\"error_count\":3");
      assertThat(errorsOf(validation, "page.compression")).contains("lz4");
      assertThat(errorsOf(validation, "buffer.max.events")).isNotEqualTo("[]");
      // A setting the connector does not have counts as an error on every worker version, so a
      // misspelt key is refused rather than ignored.
      assertThat(errorsOf(validation, "buffer.max.age.secs"))
          .contains("did you mean buffer.max.age.seconds?");

      // The task's metrics, in the worker's JMX under the same names whatever its version:
      // plugin metrics from 4.1 on, registered by the task itself before.
      assertThat(
              jmxAttribute(
                  jmxPort,
                  "kafka.connect:type=plugins,connector="
                      + connector.getProperty("name")
                      + ",task=0",
                  "events-paged-total"))
          .isEqualTo(100.0);

      HttpResponse<String> storage =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(restUrl + "/prism/health/storage")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(storage.statusCode()).as(storage.body()).isEqualTo(200);
      assertThat(storage.body())
          .contains("\"backend\":\"filesystem\"")
          .contains("\"status\":\"healthy\"")
          .contains("\"tasks\":1")
          .doesNotContain("\"writes\":0,");
      HttpResponse<String> unknown =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(restUrl + "/prism/health/nope")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(unknown.body()).contains("no health check named nope");
      // Jersey (java.util.logging, to stderr) warns at start about a resource registered as an
      // instance, that it "will be ignored"; ours are registered as classes.
      assertThat(Files.readString(work.resolve("worker.out")))
          .doesNotContainPattern("HealthResource .*will be ignored");
    } finally {
      worker.destroy();
      if (!worker.waitFor(20, TimeUnit.SECONDS)) {
        worker.destroyForcibly();
      }
    }
  }

  private Process startWorker(
      String version, Path workerProps, Path connectorProps, Path log, int jmxPort)
      throws IOException {
    // Both logging backends are configured; the worker's version uses the one it ships with.
    Path log4j2 = work.resolve("log4j2.properties");
    Files.writeString(
        log4j2,
        "rootLogger.level=INFO\nrootLogger.appenderRef.f.ref=F\nappender.f.type=File\n"
            + "appender.f.name=F\nappender.f.fileName="
            + log
            + "\nappender.f.layout.type=PatternLayout\n"
            + "appender.f.layout.pattern=%d %p %c{1} %m%n\n");
    Path log4j1 = work.resolve("log4j.properties");
    Files.writeString(
        log4j1,
        "log4j.rootLogger=INFO, F\nlog4j.appender.F=org.apache.log4j.FileAppender\n"
            + "log4j.appender.F.File="
            + log
            + "\nlog4j.appender.F.layout=org.apache.log4j.PatternLayout\n"
            + "log4j.appender.F.layout.ConversionPattern=%d %p %c{1} %m%n\n");
    return new ProcessBuilder(
            javaBinary(),
            "-Xmx256m",
            "-Dcom.sun.management.jmxremote.port=" + jmxPort,
            "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
            "-Dcom.sun.management.jmxremote.host=127.0.0.1",
            "-Djava.rmi.server.hostname=127.0.0.1",
            "-Dcom.sun.management.jmxremote.authenticate=false",
            "-Dcom.sun.management.jmxremote.ssl=false",
            "-Dlog4j2.configurationFile=" + log4j2,
            "-Dlog4j.configuration=" + log4j1.toUri(),
            "-cp",
            stockWorkerClassPath(version),
            "org.apache.kafka.connect.cli.ConnectStandalone",
            workerProps.toString(),
            connectorProps.toString())
        .redirectErrorStream(true)
        .redirectOutput(work.resolve("worker.out").toFile())
        .start();
  }

  private String awaitRestAddress(Process worker, Path log) {
    Pattern listening = Pattern.compile("REST server listening at (http://\\S+?)/?[,\\s]");
    String[] found = new String[1];
    ConnectTestCluster.await(
        "the worker's REST address in " + log,
        WORKER_START,
        () -> {
          assertThat(worker.isAlive()).as("worker process alive; output in " + work).isTrue();
          try {
            Matcher rest = listening.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (rest.find()) {
              found[0] = rest.group(1);
            }
          } catch (IOException e) {
            return false;
          }
          return found[0] != null;
        });
    return found[0];
  }

  /** One attribute of the first MBean matching {@code name}{@code ,*} in the worker's JMX. */
  private static double jmxAttribute(int port, String name, String attribute) throws Exception {
    JMXServiceURL url =
        new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
    try (JMXConnector connector = JMXConnectorFactory.connect(url)) {
      MBeanServerConnection server = connector.getMBeanServerConnection();
      Set<ObjectName> found = server.queryNames(new ObjectName(name + ",*"), null);
      assertThat(found)
          .as(
              "MBeans "
                  + name
                  + " in the worker; plugin MBeans: "
                  + server.queryNames(new ObjectName("kafka.connect:type=plugins,*"), null))
          .isNotEmpty();
      for (ObjectName bean : found) {
        for (var info : server.getMBeanInfo(bean).getAttributes()) {
          if (info.getName().equals(attribute)) {
            return ((Number) server.getAttribute(bean, attribute)).doubleValue();
          }
        }
      }
      throw new AssertionError("no attribute " + attribute + " on " + found);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String validate(String restUrl, String configJson) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            restUrl
                                + "/connector-plugins/"
                                + SnapshotterSinkConnector.class.getSimpleName()
                                + "/config/validate"))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(configJson))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  /** The "errors" array of one key in a validation response, as JSON text. */
  private static String errorsOf(String validation, String key) throws IOException {
    var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(validation);
    for (var config : root.get("configs")) {
      if (key.equals(config.get("value").get("name").asText())) {
        return config.get("value").get("errors").toString();
      }
    }
    throw new AssertionError("no key " + key + " in " + validation);
  }

  private static boolean atLeast(String version, int major, int minor) {
    String[] parts = version.split("\\.");
    int actualMajor = Integer.parseInt(parts[0]);
    return actualMajor > major || (actualMajor == major && Integer.parseInt(parts[1]) >= minor);
  }

  private static String stockWorkerClassPath(String version) throws IOException {
    Path file =
        Paths.get(
            System.getProperty("stock.worker.classpaths", "target/stock-workers"),
            version + ".classpath");
    assertThat(file)
        .as(
            "class path of a stock Connect "
                + version
                + " worker, written before the integration tests by "
                + "src/test/stock-worker/resolve.sh (mvn verify runs it)")
        .exists();
    return Files.readString(file).trim();
  }

  private static long eventCount(Path pages) {
    try {
      return StoredPages.readAll(new FilesystemObjectStore(pages), "").stream()
          .mapToLong(page -> page.page().events().size())
          .sum();
    } catch (Exception e) {
      return -1;
    }
  }

  private static String javaBinary() {
    return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static List<String> unzip(Path zip, Path into) throws IOException {
    List<String> names = new ArrayList<>();
    try (InputStream in = Files.newInputStream(zip);
        ZipInputStream entries = new ZipInputStream(in)) {
      ZipEntry entry;
      while ((entry = entries.getNextEntry()) != null) {
        names.add(entry.getName());
        Path target = into.resolve(entry.getName()).normalize();
        if (!target.startsWith(into)) {
          throw new IOException("zip entry escapes: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(entries, target);
        }
      }
    }
    return names;
  }
}
