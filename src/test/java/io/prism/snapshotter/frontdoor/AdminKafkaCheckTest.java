package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.metrics.FrontDoorMetrics;
import io.prism.snapshotter.testing.CapturedLogs;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The admin client behind the front door's Kafka check: made from the producer's settings but
 * reconnecting at the check's pace, and, when it cannot be made, saying once that Kafka-silence
 * detection is off instead of answering "cannot tell" at every check without a word.
 */
class AdminKafkaCheckTest {
  private static final Duration INTERVAL = Duration.ofSeconds(5);

  /**
   * The producer's reconnect backoff is the user's; the check's client asks once per interval, so
   * it reconnects at that pace whatever the producer was given (else a Kafka outage adds Kafka's
   * connection WARN about once a second).
   */
  @Test
  void theAdminClientReconnectsAtTheCheckIntervalWhateverTheProducerIsGiven() {
    Map<String, Object> producer = new HashMap<>();
    producer.put("bootstrap.servers", "kafka:9092");
    producer.put("security.protocol", "SASL_SSL");
    producer.put("acks", "all");
    producer.put("reconnect.backoff.ms", "50");
    producer.put("reconnect.backoff.max.ms", "500");
    Map<String, Object> admin = AdminKafkaCheck.adminSettings(producer, INTERVAL);
    assertThat(admin)
        .containsEntry("bootstrap.servers", "kafka:9092")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("reconnect.backoff.ms", "5000")
        .containsEntry("reconnect.backoff.max.ms", "5000")
        .containsEntry("client.id", AdminKafkaCheck.DEFAULT_CLIENT_ID)
        .doesNotContainKey("acks");

    producer.put("client.id", "frontdoor-7");
    assertThat(AdminKafkaCheck.adminSettings(producer, INTERVAL))
        .as("a client id given (quotas, logs) is kept")
        .containsEntry("client.id", "frontdoor-7");
  }

  /**
   * A setting the admin client refuses: every check "cannot tell" (so Kafka going silent is never
   * noticed). One WARN says so, naming the cause, not one per check; health and a gauge show it.
   */
  @Test
  void anAdminClientThatCannotBeMadeIsReportedOnceAsSilenceDetectionOff() {
    Map<String, Object> settings = new HashMap<>();
    settings.put("bootstrap.servers", "127.0.0.1:9");
    settings.put("request.timeout.ms", "soon");
    try (CapturedLogs logs = CapturedLogs.capture();
        AdminKafkaCheck check = new AdminKafkaCheck(settings, "events", INTERVAL)) {
      assertThat(check.off()).isEmpty();
      assertThat(FrontDoorMetrics.kafkaCheckUsable()).isEqualTo(1.0);
      for (int i = 0; i < 3; i++) {
        assertThat(check.ask(Duration.ofSeconds(1)).kind()).isEqualTo(KafkaCheck.Kind.UNCLEAR);
      }
      assertThat(logs.lines())
          .filteredOn(line -> line.contains(AdminKafkaCheck.class.getName()))
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .startsWith("WARN")
                      .contains("cannot be made from the producer's settings")
                      .contains("request.timeout.ms")
                      .contains("Kafka-silence detection is off")
                      .contains("Write on topic events is not checked"));
      assertThat(check.off().orElseThrow())
          .contains("request.timeout.ms")
          .contains("Kafka-silence detection is off");
      assertThat(FrontDoorMetrics.kafkaCheckUsable()).isEqualTo(0.0);
    }
  }

  /**
   * No name in bootstrap.servers resolving is Kafka not being there (yet), which the check exists
   * to notice: silence, not the check being off.
   */
  @Test
  void anUnresolvableBootstrapNameIsSilenceNotOff() {
    try (AdminKafkaCheck check =
        new AdminKafkaCheck(
            Map.of("bootstrap.servers", "no-such-broker.invalid:9092"), "events", INTERVAL)) {
      assertThat(check.ask(Duration.ofSeconds(1)).kind()).isEqualTo(KafkaCheck.Kind.SILENT);
      assertThat(check.off()).isEmpty();
      assertThat(FrontDoorMetrics.kafkaCheckUsable()).isEqualTo(1.0);
    }
  }
}
