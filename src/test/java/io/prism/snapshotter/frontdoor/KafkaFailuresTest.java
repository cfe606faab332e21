package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.junit.jupiter.api.Test;

class KafkaFailuresTest {
  @Test
  void unknownFatesAreUnavailableAndSaySo() {
    Status timeout =
        KafkaFailures.toStatus(
            new CompletionException(new TimeoutException("expired")),
            FrontDoorHeaders.EVENT_ID,
            "events");
    assertThat(timeout.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(timeout.getDescription())
        .contains("TimeoutException: expired")
        .contains("may or may not be stored");
    assertThat(
            KafkaFailures.toStatus(
                    new NotEnoughReplicasException("isr"), FrontDoorHeaders.EVENT_ID, "events")
                .getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void tooLargeIsTheClientsProblem() {
    assertThat(
            KafkaFailures.toStatus(
                    new RecordTooLargeException("big"), FrontDoorHeaders.EVENT_ID, "events")
                .getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  /**
   * Kafka refusing the front door's own principal is nothing the caller can fix, and every call
   * fails the same way until an operator does: UNAVAILABLE (retry with backoff; it works once
   * fixed), naming the topic and what to grant, and the producer counts as unable to serve (health
   * NOT_SERVING while it is replaced).
   */
  @Test
  void kafkaRefusingTheFrontDoorIsUnavailableNamesTheTopicAndBreaksTheProducer() {
    Status topicDenied =
        KafkaFailures.toStatus(
            new CompletionException(
                new TopicAuthorizationException("Not authorized to access topics: [events]")),
            FrontDoorHeaders.EVENT_ID,
            "events");
    assertThat(topicDenied.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(topicDenied.getDescription())
        .contains("Kafka refuses the front door's producer for topic events")
        .contains("TopicAuthorizationException: Not authorized to access topics: [events]")
        .contains("grant its Kafka principal Write and Describe on topic events")
        .contains("was not stored")
        .contains("NOT_SERVING")
        .contains("retry with backoff");
    Status badPassword =
        KafkaFailures.toStatus(
            new SaslAuthenticationException("Authentication failed: Invalid username or password"),
            FrontDoorHeaders.EVENT_ID,
            "events");
    assertThat(badPassword.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(badPassword.getDescription())
        .contains("topic events")
        .contains("Invalid username or password")
        .contains("correct the front door's Kafka credentials");

    for (Throwable denied :
        new Throwable[] {
          new TopicAuthorizationException("no"),
          new ClusterAuthorizationException("IdempotentWrite"),
          new TransactionalIdAuthorizationException("no"),
          new SaslAuthenticationException("no"),
          new KafkaException("in an error state", new TopicAuthorizationException("no"))
        }) {
      assertThat(KafkaFailures.breaksProducer(denied)).as(denied.toString()).isTrue();
      assertThat(KafkaFailures.denial(denied)).as(denied.toString()).isNotNull();
    }
    assertThat(KafkaFailures.denial(new TimeoutException("expired"))).isNull();
  }
}
