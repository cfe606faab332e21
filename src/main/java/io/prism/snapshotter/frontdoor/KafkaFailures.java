package io.prism.snapshotter.frontdoor;

import io.grpc.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.ApplicationRecoverableException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * The one place where a failed Kafka send becomes a gRPC status, and where a failure that breaks
 * the producer is recognised. Anything that leaves the event's fate unknown is {@code UNAVAILABLE}:
 * the client may retry, and the message says that a retry can store a second copy that replay drops
 * by event id.
 */
final class KafkaFailures {
  private KafkaFailures() {}

  /**
   * @param eventIdHeader the event id header's name, for the advice on retries
   */
  static Status toStatus(Throwable failure, String eventIdHeader) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ProducerUnavailableException) {
      return Status.UNAVAILABLE.withDescription(cause.getMessage());
    }
    Throwable breaking = producerBreaking(failure);
    if (breaking != null) {
      // Before the authorization case below: a producer denied idempotent writes is replaced, and
      // works again once the front door's Kafka permissions are fixed.
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
    if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
      // The front door's own Kafka credentials are wrong: nothing the client can fix.
      return Status.INTERNAL.withDescription(
          "the front door may not write to Kafka: " + cause.getMessage());
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
   * Whether a failed send leaves its producer unusable: every later send fails the same way until
   * the producer is closed and a new one made ({@link ProducerSupervisor}). Kafka's "application
   * recoverable" errors (fenced, invalid epoch or producer id mapping), idempotent writes denied
   * ({@code ClusterAuthorizationException}), a broker too old for the producer, and a producer
   * closed under the front door. A real producer in that state throws a {@code KafkaException} from
   * send() whose cause is the first error: the whole cause chain counts.
   */
  static boolean breaksProducer(Throwable failure) {
    return producerBreaking(failure) != null;
  }

  private static Throwable producerBreaking(Throwable failure) {
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < 8; depth++, cause = cause.getCause()) {
      if (cause instanceof ApplicationRecoverableException
          || cause instanceof ClusterAuthorizationException
          || cause instanceof TransactionalIdAuthorizationException
          || cause instanceof UnsupportedVersionException
          || cause instanceof IllegalStateException) {
        return cause;
      }
    }
    return null;
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
