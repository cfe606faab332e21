package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class FrontDoorConfigTest {
  private static Map<String, Object> minimal() {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", "kafka:9092");
    config.put(FrontDoorConfig.TOPIC, "events");
    return config;
  }

  @Test
  void defaultsAndTypedValues() {
    FrontDoorConfig config = new FrontDoorConfig(minimal());
    assertThat(config.listen()).isEqualTo(new ListenAddress("127.0.0.1", 50051));
    assertThat(config.topic()).isEqualTo("events");
    assertThat(config.tlsEnabled()).isFalse();
    assertThat(config.clientAuth()).isEqualTo(ClientAuth.NONE);
    assertThat(config.authTokensFile()).isEmpty();
    assertThat(config.limits()).isEqualTo(PublishLimits.DEFAULTS);
  }

  @Test
  void kafkaSettingsPassThroughButDurabilityIsFixed() {
    Map<String, Object> original = minimal();
    original.put("security.protocol", "SSL");
    original.put("linger.ms", "20");
    original.put("acks", "1");
    original.put("enable.idempotence", "false");
    Map<String, Object> producer = new FrontDoorConfig(original).producerSettings();
    assertThat(producer)
        .containsEntry("bootstrap.servers", "kafka:9092")
        .containsEntry("security.protocol", "SSL")
        .containsEntry("linger.ms", "20")
        .containsEntry("acks", "all")
        .containsEntry("enable.idempotence", "true")
        .containsEntry("max.block.ms", "10000")
        .doesNotContainKey(FrontDoorConfig.TOPIC);
  }

  @Test
  void badValuesNameTheirKey() {
    Map<String, Object> noTopic = minimal();
    noTopic.remove(FrontDoorConfig.TOPIC);
    assertThatThrownBy(() -> new FrontDoorConfig(noTopic))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(FrontDoorConfig.TOPIC);

    Map<String, Object> badListen = minimal();
    badListen.put(FrontDoorConfig.LISTEN, "no-port");
    assertThatThrownBy(() -> new FrontDoorConfig(badListen).listen())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(FrontDoorConfig.LISTEN);

    Map<String, Object> certOnly = minimal();
    certOnly.put(FrontDoorConfig.TLS_CERT_FILE, "/x.crt");
    assertThatThrownBy(() -> new FrontDoorConfig(certOnly))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(FrontDoorConfig.TLS_KEY_FILE);

    Map<String, Object> mtlsWithoutCa = minimal();
    mtlsWithoutCa.put(FrontDoorConfig.TLS_CERT_FILE, "/x.crt");
    mtlsWithoutCa.put(FrontDoorConfig.TLS_KEY_FILE, "/x.key");
    mtlsWithoutCa.put(FrontDoorConfig.TLS_CLIENT_AUTH, "require");
    assertThatThrownBy(() -> new FrontDoorConfig(mtlsWithoutCa))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(FrontDoorConfig.TLS_CLIENT_CA_FILE);

    Map<String, Object> badAuth = minimal();
    badAuth.put(FrontDoorConfig.TLS_CLIENT_AUTH, "sometimes");
    assertThatThrownBy(() -> new FrontDoorConfig(badAuth))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(FrontDoorConfig.TLS_CLIENT_AUTH);

    Map<String, Object> noKafka = minimal();
    noKafka.remove("bootstrap.servers");
    assertThatThrownBy(() -> new FrontDoorConfig(noKafka))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bootstrap.servers");
  }

  @Test
  void theProducerTakesTheLargestRecordAValidEventMakes() {
    FrontDoorConfig config = new FrontDoorConfig(minimal());
    long largest = config.limits().largestRecordBytes();

    // Kafka's default (1 MiB) counts key and headers too: a 1 MiB payload did not fit.
    assertThat(largest).isGreaterThan(config.limits().maxPayloadBytes() + 64L * 4096);
    assertThat(config.producerSettings()).containsEntry("max.request.size", Long.toString(largest));

    Map<String, Object> tooSmall = minimal();
    tooSmall.put("max.request.size", "1048576");
    assertThatThrownBy(() -> new FrontDoorConfig(tooSmall))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("max.request.size")
        .hasMessageContaining(FrontDoorConfig.MAX_PAYLOAD_BYTES);
    Map<String, Object> smallerPayloads = minimal();
    smallerPayloads.put("max.request.size", "1048576");
    smallerPayloads.put(FrontDoorConfig.MAX_PAYLOAD_BYTES, "500000");
    assertThat(new FrontDoorConfig(smallerPayloads).producerSettings())
        .containsEntry("max.request.size", "1048576");
  }

  @Test
  void doubtfulSettingsAreWarnedAbout() {
    assertThat(new FrontDoorConfig(minimal()).warnings()).isEmpty();
    Map<String, Object> original = minimal();
    original.put(FrontDoorConfig.MAX_INFLIGHT_EVENTS, "500");
    original.put("frontdoor.max.payload.byte", "10"); // misspelt
    assertThat(new FrontDoorConfig(original).warnings())
        .hasSize(2)
        .anySatisfy(
            warning ->
                assertThat(warning)
                    .contains(
                        FrontDoorConfig.MAX_INFLIGHT_EVENTS, FrontDoorConfig.MAX_BATCH_EVENTS))
        .anySatisfy(
            warning ->
                assertThat(warning)
                    .isEqualTo(
                        "frontdoor.max.payload.byte is not a setting of the front door; did you"
                            + " mean "
                            + FrontDoorConfig.MAX_PAYLOAD_BYTES
                            + "? (ignored)"));
  }

  @Test
  void tokensWithoutTlsAndACaWithoutRequiredClientCertificatesAreWarnedAbout(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path tokens = java.nio.file.Files.writeString(dir.resolve("tokens"), "t1\n");
    Map<String, Object> original = minimal();
    original.put(FrontDoorConfig.AUTH_TOKENS_FILE, tokens.toString());
    original.put(FrontDoorConfig.TLS_CLIENT_CA_FILE, tokens.toString());
    assertThat(new FrontDoorConfig(original).warnings())
        .anySatisfy(warning -> assertThat(warning).startsWith("bearer tokens without TLS"))
        .anySatisfy(
            warning -> assertThat(warning).contains("clients are not asked for certificates"));
  }
}
