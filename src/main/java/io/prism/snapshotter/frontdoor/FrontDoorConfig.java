package io.prism.snapshotter.frontdoor;

import io.prism.snapshotter.config.UnknownSettings;
import io.prism.snapshotter.config.WriterConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The front door's settings, from one {@code .properties} file: the {@code frontdoor.*} keys below,
 * the connector's header names ({@code writer.*.header}, which must match the connector's), and
 * every other key passed through to the Kafka producer ({@code bootstrap.servers}, {@code
 * security.protocol}, {@code sasl.*}, ...). Durability settings are not negotiable: {@code
 * acks=all} and idempotence are always on.
 */
public final class FrontDoorConfig extends AbstractConfig {
  public static final String PREFIX = "frontdoor.";

  public static final String LISTEN = "frontdoor.listen";
  public static final String TOPIC = "frontdoor.topic";
  public static final String TLS_CERT_FILE = "frontdoor.tls.cert.file";
  public static final String TLS_KEY_FILE = "frontdoor.tls.key.file";
  public static final String TLS_CLIENT_CA_FILE = "frontdoor.tls.client.ca.file";
  public static final String TLS_CLIENT_AUTH = "frontdoor.tls.client.auth";
  public static final String AUTH_TOKENS_FILE = "frontdoor.auth.tokens.file";
  public static final String MAX_WRITER_ID_BYTES = "frontdoor.max.writer.id.bytes";
  public static final String MAX_PAYLOAD_BYTES = "frontdoor.max.payload.bytes";
  public static final String MAX_ATTRIBUTES = "frontdoor.max.attributes";
  public static final String MAX_ATTRIBUTE_KEY_BYTES = "frontdoor.max.attribute.key.bytes";
  public static final String MAX_ATTRIBUTE_VALUE_BYTES = "frontdoor.max.attribute.value.bytes";
  public static final String MAX_BATCH_EVENTS = "frontdoor.max.batch.events";
  public static final String MAX_INFLIGHT_EVENTS = "frontdoor.max.inflight.events";
  public static final String SESSION_WINDOW = "frontdoor.session.window";
  public static final String SHUTDOWN_GRACE_MS = "frontdoor.shutdown.grace.ms";
  public static final String PRODUCER_REPLACE_BACKOFF_MS = "frontdoor.producer.replace.backoff.ms";
  public static final String PRODUCER_REPLACE_BACKOFF_MAX_MS =
      "frontdoor.producer.replace.backoff.max.ms";
  public static final String KAFKA_CHECK_INTERVAL_MS = "frontdoor.kafka.check.interval.ms";
  public static final String KAFKA_UNANSWERED_MAX_MS = "frontdoor.kafka.unanswered.max.ms";

  /**
   * The connector's own keys and defaults (not under {@code frontdoor.}): the front door must write
   * the headers the connector reads, and the local run gives both the same value.
   */
  public static final String SESSION_HEADER = WriterConfig.SESSION_HEADER;

  public static final String EVENT_ID_HEADER = WriterConfig.EVENT_ID_HEADER;

  /** Not under {@code frontdoor.}: the local run serves the same endpoint for the whole stack. */
  public static final String HTTP_LISTEN = "http.listen";

  static final String HTTP_PREFIX = "http.";

  /** Producer settings the front door picks unless the file says otherwise. */
  private static final Map<String, Object> PRODUCER_DEFAULTS =
      Map.of(
          ProducerConfig.LINGER_MS_CONFIG, "5",
          // Bounded waits, so a Kafka outage becomes UNAVAILABLE within seconds, not minutes.
          ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000",
          ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000",
          ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");

  /** Producer settings that make a response mean "stored"; the file cannot change them. */
  private static final Map<String, Object> PRODUCER_FIXED =
      Map.of(
          ProducerConfig.ACKS_CONFIG,
          "all",
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
          "true",
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
          StringSerializer.class.getName(),
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
          ByteArraySerializer.class.getName());

  public static final ConfigDef CONFIG_DEF =
      new ConfigDef()
          .define(
              LISTEN,
              Type.STRING,
              "127.0.0.1:50051",
              Importance.HIGH,
              "host:port the gRPC server listens on (port 0 picks a free port).")
          .define(
              TOPIC,
              Type.STRING,
              ConfigDef.NO_DEFAULT_VALUE,
              new ConfigDef.NonEmptyString(),
              Importance.HIGH,
              "Kafka topic the events go to: the topic the snapshotter connector reads.")
          .define(
              TLS_CERT_FILE,
              Type.STRING,
              null,
              Importance.HIGH,
              "PEM certificate chain of the server. With frontdoor.tls.key.file, turns TLS on.")
          .define(
              TLS_KEY_FILE,
              Type.STRING,
              null,
              Importance.HIGH,
              "PEM PKCS#8 private key of the server certificate.")
          .define(
              TLS_CLIENT_CA_FILE,
              Type.STRING,
              null,
              Importance.MEDIUM,
              "PEM CA certificates that sign client certificates (mutual TLS).")
          .define(
              TLS_CLIENT_AUTH,
              Type.STRING,
              ClientAuth.NONE.configName(),
              ValidString.in(ClientAuth.configNames()),
              Importance.MEDIUM,
              "'require' for mutual TLS (needs frontdoor.tls.client.ca.file), 'none' otherwise.")
          .define(
              AUTH_TOKENS_FILE,
              Type.STRING,
              null,
              Importance.MEDIUM,
              "File of accepted bearer tokens, one per line: '<token> [<writer-id-prefix>]'. Unset: no token auth.")
          .define(
              MAX_WRITER_ID_BYTES,
              Type.INT,
              PublishLimits.DEFAULTS.maxWriterIdBytes(),
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "Longest writer id (PublishRequest.topic), UTF-8 bytes.")
          .define(
              MAX_PAYLOAD_BYTES,
              Type.INT,
              PublishLimits.DEFAULTS.maxPayloadBytes(),
              ConfigDef.Range.atLeast(1),
              Importance.MEDIUM,
              "Largest payload, bytes. Keep it under the topic's max.message.bytes.")
          .define(
              MAX_ATTRIBUTES,
              Type.INT,
              PublishLimits.DEFAULTS.maxAttributes(),
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "Most attributes per event.")
          .define(
              MAX_ATTRIBUTE_KEY_BYTES,
              Type.INT,
              PublishLimits.DEFAULTS.maxAttributeKeyBytes(),
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "Longest attribute name, UTF-8 bytes.")
          .define(
              MAX_ATTRIBUTE_VALUE_BYTES,
              Type.INT,
              PublishLimits.DEFAULTS.maxAttributeValueBytes(),
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "Longest attribute value, UTF-8 bytes.")
          .define(
              MAX_BATCH_EVENTS,
              Type.INT,
              PublishLimits.DEFAULTS.maxBatchEvents(),
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "Most events in one BatchPublish call.")
          .define(
              MAX_INFLIGHT_EVENTS,
              Type.INT,
              20_000,
              ConfigDef.Range.atLeast(1),
              Importance.MEDIUM,
              "Most events sent to Kafka and not yet acknowledged, over all calls; beyond it, RESOURCE_EXHAUSTED.")
          .define(
              SESSION_WINDOW,
              Type.INT,
              1024,
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "Most unacknowledged events of one PublishSession; gRPC flow control holds the client beyond it.")
          .define(
              SHUTDOWN_GRACE_MS,
              Type.LONG,
              30_000L,
              ConfigDef.Range.atLeast(0),
              Importance.LOW,
              "On shutdown, how long in-flight calls may take to finish before they are cancelled.")
          .define(
              PRODUCER_REPLACE_BACKOFF_MS,
              Type.LONG,
              1_000L,
              ConfigDef.Range.atLeast(0),
              Importance.LOW,
              "After the Kafka producer broke for good (fenced, idempotent writes denied, ...), how long"
                  + " before a new one is made; doubled for every new producer in a row that fails to start or"
                  + " breaks before Kafka acknowledged anything. Meanwhile calls are refused UNAVAILABLE and"
                  + " health says NOT_SERVING. Also the pause between attempts to reach Kafka at start.")
          .define(
              PRODUCER_REPLACE_BACKOFF_MAX_MS,
              Type.LONG,
              60_000L,
              ConfigDef.Range.atLeast(0),
              Importance.LOW,
              "The longest wait between attempts to replace a broken Kafka producer; also how long a"
                  + " replacement that no call tried stays NOT_SERVING (one a call tried serves once Kafka"
                  + " acknowledged one of its records). After Kafka refused the front door's principal, the"
                  + " permission is checked every frontdoor.kafka.check.interval.ms instead.")
          .define(
              KAFKA_CHECK_INTERVAL_MS,
              Type.LONG,
              5_000L,
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "How often the front door asks Kafka one small question that writes nothing (the topic's"
                  + " metadata with its principal's permissions on it, by an admin client with the producer's"
                  + " settings), and how long it waits for the answer: while it serves but no record was"
                  + " acknowledged since the last time (is Kafka still there?), and while Kafka refuses its"
                  + " principal (is Write granted again? then it serves at once); also once at start, before"
                  + " it serves (is Write granted?). The admin client reconnects at this pace too (its"
                  + " reconnect.backoff.ms and reconnect.backoff.max.ms, whatever the producer is given), so"
                  + " a Kafka outage costs about one of its connection WARNs per interval.")
          .define(
              KAFKA_UNANSWERED_MAX_MS,
              Type.LONG,
              15_000L,
              ConfigDef.Range.atLeast(0),
              Importance.MEDIUM,
              "How long Kafka may leave the front door unanswered after the start (no record acknowledged,"
                  + " no question of frontdoor.kafka.check.interval.ms answered: a timeout or a network error)"
                  + " before health says NOT_SERVING; SERVING again as soon as a record is acknowledged or a"
                  + " question answered. 0: health ignores Kafka being gone after the start.")
          .define(
              SESSION_HEADER,
              Type.STRING,
              WriterConfig.SESSION_HEADER_DEFAULT,
              new ConfigDef.NonEmptyString(),
              Importance.MEDIUM,
              "Header of the session-end record the front door writes when a PublishSession ends. The"
                  + " connector's key of the same name, with the same value: the connector ends a writer's"
                  + " session only on the header it is told of.")
          .define(
              EVENT_ID_HEADER,
              Type.STRING,
              WriterConfig.EVENT_ID_HEADER_DEFAULT,
              new ConfigDef.NonEmptyString(),
              Importance.MEDIUM,
              "Header of the event id the front door writes on every record (the client's own when it sends"
                  + " an attribute of this name, else a random UUID). The connector's key of the same name, with"
                  + " the same value: otherwise the connector takes <topic>-<partition>-<offset> as event id, and"
                  + " replay keeps a retried event twice.")
          .define(
              HTTP_LISTEN,
              Type.STRING,
              "127.0.0.1:8080",
              Importance.MEDIUM,
              "host:port of the plain-HTTP metrics and health endpoint (/metrics in Prometheus text format,"
                  + " /health/buffers, /health/storage, /health/index, and the front door's readiness"
                  + " /health/frontdoor: 200 while it serves, else 503), served by `bin/snapshotter frontdoor`"
                  + " and `bin/snapshotter local`; port 0 picks a free port. For Kubernetes probes, listen on"
                  + " 0.0.0.0. See docs/OPERATIONS.md.");

  /** Settings under the front door's name spaces that it does not have (misspelt, mostly). */
  private static final UnknownSettings UNKNOWN = new UnknownSettings(CONFIG_DEF.names());

  /**
   * Settings under the front door's name spaces ({@code frontdoor.}, ...) that it does not have.
   */
  public static List<UnknownSettings.Unknown> unknownSettings(Map<?, ?> settings) {
    return UNKNOWN.in(settings.keySet());
  }

  public FrontDoorConfig(Map<?, ?> originals) {
    super(CONFIG_DEF, originals, false);
    if (tlsEnabled() != (getString(TLS_KEY_FILE) != null)) {
      throw new ConfigException(
          TLS_CERT_FILE,
          getString(TLS_CERT_FILE),
          TLS_CERT_FILE + " and " + TLS_KEY_FILE + " go together: set both for TLS, or neither");
    }
    if (clientAuth() == ClientAuth.REQUIRE && (!tlsEnabled() || tlsClientCaFile().isEmpty())) {
      throw new ConfigException(
          TLS_CLIENT_AUTH,
          ClientAuth.REQUIRE.configName(),
          "mutual TLS needs TLS ("
              + TLS_CERT_FILE
              + ", "
              + TLS_KEY_FILE
              + ") and "
              + TLS_CLIENT_CA_FILE);
    }
    if (!originals.containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new ConfigException(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
          null,
          "the Kafka cluster to write to is required");
    }
    try {
      headerNames();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(EVENT_ID_HEADER, getString(EVENT_ID_HEADER), e.getMessage());
    }
    Object maxRequest = originals.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    if (maxRequest != null
        && Long.parseLong(maxRequest.toString().trim()) < limits().largestRecordBytes()) {
      // The producer would refuse a valid event inside send(), after a batch's earlier events.
      throw new ConfigException(
          ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
          maxRequest,
          "smaller than the largest record a valid event makes ("
              + limits().largestRecordBytes()
              + " bytes: "
              + MAX_PAYLOAD_BYTES
              + " plus the writer id and attributes at their limits); raise it or lower "
              + MAX_PAYLOAD_BYTES);
    }
  }

  /**
   * What is doubtful in these settings without making them unusable, for the log at start; empty
   * when nothing is.
   */
  public List<String> warnings() {
    List<String> warnings = new ArrayList<>();
    if (maxInFlightEvents() < limits().maxBatchEvents()) {
      warnings.add(
          MAX_INFLIGHT_EVENTS
              + " ("
              + maxInFlightEvents()
              + ") is below "
              + MAX_BATCH_EVENTS
              + " ("
              + limits().maxBatchEvents()
              + "): a batch of more than "
              + maxInFlightEvents()
              + " events is refused RESOURCE_EXHAUSTED at every retry");
    }
    if (authTokensFile().isPresent() && !tlsEnabled()) {
      warnings.add(
          "bearer tokens without TLS: every token crosses the network in clear text (set "
              + TLS_CERT_FILE
              + " and "
              + TLS_KEY_FILE
              + ")");
    }
    if (tlsClientCaFile().isPresent() && clientAuth() != ClientAuth.REQUIRE) {
      warnings.add(
          TLS_CLIENT_CA_FILE
              + " is set but "
              + TLS_CLIENT_AUTH
              + " is not 'require': clients are not asked for certificates");
    }
    for (UnknownSettings.Unknown unknown : unknownSettings(originals())) {
      warnings.add(unknown.describe("the front door") + " (ignored)");
    }
    return warnings;
  }

  /** Reads a {@code .properties} file (UTF-8). */
  public static FrontDoorConfig load(Path file) throws IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    }
    return new FrontDoorConfig(properties);
  }

  public ListenAddress listen() {
    return ListenAddress.parse(LISTEN, getString(LISTEN));
  }

  public ListenAddress httpListen() {
    return ListenAddress.parse(HTTP_LISTEN, getString(HTTP_LISTEN));
  }

  public String topic() {
    return getString(TOPIC);
  }

  public boolean tlsEnabled() {
    return getString(TLS_CERT_FILE) != null;
  }

  public Optional<Path> tlsCertFile() {
    return path(TLS_CERT_FILE);
  }

  public Optional<Path> tlsKeyFile() {
    return path(TLS_KEY_FILE);
  }

  public Optional<Path> tlsClientCaFile() {
    return path(TLS_CLIENT_CA_FILE);
  }

  public ClientAuth clientAuth() {
    return ClientAuth.fromConfig(getString(TLS_CLIENT_AUTH));
  }

  public Optional<Path> authTokensFile() {
    return path(AUTH_TOKENS_FILE);
  }

  public PublishLimits limits() {
    return new PublishLimits(
        getInt(MAX_WRITER_ID_BYTES),
        getInt(MAX_PAYLOAD_BYTES),
        getInt(MAX_ATTRIBUTES),
        getInt(MAX_ATTRIBUTE_KEY_BYTES),
        getInt(MAX_ATTRIBUTE_VALUE_BYTES),
        getInt(MAX_BATCH_EVENTS));
  }

  /** The names of the event id and session headers, as the connector reads them. */
  HeaderNames headerNames() {
    return new HeaderNames(getString(EVENT_ID_HEADER), getString(SESSION_HEADER));
  }

  public int maxInFlightEvents() {
    return getInt(MAX_INFLIGHT_EVENTS);
  }

  public int sessionWindow() {
    return getInt(SESSION_WINDOW);
  }

  public Duration shutdownGrace() {
    return Duration.ofMillis(getLong(SHUTDOWN_GRACE_MS));
  }

  public Duration producerReplaceBackoff() {
    return Duration.ofMillis(getLong(PRODUCER_REPLACE_BACKOFF_MS));
  }

  public Duration producerReplaceBackoffMax() {
    return Duration.ofMillis(getLong(PRODUCER_REPLACE_BACKOFF_MAX_MS));
  }

  public Duration kafkaCheckInterval() {
    return Duration.ofMillis(getLong(KAFKA_CHECK_INTERVAL_MS));
  }

  public Duration kafkaUnansweredMax() {
    return Duration.ofMillis(getLong(KAFKA_UNANSWERED_MAX_MS));
  }

  /**
   * The Kafka producer's settings: every key that is not the front door's own ({@code frontdoor.*},
   * {@code http.*}, the header names), the defaults, the fixed ones.
   */
  public Map<String, Object> producerSettings() {
    Map<String, Object> settings = new HashMap<>(PRODUCER_DEFAULTS);
    // Room for the largest valid event (Kafka's default, 1 MiB, counts key and headers too and is
    // less than a 1 MiB payload with attributes). The topic's max.message.bytes still applies.
    settings.put(
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        Long.toString(Math.max(1L << 20, limits().largestRecordBytes())));
    originals()
        .forEach(
            (key, value) -> {
              if (!key.startsWith(PREFIX)
                  && !key.startsWith(HTTP_PREFIX)
                  && !CONFIG_DEF.names().contains(key)) {
                settings.put(key, value);
              }
            });
    settings.putAll(PRODUCER_FIXED);
    return settings;
  }

  private Optional<Path> path(String key) {
    return Optional.ofNullable(getString(key)).map(Path::of);
  }
}
