package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.prism.snapshotter.config.WriterConfig;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A connector told to read other header names ({@code writer.session.header}, {@code
 * writer.event.id.header}) gets them from a front door given the same keys: the front door writes,
 * accepts and refuses by the configured names, not the defaults.
 */
class RenamedHeadersTest {
  private static final String EVENT_ID = "x-event-id";
  private static final String SESSION = "x-session";

  private static FrontDoorConfig renamed() {
    Map<String, Object> settings = new HashMap<>();
    settings.put("bootstrap.servers", "kafka:9092");
    settings.put(FrontDoorConfig.TOPIC, "events");
    settings.put(WriterConfig.EVENT_ID_HEADER, EVENT_ID);
    settings.put(WriterConfig.SESSION_HEADER, SESSION);
    return new FrontDoorConfig(settings);
  }

  @Test
  void theFrontDoorTakesTheConnectorsKeysWithTheConnectorsDefaults() {
    FrontDoorConfig config = renamed();
    assertThat(config.headerNames()).isEqualTo(new HeaderNames(EVENT_ID, SESSION));
    assertThat(config.producerSettings())
        .as("not producer settings")
        .doesNotContainKeys(WriterConfig.EVENT_ID_HEADER, WriterConfig.SESSION_HEADER);
    assertThat(config.warnings()).isEmpty();

    Map<String, Object> defaults = new HashMap<>();
    defaults.put("bootstrap.servers", "kafka:9092");
    defaults.put(FrontDoorConfig.TOPIC, "events");
    assertThat(new FrontDoorConfig(defaults).headerNames()).isEqualTo(HeaderNames.DEFAULTS);
    assertThat(HeaderNames.DEFAULTS)
        .isEqualTo(
            new HeaderNames(
                WriterConfig.addTo(new org.apache.kafka.common.config.ConfigDef())
                    .defaultValues()
                    .get(WriterConfig.EVENT_ID_HEADER)
                    .toString(),
                WriterConfig.addTo(new org.apache.kafka.common.config.ConfigDef())
                    .defaultValues()
                    .get(WriterConfig.SESSION_HEADER)
                    .toString()));
  }

  @Test
  void oneNameForBothHeadersIsRefused() {
    Map<String, Object> settings = new HashMap<>();
    settings.put("bootstrap.servers", "kafka:9092");
    settings.put(FrontDoorConfig.TOPIC, "events");
    settings.put(WriterConfig.EVENT_ID_HEADER, "h");
    settings.put(WriterConfig.SESSION_HEADER, "h");
    assertThatThrownBy(() -> new FrontDoorConfig(settings))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(WriterConfig.EVENT_ID_HEADER);
  }

  @Test
  void eventsAndSessionEndsCarryTheConfiguredNames() {
    MockProducer<String, byte[]> kafka =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    EventProducer producer =
        new EventProducer(kafka, "events", renamed().headerNames(), Clock.systemUTC());

    producer.publish(event().putAttributes(EVENT_ID, "own-id").build()).join();
    producer.publish(event().build()).join();
    producer.publishSessionEnd("w").join();

    List<ProducerRecord<String, byte[]>> records = kafka.history();
    assertThat(header(records.get(0), EVENT_ID)).isEqualTo("own-id");
    assertThat(header(records.get(1), EVENT_ID)).hasSize(36); // a UUID of the front door's
    assertThat(header(records.get(2), SESSION)).isEqualTo(FrontDoorHeaders.SESSION_END);
    assertThat(header(records.get(2), EVENT_ID)).hasSize(36);
    for (ProducerRecord<String, byte[]> record : records) {
      assertThat(record.headers().lastHeader(FrontDoorHeaders.EVENT_ID)).isNull();
      assertThat(record.headers().lastHeader(FrontDoorHeaders.SESSION)).isNull();
      assertThat(record.headers().lastHeader(FrontDoorHeaders.PUBLISH_TIME)).isNotNull();
    }
  }

  @Test
  void aClientMaySetTheConfiguredEventIdButNotTheConfiguredSessionHeader() {
    InputRules rules = new InputRules(PublishLimits.DEFAULTS, renamed().headerNames());
    rules.check(event().putAttributes(EVENT_ID, "own-id").build(), "");

    assertThat(refusal(rules, event().putAttributes(SESSION, "end")))
        .startsWith("attributes[\"x-session\"]: ")
        .contains("session header \"x-session\"");
    assertThat(refusal(rules, event().putAttributes(FrontDoorHeaders.EVENT_ID, "id")))
        .startsWith("attributes[\"prism.event_id\"]: ")
        .contains("only \"x-event-id\" may be set");
    assertThat(refusal(rules, event().putAttributes(EVENT_ID, "")))
        .isEqualTo("attributes[\"x-event-id\"]: an event id must not be empty");
  }

  @Test
  void aFailureAdvisesReusingTheConfiguredEventId() {
    Status status =
        KafkaFailures.toStatus(
            new org.apache.kafka.common.errors.TimeoutException("expired"), EVENT_ID, "events");
    assertThat(status.getDescription()).contains("reuse the event's " + EVENT_ID + " attribute");
  }

  @Test
  void thePublishClientRefusesTheConfiguredEventIdForEveryLine() {
    assertThatThrownBy(() -> clientOptions(Map.of(EVENT_ID, "same-for-all"), EVENT_ID))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(EVENT_ID);
    assertThat(clientOptions(Map.of("trace", "t"), EVENT_ID).eventIdHeader()).isEqualTo(EVENT_ID);
  }

  private static ClientOptions clientOptions(Map<String, String> attributes, String eventIdHeader) {
    return new ClientOptions(
        "127.0.0.1:50051",
        "w",
        attributes,
        false,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Duration.ofSeconds(30),
        eventIdHeader);
  }

  private static String refusal(InputRules rules, PublishRequest.Builder event) {
    try {
      rules.check(event.build(), "");
    } catch (StatusRuntimeException refused) {
      assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      return refused.getStatus().getDescription();
    }
    throw new AssertionError("not refused: " + event);
  }

  private static PublishRequest.Builder event() {
    return PublishRequest.newBuilder().setTopic("w").setPayload(ByteString.copyFromUtf8("p"));
  }

  private static String header(ProducerRecord<String, byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
