package io.prism.snapshotter.frontdoor;

import static io.prism.snapshotter.frontdoor.FrontDoorIT.event;
import static io.prism.snapshotter.frontdoor.FrontDoorIT.observer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.stub.StreamObserver;
import io.prism.snapshotter.proto.pubsub.BatchPublishRequest;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import io.prism.snapshotter.proto.pubsub.PublishSessionResponse;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kafka that never answers (nothing listens at its address) from the start: the front door keeps
 * running and waiting, says NOT_SERVING, and refuses every call UNAVAILABLE at once, saying that
 * nothing was sent (a retry cannot store a second copy). "At once" is tested as "without waiting
 * for Kafka": well before {@code max.block.ms}, which is long here, so that a loaded machine cannot
 * make the test fail. Refused before any wait, a call's short deadline does not come into it here;
 * a deadline shorter than Kafka's timeouts once Kafka went away after the start is {@link
 * KafkaGoneDeadlineIT}.
 */
class KafkaUnreachableIT {
  /** How long a call that waited for Kafka would take at least. */
  private static final long MAX_BLOCK_MILLIS = 20_000;

  private FrontDoorServer server;
  private ManagedChannel channel;
  private PubSubBasicInterfaceGrpc.PubSubBasicInterfaceBlockingStub blocking;

  @BeforeEach
  void startFrontDoorWithoutKafka() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", "127.0.0.1:" + closedPort);
    config.put(FrontDoorConfig.TOPIC, "events");
    config.put(FrontDoorConfig.LISTEN, "127.0.0.1:0");
    config.put(FrontDoorConfig.SHUTDOWN_GRACE_MS, "1000");
    config.put("max.block.ms", Long.toString(MAX_BLOCK_MILLIS));
    server = FrontDoorServer.start(new FrontDoorConfig(config));
    channel = FrontDoorFixture.plaintextChannel(server);
    blocking = PubSubBasicInterfaceGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() throws Exception {
    FrontDoorFixture.close(channel);
    server.close();
  }

  @Test
  void publishIsRefusedAtOnceAndSaysNothingWasSent() throws Exception {
    assertThat(server.awaitServing(Duration.ofSeconds(4))).as("attempts fail; it waits").isFalse();
    assertThat(HealthWatch.check(channel, "")).isEqualTo(ServingStatus.NOT_SERVING);
    long start = System.nanoTime();
    assertThatThrownBy(
            () -> blocking.withDeadlineAfter(60, TimeUnit.SECONDS).publish(event("w", "p").build()))
        .asInstanceOf(type(StatusRuntimeException.class))
        .satisfies(
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription())
                  .contains("has not reached Kafka yet")
                  .contains("events")
                  .contains("was not sent");
            });
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .as("refused without waiting for Kafka (max.block.ms)")
        .isLessThan(MAX_BLOCK_MILLIS);
  }

  @Test
  void batchIsUnavailable() {
    BatchPublishRequest batch =
        BatchPublishRequest.newBuilder()
            .addEvents(event("a", "1"))
            .addEvents(event("b", "2"))
            .build();
    assertThatThrownBy(() -> blocking.withDeadlineAfter(20, TimeUnit.SECONDS).batchPublish(batch))
        .asInstanceOf(type(StatusRuntimeException.class))
        .satisfies(e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void sessionIsUnavailable() {
    CompletableFuture<PublishSessionResponse> answer = new CompletableFuture<>();
    StreamObserver<PublishRequest> session =
        PubSubBasicInterfaceGrpc.newStub(channel)
            .withDeadlineAfter(20, TimeUnit.SECONDS)
            .publishSession(observer(answer));
    session.onNext(event("w", "p").build());
    session.onCompleted();
    assertThatThrownBy(() -> answer.get(20, TimeUnit.SECONDS))
        .cause()
        .asInstanceOf(type(StatusRuntimeException.class))
        .satisfies(e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }
}
