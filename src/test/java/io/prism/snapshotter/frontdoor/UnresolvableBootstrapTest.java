package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A broker name that does not resolve yet (its container not started: everything started at once)
 * is waited for like a broker that does not answer; Kafka's client refuses it in its constructor,
 * which used to fail the start.
 */
class UnresolvableBootstrapTest {
  @Test
  void theFrontDoorStartsAndWaitsForTheNameToResolve() throws Exception {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", "kafka-not-started-yet.invalid:9092");
    config.put(FrontDoorConfig.TOPIC, "events");
    config.put(FrontDoorConfig.LISTEN, "127.0.0.1:0");
    config.put(FrontDoorConfig.SHUTDOWN_GRACE_MS, "1000");
    config.put(FrontDoorConfig.PRODUCER_REPLACE_BACKOFF_MS, "50");
    try (FrontDoorServer server = FrontDoorServer.start(new FrontDoorConfig(config))) {
      ManagedChannel channel = FrontDoorFixture.plaintextChannel(server);
      try {
        assertThat(server.awaitServing(Duration.ofMillis(500))).isFalse();
        assertThat(HealthWatch.check(channel, "")).isEqualTo(ServingStatus.NOT_SERVING);
        assertThatThrownBy(
                () ->
                    PubSubBasicInterfaceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .publish(FrontDoorIT.event("w", "p").build()))
            .asInstanceOf(type(StatusRuntimeException.class))
            .satisfies(
                e -> {
                  assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                  assertThat(e.getStatus().getDescription())
                      .contains("has not reached Kafka yet")
                      .contains("was not sent");
                });
      } finally {
        FrontDoorFixture.close(channel);
      }
    }
  }
}
