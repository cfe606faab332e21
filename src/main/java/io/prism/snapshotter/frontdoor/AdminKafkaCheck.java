package io.prism.snapshotter.frontdoor;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;

/**
 * {@link KafkaCheck} with Kafka's admin client and the producer's own connection settings (so its
 * principal): one request per question, the topic's metadata with the operations the principal is
 * authorized for on it (KIP-430). The broker computes those with the same authorizer call that
 * admits or refuses a produce request, so "Write granted" here is what a send will meet; with no
 * authorizer the broker grants every operation. Since Kafka 3.0 Write on a topic also lets an
 * idempotent producer start (KIP-679), so Write on the topic is all the front door needs.
 */
final class AdminKafkaCheck implements KafkaCheck {
  private final Map<String, Object> settings;
  private final String topic;

  /** Made at the first question: a name in bootstrap.servers may not resolve yet at start. */
  private Admin admin; // guarded by this

  private boolean closed; // guarded by this

  /**
   * @param producerSettings the front door's producer settings (connection, security)
   */
  AdminKafkaCheck(Map<String, Object> producerSettings, String topic) {
    this.settings = adminSettings(producerSettings);
    this.topic = topic;
  }

  /**
   * The producer's settings without the keys only a producer knows (acks, serializers, ...: the
   * admin client would log each as unused); keys of neither (a plugin's own) are kept.
   */
  static Map<String, Object> adminSettings(Map<String, Object> producerSettings) {
    Set<String> adminKeys = AdminClientConfig.configNames();
    Set<String> producerKeys = ProducerConfig.configNames();
    Map<String, Object> admin = new HashMap<>();
    producerSettings.forEach(
        (key, value) -> {
          if (adminKeys.contains(key) || !producerKeys.contains(key)) {
            admin.put(key, value);
          }
        });
    return admin;
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
      admin = Admin.create(settings);
    }
    return admin;
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
