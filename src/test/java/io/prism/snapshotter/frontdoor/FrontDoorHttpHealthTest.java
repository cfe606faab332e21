package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.metrics.ObservabilityHttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /health/frontdoor} on {@code http.listen}: 503 with the reason while the front door
 * does not serve (here: Kafka has not answered yet), 200 once it does; for probes without gRPC.
 */
class FrontDoorHttpHealthTest {
  private final CountDownLatch kafkaAnswers = new CountDownLatch(1);

  /** Kafka does not answer its metadata fetch until the test says so. */
  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
        @Override
        public synchronized List<PartitionInfo> partitionsFor(String topic) {
          try {
            kafkaAnswers.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return super.partitionsFor(topic);
        }
      };

  private FrontDoorServer server;
  private ObservabilityHttpServer http;

  @AfterEach
  void stop() {
    kafkaAnswers.countDown();
    if (http != null) {
      http.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void unavailableWhileNotServingAndOkOnceServing() throws Exception {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", "127.0.0.1:9");
    config.put(FrontDoorConfig.TOPIC, "events");
    config.put(FrontDoorConfig.LISTEN, "127.0.0.1:0");
    config.put(FrontDoorConfig.SHUTDOWN_GRACE_MS, "1000");
    server = FrontDoorServer.start(new FrontDoorConfig(config), () -> producer, Clock.systemUTC());
    http =
        ObservabilityHttpServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            Map.of(FrontDoorServer.HTTP_HEALTH_PATH, server::httpHealth));

    HttpResponse<String> waiting = get("/health/frontdoor");
    assertThat(waiting.statusCode()).isEqualTo(503);
    assertThat(waiting.body())
        .contains("\"status\":\"unhealthy\"")
        .contains("\"serving\":false")
        .contains("has not reached Kafka yet");

    kafkaAnswers.countDown();
    assertThat(server.awaitServing(Duration.ofSeconds(30))).isTrue();
    HttpResponse<String> serving = get("/health/frontdoor");
    assertThat(serving.statusCode()).isEqualTo(200);
    assertThat(serving.body())
        .contains("\"status\":\"healthy\"")
        .contains("\"serving\":true")
        .contains("\"reason\":null")
        .contains("\"kafka_check\":\"on\"");

    assertThat(get("/health/frontdoor/more").statusCode()).isEqualTo(404);
    assertThat(get("/health/buffers").statusCode()).as("the sink's checks stay").isEqualTo(200);
  }

  /**
   * A front door whose Kafka check cannot be made (a setting its admin client refuses) serves, but
   * does not notice Kafka going silent: degraded (200), saying why, instead of healthy.
   */
  @Test
  void servingWithTheKafkaCheckOffIsDegradedSayingWhy() throws Exception {
    kafkaAnswers.countDown();
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", "127.0.0.1:9");
    config.put(FrontDoorConfig.TOPIC, "events");
    config.put(FrontDoorConfig.LISTEN, "127.0.0.1:0");
    config.put(FrontDoorConfig.SHUTDOWN_GRACE_MS, "1000");
    KafkaCheck check =
        new AdminKafkaCheck(
            Map.of("bootstrap.servers", "127.0.0.1:9", "request.timeout.ms", "soon"),
            "events",
            Duration.ofSeconds(5));
    server =
        FrontDoorServer.start(
            new FrontDoorConfig(config), () -> producer, check, Clock.systemUTC());
    http =
        ObservabilityHttpServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            Map.of(FrontDoorServer.HTTP_HEALTH_PATH, server::httpHealth));
    // The check is asked at start, once Kafka answered the producer: it cannot tell, so it serves.
    assertThat(server.awaitServing(Duration.ofSeconds(30))).isTrue();

    HttpResponse<String> degraded = get("/health/frontdoor");
    assertThat(degraded.statusCode()).isEqualTo(200);
    assertThat(degraded.body())
        .contains("\"status\":\"degraded\"")
        .contains("\"serving\":true")
        .contains("\"kafka_check\":\"off: ")
        .contains("request.timeout.ms")
        .contains("Kafka-silence detection is off");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
