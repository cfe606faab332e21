package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.testing.ConnectTestCluster;
import io.prism.snapshotter.testing.StoredPages;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin archive, unzipped into a stock worker's plugin.path, runs the connector from
 * config/connector.properties: a standalone worker in a separate JVM whose class path holds
 * Kafka only, never our classes.
 */
class PluginPackagingIT {
  @TempDir Path work;

  @Test
  void theZippedPluginRunsInAStockStandaloneWorker() throws Exception {
    Path zip = Paths.get("target", "prism-snapshotter-plugin.zip");
    assertThat(zip).as("mvn package builds the plugin archive").exists();
    Path plugins = Files.createDirectories(work.resolve("plugins"));
    List<String> entries = unzip(zip, plugins);
    assertThat(entries).contains("prism-snapshotter/manifest.json", "prism-snapshotter/etc/connector.properties");
    assertThat(entries).anyMatch(name -> name.matches("prism-snapshotter/lib/prism-snapshotter-.*\\.jar"));
    assertThat(entries).noneMatch(name -> name.matches(".*/lib/(kafka|connect-|slf4j|log4j|logback|jakarta.ws.rs).*"));

    EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, new Properties());
    kafka.start();
    Process worker = null;
    Path log = work.resolve("worker.log");
    try {
      kafka.createTopic("events", 1);
      Path pages = work.resolve("pages");
      Path workerProps = work.resolve("worker.properties");
      Files.writeString(workerProps, String.join("\n",
          "bootstrap.servers=" + kafka.bootstrapServers(),
          "offset.storage.file.filename=" + work.resolve("offsets"),
          "offset.flush.interval.ms=1000",
          "key.converter=org.apache.kafka.connect.storage.StringConverter",
          "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter",
          "plugin.path=" + plugins,
          "plugin.discovery=service_load",
          "listeners=http://127.0.0.1:0",
          // The health checks under the worker's REST API, from the same plugin class loader as the task.
          "rest.extension.classes=" + HealthRestExtension.class.getName(),
          ""));
      Properties connector = new Properties();
      try (var in = Files.newBufferedReader(Paths.get("config", "connector.properties"))) {
        connector.load(in);
      }
      connector.setProperty("storage.filesystem.path", pages.toString());
      connector.setProperty("index.sqlite.path", work.resolve("index.db").toString());
      connector.setProperty("buffer.max.age.seconds", "1");
      Path connectorProps = work.resolve("connector.properties");
      try (var out = Files.newBufferedWriter(connectorProps)) {
        connector.store(out, "config/connector.properties with a temporary storage path");
      }
      Path log4j = work.resolve("log4j2.properties");
      Files.writeString(log4j, "rootLogger.level=INFO\nrootLogger.appenderRef.f.ref=F\nappender.f.type=File\n"
          + "appender.f.name=F\nappender.f.fileName=" + log + "\nappender.f.layout.type=PatternLayout\n"
          + "appender.f.layout.pattern=%d %p %c{1} %m%n\n");

      worker = new ProcessBuilder(
              javaBinary(), "-Xmx256m", "-Dlog4j2.configurationFile=" + log4j,
              "-cp", kafkaOnlyClassPath(),
              "org.apache.kafka.connect.cli.ConnectStandalone", workerProps.toString(), connectorProps.toString())
          .redirectErrorStream(true)
          .redirectOutput(work.resolve("worker.out").toFile())
          .start();

      try (KafkaProducer<byte[], byte[]> producer = kafka.createProducer(java.util.Map.of())) {
        for (int i = 0; i < 100; i++) {
          producer.send(new ProducerRecord<>("events", ("w" + i % 5).getBytes(StandardCharsets.UTF_8),
              ("event " + i).getBytes(StandardCharsets.UTF_8)));
        }
      }
      Process running = worker;
      ConnectTestCluster.await("100 events in pages (worker log: " + log + ")", Duration.ofSeconds(90), () -> {
        assertThat(running.isAlive()).as("worker process alive; output in " + work).isTrue();
        return Files.isDirectory(pages) && eventCount(pages) == 100;
      });
      assertThat(Files.readString(log)).contains("SnapshotterSinkConnector").doesNotContain("ClassNotFoundException");
      Matcher rest = Pattern.compile("REST server listening at (http://\\S+?)/?[,\\s]").matcher(Files.readString(log));
      assertThat(rest.find()).as("the worker logs its REST address; log in " + log).isTrue();
      HttpResponse<String> storage = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(rest.group(1) + "/prism/health/storage")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(storage.statusCode()).as(storage.body()).isEqualTo(200);
      assertThat(storage.body()).contains("\"backend\":\"filesystem\"").contains("\"status\":\"healthy\"")
          .contains("\"tasks\":1").doesNotContain("\"writes\":0,");
    } finally {
      if (worker != null) {
        worker.destroy();
        if (!worker.waitFor(20, TimeUnit.SECONDS)) {
          worker.destroyForcibly();
        }
      }
      kafka.stop();
    }
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

  /** This JVM's class path without the project's own classes: Kafka, Connect and the rest. */
  private static String kafkaOnlyClassPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.endsWith("target" + File.separator + "classes"))
        .filter(entry -> !entry.endsWith("target" + File.separator + "test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  private static String javaBinary() {
    return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static List<String> unzip(Path zip, Path into) throws IOException {
    List<String> names = new ArrayList<>();
    try (InputStream in = Files.newInputStream(zip); ZipInputStream entries = new ZipInputStream(in)) {
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
