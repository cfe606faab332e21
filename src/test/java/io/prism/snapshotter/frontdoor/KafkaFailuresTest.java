package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class KafkaFailuresTest {
  @Test
  void unknownFatesAreUnavailableAndSaySo() {
    Status timeout =
        KafkaFailures.toStatus(
            new CompletionException(new TimeoutException("expired")), FrontDoorHeaders.EVENT_ID);
    assertThat(timeout.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(timeout.getDescription())
        .contains("TimeoutException: expired")
        .contains("may or may not be stored");
    assertThat(
            KafkaFailures.toStatus(new NotEnoughReplicasException("isr"), FrontDoorHeaders.EVENT_ID)
                .getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void tooLargeIsTheClientsAndAuthorizationIsTheServersProblem() {
    assertThat(
            KafkaFailures.toStatus(new RecordTooLargeException("big"), FrontDoorHeaders.EVENT_ID)
                .getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(
            KafkaFailures.toStatus(new TopicAuthorizationException("no"), FrontDoorHeaders.EVENT_ID)
                .getCode())
        .isEqualTo(Status.Code.INTERNAL);
  }
}
