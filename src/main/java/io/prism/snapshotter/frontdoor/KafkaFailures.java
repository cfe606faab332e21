package io.prism.snapshotter.frontdoor;

import io.grpc.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * The one place where a failed Kafka send becomes a gRPC status. Anything that leaves the event's
 * fate unknown is {@code UNAVAILABLE}: the client may retry, and the message says that a retry can
 * store a second copy that replay drops by event id.
 */
final class KafkaFailures {
  private KafkaFailures() {}

  /**
   * @param eventIdHeader the event id header's name, for the advice on retries
   */
  static Status toStatus(Throwable failure, String eventIdHeader) {
    Throwable cause = unwrap(failure);
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

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
