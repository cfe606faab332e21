package io.prism.snapshotter.frontdoor;

import io.grpc.Status;
import io.prism.snapshotter.util.Causes;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.ApplicationRecoverableException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * The one place where a failed Kafka send becomes a gRPC status, and where a failure that breaks
 * the producer (or keeps one from being made or used) is recognised. Anything that leaves the
 * event's fate unknown is {@code UNAVAILABLE}: the client may retry, and the message says that a
 * retry can store a second copy that replay drops by event id.
 */
final class KafkaFailures {
  private KafkaFailures() {}

  /**
   * @param eventIdHeader the event id header's name, for the advice on retries
   * @param topic the front door's Kafka topic, named when Kafka refuses the front door
   */
  static Status toStatus(Throwable failure, String eventIdHeader, String topic) {
    Throwable cause = Causes.unwrapped(failure);
    if (cause instanceof ProducerUnavailableException) {
      return Status.UNAVAILABLE.withDescription(cause.getMessage());
    }
    Throwable denial = denial(failure);
    if (denial != null) {
      // UNAVAILABLE, not PERMISSION_DENIED: the caller's own permissions are fine
      // (PERMISSION_DENIED
      // is what a token outside its writer-id prefix gets, and clients do not retry it), and
      // nothing the caller changes helps. A retry with backoff succeeds once an operator has fixed
      // the front door's Kafka permissions; meanwhile health says NOT_SERVING, so balancers send
      // calls to other instances.
      return Status.UNAVAILABLE
          .withCause(denial)
          .withDescription(
              refusal(denial, topic)
                  + "; the event was not stored. The front door says NOT_SERVING until Kafka"
                  + " accepts it again: retry with backoff, reusing the event's "
                  + eventIdHeader
                  + " attribute");
    }
    Throwable breaking = producerBreaking(failure);
    if (breaking != null) {
      return Status.UNAVAILABLE
          .withCause(breaking)
          .withDescription(
              "the front door's Kafka producer failed ("
                  + breaking.getClass().getSimpleName()
                  + ": "
                  + breaking.getMessage()
                  + ") and is being replaced; the event may or may not be stored. Retry with"
                  + " backoff: a retry can store a second copy: reuse the event's "
                  + eventIdHeader
                  + " attribute so replay drops it");
    }
    if (cause instanceof RecordTooLargeException) {
      return Status.INVALID_ARGUMENT.withDescription(
          "payload: the record is larger than Kafka accepts: " + cause.getMessage());
    }
    return Status.UNAVAILABLE
        .withCause(cause)
        .withDescription(
            "Kafka did not confirm the event ("
                + cause.getClass().getSimpleName()
                + ": "
                + cause.getMessage()
                + "); it may or may not be stored. A retry can store a second copy: reuse the event's "
                + eventIdHeader
                + " attribute so replay drops it");
  }

  /**
   * Whether a failed send leaves its producer unable to serve: every later send fails the same way,
   * until the producer is closed and a new one made ({@link ProducerSupervisor}), or until an
   * operator changes Kafka's permissions (then a new producer works). Kafka's "application
   * recoverable" errors (fenced, invalid epoch or producer id mapping), a broker too old for the
   * producer, a producer closed under the front door, and Kafka refusing the front door's principal
   * ({@link #denial}). A real producer in that state throws a {@code KafkaException} from send()
   * whose cause is the first error: the whole cause chain counts.
   */
  static boolean breaksProducer(Throwable failure) {
    return producerBreaking(failure) != null;
  }

  /**
   * The authentication or authorization failure in {@code failure}'s cause chain, or null: Kafka
   * refuses the front door's principal (write or describe on the topic denied ({@code
   * TopicAuthorizationException}), idempotent writes denied ({@code
   * ClusterAuthorizationException}), a transactional id denied, SASL or SSL credentials refused
   * ({@code AuthenticationException} and its subclasses such as {@code
   * SaslAuthenticationException}). No send with these credentials succeeds until an operator fixes
   * them: one call's failure says the same of all the others.
   */
  static Throwable denial(Throwable failure) {
    return Causes.first(
            failure,
            cause ->
                cause instanceof AuthorizationException || cause instanceof AuthenticationException)
        .orElse(null);
  }

  /**
   * "Kafka refuses the front door's producer for topic T (what Kafka said): what to fix", for
   * refusals, health and the log.
   */
  static String refusal(Throwable denial, String topic) {
    String fix =
        denial instanceof AuthenticationException
            ? "correct the front door's Kafka credentials (sasl.*, ssl.*)"
            : denial instanceof ClusterAuthorizationException
                ? "grant its Kafka principal IdempotentWrite on the cluster, or Write on the topic"
                : "grant its Kafka principal Write and Describe on topic " + topic;
    return "Kafka refuses the front door's producer for topic "
        + topic
        + " ("
        + denial.getClass().getSimpleName()
        + ": "
        + denial.getMessage()
        + "): "
        + fix;
  }

  private static Throwable producerBreaking(Throwable failure) {
    Throwable denial = denial(failure);
    if (denial != null) {
      return denial;
    }
    return Causes.first(
            failure,
            cause ->
                cause instanceof ApplicationRecoverableException
                    || cause instanceof UnsupportedVersionException
                    || cause instanceof IllegalStateException)
        .orElse(null);
  }

  /**
   * Whether making a producer failed because no name in {@code bootstrap.servers} resolves: Kafka's
   * client refuses that in its constructor, but with everything started at once the names may
   * appear in DNS only later.
   */
  static boolean bootstrapUnresolvable(Throwable failure) {
    return Causes.first(
            failure,
            cause ->
                cause instanceof ConfigException
                    && String.valueOf(cause.getMessage()).contains("No resolvable bootstrap urls"))
        .isPresent();
  }

  /**
   * Whether the topic does not exist on the cluster (nor was created by the producer's request).
   */
  static boolean topicMissing(Throwable failure) {
    return Causes.has(failure, UnknownTopicOrPartitionException.class);
  }

  /**
   * "Outer: message; caused by Inner: message": Kafka's "Failed to construct kafka producer" says
   * nothing by itself, its causes say what was wrong.
   */
  static String causes(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable cause : Causes.chain(failure)) {
      text.append(text.isEmpty() ? "" : "; caused by ").append(cause);
    }
    return text.toString();
  }
}
