package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.testing.ConnectTestCluster;
import io.prism.snapshotter.testing.StoredPages;
import io.prism.snapshotter.testing.StoredPages.StoredPage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through a real worker: each page-closing threshold produces the pages it should (count, size, age
 * — also for a partition that receives nothing more), and each converter gives the payload it
 * should (StringConverter: the text; JsonConverter with schemas: the value's plain JSON).
 */
class SinkFlushAndConvertersIT {
  static ConnectTestCluster cluster;
  @TempDir static Path storage;

  @BeforeAll
  static void start() {
    cluster = ConnectTestCluster.start(1);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static Map<String, String> connector(String topic, Path pages) {
    Map<String, String> config = SinkRoundTripIT.connectorConfig(pages);
    config.put("topics", topic);
    config.put("tasks.max", "1");
    config.put("buffer.max.events", "1000");
    config.put("buffer.max.age.seconds", "3600");
    return config;
  }

  private static List<StoredPage> pages(Path dir) {
    try {
      return StoredPages.readAll(new FilesystemObjectStore(dir), "");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void send(String topic, int partition, String key, byte[] value) {
    try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
      producer.send(
          new ProducerRecord<>(topic, partition, key.getBytes(StandardCharsets.UTF_8), value));
    }
  }

  private static Path dir(TestInfo test) {
    return storage.resolve(test.getTestMethod().orElseThrow().getName());
  }

  @Test
  void countClosesPagesOfExactlyMaxEvents(TestInfo test) {
    Path pages = dir(test);
    cluster.createTopic("count", 1);
    Map<String, String> config = connector("count", pages);
    config.put("buffer.max.events", "10");
    cluster.connect().configureConnector("count", config);
    try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
      for (int i = 0; i < 35; i++) {
        producer.send(new ProducerRecord<>("count", 0, "w".getBytes(), ("e" + i).getBytes()));
      }
    }
    ConnectTestCluster.await(
        "three full pages", Duration.ofSeconds(30), () -> pages(pages).size() == 3);
    assertThat(pages(pages)).allSatisfy(page -> assertThat(page.page().events()).hasSize(10));
    cluster.connect().deleteConnector("count");
  }

  @Test
  void sizeClosesAPageOnceItsEventsReachMaxBytes(TestInfo test) {
    Path pages = dir(test);
    cluster.createTopic("size", 1);
    Map<String, String> config = connector("size", pages);
    config.put("buffer.max.size.bytes", "10240"); // ~2.5 events of 4 KiB
    cluster.connect().configureConnector("size", config);
    try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
      for (int i = 0; i < 7; i++) {
        producer.send(new ProducerRecord<>("size", 0, "w".getBytes(), new byte[4096]));
      }
    }
    ConnectTestCluster.await(
        "two pages of three events", Duration.ofSeconds(30), () -> pages(pages).size() == 2);
    assertThat(pages(pages)).allSatisfy(page -> assertThat(page.page().events()).hasSize(3));
    cluster.connect().deleteConnector("size");
  }

  @Test
  void ageClosesPagesOfPartitionsThatReceiveNothingMore(TestInfo test) {
    Path pages = dir(test);
    cluster.createTopic("idle", 2);
    Map<String, String> config = connector("idle", pages);
    config.put("buffer.max.age.seconds", "2");
    cluster.connect().configureConnector("idle", config);
    send("idle", 0, "a", "only event of partition 0".getBytes(StandardCharsets.UTF_8));
    send("idle", 1, "b", "only event of partition 1".getBytes(StandardCharsets.UTF_8));
    // Nothing else arrives anywhere: only the age check on empty polls can store these pages.
    ConnectTestCluster.await(
        "both pages aged out", Duration.ofSeconds(30), () -> pages(pages).size() == 2);
    assertThat(pages(pages)).extracting(StoredPage::partition).containsExactlyInAnyOrder(0, 1);
    cluster.connect().deleteConnector("idle");
  }

  @Test
  void stringConverterPayloadIsTheText(TestInfo test) {
    Path pages = dir(test);
    cluster.createTopic("strings", 1);
    Map<String, String> config = connector("strings", pages);
    config.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("buffer.max.events", "1");
    cluster.connect().configureConnector("strings", config);
    send("strings", 0, "w", "héllo wörld".getBytes(StandardCharsets.UTF_8));
    ConnectTestCluster.await("a page", Duration.ofSeconds(30), () -> pages(pages).size() == 1);
    Event event = pages(pages).get(0).page().events().get(0);
    assertThat(new String(event.payload(), StandardCharsets.UTF_8)).isEqualTo("héllo wörld");
    cluster.connect().deleteConnector("strings");
  }

  @Test
  void jsonConverterWithSchemasStoresThePlainJsonOfTheValue(TestInfo test) throws Exception {
    Path pages = dir(test);
    cluster.createTopic("structs", 1);
    Map<String, String> config = connector("structs", pages);
    config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    config.put("value.converter.schemas.enable", "true");
    config.put("writer.key.source", "field:user.id");
    config.put("buffer.max.events", "1");
    cluster.connect().configureConnector("structs", config);
    String envelope =
        "{\"schema\":{\"type\":\"struct\",\"fields\":["
            + "{\"field\":\"user\",\"type\":\"struct\",\"fields\":[{\"field\":\"id\",\"type\":\"string\"}]},"
            + "{\"field\":\"clicks\",\"type\":\"int32\"},"
            + "{\"field\":\"amount\",\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data.Decimal\","
            + "\"version\":1,\"parameters\":{\"scale\":\"2\"}}]},"
            + "\"payload\":{\"user\":{\"id\":\"u-7\"},\"clicks\":3,\"amount\":12.30}}";
    send("structs", 0, "ignored", envelope.getBytes(StandardCharsets.UTF_8));
    ConnectTestCluster.await("a page", Duration.ofSeconds(30), () -> pages(pages).size() == 1);
    StoredPage page = pages(pages).get(0);
    assertThat(page.page().metadata().writerId()).isEqualTo("u-7");
    var json =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(page.page().events().get(0).payload());
    assertThat(json.path("user").path("id").asText()).isEqualTo("u-7");
    assertThat(json.path("clicks").asInt()).isEqualTo(3);
    assertThat(json.path("amount").isNumber())
        .as("a decimal is a JSON number by default: " + json)
        .isTrue();
    assertThat(json.path("amount").decimalValue()).isEqualByComparingTo("12.30");
    assertThat(json.has("schema")).as("no schema envelope in the payload").isFalse();
    cluster.connect().deleteConnector("structs");
  }
}
