package io.prism.snapshotter.frontdoor;

import io.prism.snapshotter.metrics.FrontDoorMetrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link KafkaCheck} with Kafka's admin client and the producer's own connection settings (so its
 * principal): one request per question, the topic's metadata with the operations the principal is
 * authorized for on it (KIP-430). The broker computes those with the same authorizer call that
 * admits or refuses a produce request, so "Write granted" here is what a send will meet; with no
 * authorizer the broker grants every operation. Since Kafka 3.0 Write on a topic also lets an
 * idempotent producer start (KIP-679), so Write on the topic is all the front door needs.
 *
 * <p>An admin client that cannot be made (a setting it refuses) leaves every question unanswered
 * ("cannot tell"): that is logged once, as Kafka-silence detection being off, and shown by {@link
 * #off} (health, a gauge), so that the front door does not quietly lose it.
 */
final class AdminKafkaCheck implements KafkaCheck {
  private static final Logger log = LoggerFactory.getLogger(AdminKafkaCheck.class);

  /**
   * The admin client's id unless the settings name one: tells its log lines from the producer's.
   */
  static final String DEFAULT_CLIENT_ID = "prism-frontdoor-kafka-check";

  private final Map<String, Object> settings;
  private final String topic;

  /** Made at the first question: a name in bootstrap.servers may not resolve yet at start. */
  private Admin admin; // guarded by this

  private boolean closed; // guarded by this

  /** Why no admin client could be made, so no question asked; null while none failed. */
  private volatile String off;

  /**
   * @param producerSettings the front door's producer settings (connection, security)
   * @param interval how often the front door asks at most (frontdoor.kafka.check.interval.ms)
   */
  AdminKafkaCheck(Map<String, Object> producerSettings, String topic, Duration interval) {
    this.settings = adminSettings(producerSettings, interval);
    this.topic = topic;
    FrontDoorMetrics.kafkaCheckUsable(true);
  }

  /**
   * The producer's settings without the keys only a producer knows (acks, serializers, ...: the
   * admin client would log each as unused); keys of neither (a plugin's own) are kept.
   *
   * <p>Its reconnect backoff is {@code interval}, whatever the producer's: it asks once per
   * interval at most, so reconnecting faster only adds Kafka's "Connection to node ... could not be
   * established" WARN while Kafka is gone (about one a second with Kafka's defaults, 50 ms growing
   * to 1 s; now about one per interval). The cost: a Kafka that is back is heard up to about one
   * interval (plus Kafka's 20 % jitter) later. The producer keeps its own, the user's, backoff.
   */
  static Map<String, Object> adminSettings(
      Map<String, Object> producerSettings, Duration interval) {
    Set<String> adminKeys = AdminClientConfig.configNames();
    Set<String> producerKeys = ProducerConfig.configNames();
    Map<String, Object> admin = new HashMap<>();
    producerSettings.forEach(
        (key, value) -> {
          if (adminKeys.contains(key) || !producerKeys.contains(key)) {
            admin.put(key, value);
          }
        });
    String backoff = Long.toString(Math.max(1, interval.toMillis()));
    admin.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, backoff);
    admin.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, backoff);
    admin.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, DEFAULT_CLIENT_ID);
    return admin;
  }

  @Override
  public Optional<String> off() {
    return Optional.ofNullable(off);
  }

  @Override
  public Answer ask(Duration timeout) {
    try {
      int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
      TopicDescription description =
          admin()
              .describeTopics(
                  List.of(topic),
                  new DescribeTopicsOptions().includeAuthorizedOperations(true).timeoutMs(millis))
              .allTopicNames()
              // The admin client ends the call at its timeout; this only guards against a hang.
              .get(millis + 5_000L, TimeUnit.MILLISECONDS)
              .get(topic);
      Set<AclOperation> allowed = description == null ? null : description.authorizedOperations();
      if (allowed == null) {
        return Answer.unclear(null); // a broker that does not say: cannot tell
      }
      if (!allowed.contains(AclOperation.WRITE)) {
        return new Answer(
            Kind.NOT_WRITABLE,
            new TopicAuthorizationException(
                "Kafka answered, but does not authorize Write on topic "
                    + topic
                    + " (it authorizes "
                    + allowed
                    + ")",
                Set.of(topic)));
      }
      return Answer.writable();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Answer.unclear(e);
    } catch (Exception e) {
      return Answer.of(e);
    }
  }

  private synchronized Admin admin() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (admin == null) {
      try {
        admin = Admin.create(settings);
      } catch (RuntimeException e) {
        if (!KafkaFailures.bootstrapUnresolvable(e)) {
          cannotMake(e); // a name not resolving yet is Kafka not there yet: silence, not "off"
        }
        throw e;
      }
      if (off != null) {
        off = null;
        FrontDoorMetrics.kafkaCheckUsable(true);
        log.info(
            "The Kafka admin client of the front door's Kafka check was made; Kafka-silence"
                + " detection and the Write check on topic {} are on again",
            topic);
      }
    }
    return admin;
  }

  /** Says once (not at every question) that the check is off, and why. Guarded by this. */
  private void cannotMake(RuntimeException failure) {
    if (off != null) {
      return;
    }
    off =
        "the Kafka admin client of the front door's Kafka check cannot be made from the producer's"
            + " settings ("
            + KafkaFailures.causes(failure)
            + "): Kafka-silence detection is off (health does not follow Kafka after the start),"
            + " and Write on topic "
            + topic
            + " is not checked (at start, and after Kafka refused the front door: new producers"
            + " are tried on trial instead)";
    FrontDoorMetrics.kafkaCheckUsable(false);
    log.warn(
        "The front door's Kafka check is off: {}; correct the setting named (the front door tries"
            + " again at every check)",
        off);
  }

  @Override
  public void close() {
    Admin made;
    synchronized (this) {
      closed = true;
      made = admin;
      admin = null;
    }
    if (made != null) {
      made.close(Duration.ZERO);
    }
  }
}
