package io.prism.snapshotter.frontdoor;

import io.prism.snapshotter.util.Causes;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * One question to Kafka that writes nothing: does it answer, and may the front door's principal
 * write to the topic? Asked at start once Kafka answered the first producer (is Write granted, not
 * only Describe?), while no record was acknowledged for a while (is Kafka gone?) and while Kafka
 * refuses the front door (is the permission granted again?), so that none needs a record in the
 * topic or a new producer per attempt. {@link AdminKafkaCheck} asks a real cluster.
 */
@FunctionalInterface
interface KafkaCheck extends AutoCloseable {
  /** No check: every answer is {@link Kind#UNCLEAR}, so the front door behaves as without one. */
  KafkaCheck NONE = timeout -> Answer.unclear(null);

  /** What Kafka's answer says. */
  enum Kind {
    /** Kafka answered and grants the front door's principal Write on the topic. */
    WRITABLE,
    /**
     * Kafka answered, but the front door cannot write: the principal is refused (credentials,
     * Describe or Write denied), or the topic is not there.
     */
    NOT_WRITABLE,
    /** No answer within the timeout: nothing reachable, or a network error. */
    SILENT,
    /** The question itself failed in a way that says nothing about Kafka (or there is none). */
    UNCLEAR
  }

  /**
   * @param failure why the answer is not {@link Kind#WRITABLE} (null for that, or if unknown)
   */
  record Answer(Kind kind, Throwable failure) {
    static Answer writable() {
      return new Answer(Kind.WRITABLE, null);
    }

    static Answer unclear(Throwable failure) {
      return new Answer(Kind.UNCLEAR, failure);
    }

    /**
     * Whether Kafka answered at all (anything but {@link Kind#SILENT}, a question that failed
     * included: only a timeout or a network error counts as Kafka being gone).
     */
    boolean answered() {
      return kind != Kind.SILENT;
    }

    /** "TimeoutException: ..." for the log and health, or the kind if there is no failure. */
    String describe() {
      return failure == null ? kind.toString() : failure.toString();
    }

    /**
     * What a failed question says: Kafka refused (authentication, authorization) or has no such
     * topic: {@link Kind#NOT_WRITABLE}; no answer (a timeout, a network error, no name in
     * bootstrap.servers resolving): {@link Kind#SILENT}; anything else: {@link Kind#UNCLEAR}.
     */
    static Answer of(Throwable failure) {
      Throwable cause = Causes.unwrapped(failure);
      if (KafkaFailures.denial(cause) != null
          || cause instanceof UnknownTopicOrPartitionException) {
        return new Answer(Kind.NOT_WRITABLE, cause);
      }
      if (cause instanceof TimeoutException
          || cause instanceof java.util.concurrent.TimeoutException
          || cause instanceof NetworkException
          || cause instanceof DisconnectException
          || KafkaFailures.bootstrapUnresolvable(cause)) {
        return new Answer(Kind.SILENT, cause);
      }
      return unclear(cause);
    }
  }

  /** Asks Kafka, waiting at most about {@code timeout}; never throws. */
  Answer ask(Duration timeout);

  /**
   * Why this check cannot ask Kafka at all (every answer is "cannot tell"), for health: empty while
   * it can, or while nothing says it cannot.
   */
  default Optional<String> off() {
    return Optional.empty();
  }

  @Override
  default void close() {}
}
