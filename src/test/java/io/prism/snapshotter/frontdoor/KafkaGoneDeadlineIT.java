package io.prism.snapshotter.frontdoor;

import static io.prism.snapshotter.frontdoor.FrontDoorIT.event;
import static io.prism.snapshotter.frontdoor.FrontDoorIT.observer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.prism.snapshotter.proto.pubsub.BatchPublishRequest;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import io.prism.snapshotter.proto.pubsub.PublishSessionResponse;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka goes away after the front door has started and served (a real broker, stopped): a caller
 * whose deadline is shorter than {@code max.block.ms} and {@code delivery.timeout.ms} gets
 * DEADLINE_EXCEEDED within about its deadline, for Publish, BatchPublish and PublishSession, not an
 * answer after Kafka's timeouts. (Before Kafka has answered at start, calls are refused UNAVAILABLE
 * at once instead: {@link KafkaUnreachableIT}.)
 */
class KafkaGoneDeadlineIT {
  private static final long DEADLINE_MILLIS = 1_000;

  /** Well below max.block.ms and delivery.timeout.ms (10 s and more). */
  private static final long ABOUT_THE_DEADLINE_MILLIS = 4_000;

  @TempDir Path directory;

  @Test
  void aShortDeadlineIsHonouredWhileKafkaIsGone() throws Exception {
    try (BrokerProcess broker = BrokerProcess.format(directory)) {
      broker.start();
      broker.createTopic("gone");
      Map<String, Object> config = new HashMap<>();
      config.put("bootstrap.servers", broker.bootstrapServers());
      config.put(FrontDoorConfig.TOPIC, "gone");
      config.put(FrontDoorConfig.LISTEN, "127.0.0.1:0");
      config.put(FrontDoorConfig.SHUTDOWN_GRACE_MS, "1000");
      config.put("max.block.ms", "15000");
      config.put("request.timeout.ms", "5000");
      // Not longer: the shutdown at the end waits this long for the events sent while Kafka is
      // gone.
      config.put("delivery.timeout.ms", "10000");
      config.put("reconnect.backoff.max.ms", "500");
      try (FrontDoorServer server =
          FrontDoorFixture.serving(FrontDoorServer.start(new FrontDoorConfig(config)))) {
        ManagedChannel channel = FrontDoorFixture.plaintextChannel(server);
        try {
          PubSubBasicInterfaceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(30, TimeUnit.SECONDS)
              .publish(event("writer-1", "before").build());

          broker.stop();

          assertEndsInAboutTheDeadline(
              () ->
                  catchThrowable(
                      () ->
                          PubSubBasicInterfaceGrpc.newBlockingStub(channel)
                              .withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                              .publish(event("writer-1", "while gone").build())));
          assertEndsInAboutTheDeadline(
              () ->
                  catchThrowable(
                      () ->
                          PubSubBasicInterfaceGrpc.newBlockingStub(channel)
                              .withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                              .batchPublish(
                                  BatchPublishRequest.newBuilder()
                                      .addEvents(event("writer-2", "1"))
                                      .addEvents(event("writer-2", "2"))
                                      .build())));
          assertEndsInAboutTheDeadline(
              () -> {
                CompletableFuture<PublishSessionResponse> answer = new CompletableFuture<>();
                StreamObserver<PublishRequest> session =
                    PubSubBasicInterfaceGrpc.newStub(channel)
                        .withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                        .publishSession(observer(answer));
                session.onNext(event("writer-3", "while gone").build());
                session.onCompleted();
                Throwable failure = catchThrowable(() -> answer.get(60, TimeUnit.SECONDS));
                return failure instanceof ExecutionException ? failure.getCause() : failure;
              });

          // bin/snapshotter publish says which deadline passed, and that it reached the front door.
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          String target = "127.0.0.1:" + server.port();
          int exit =
              FrontDoorClient.run(
                  new ClientOptions(
                      target,
                      "writer-4",
                      Map.of(),
                      false,
                      Optional.empty(),
                      Optional.empty(),
                      Optional.empty(),
                      Optional.empty(),
                      Duration.ofMillis(DEADLINE_MILLIS)),
                  new BufferedReader(new StringReader("while gone\n")),
                  new PrintStream(out, true, StandardCharsets.UTF_8));
          assertThat(exit).isEqualTo(1);
          assertThat(out.toString(StandardCharsets.UTF_8))
              .startsWith(
                  "DEADLINE_EXCEEDED: front door at "
                      + target
                      + ": no answer within the deadline of 1000 ms (--deadline-ms), given up"
                      + " after ")
              .endsWith("; it is connected, but the front door did not answer in time\n");
        } finally {
          FrontDoorFixture.close(channel);
        }
      }
    }
  }

  /** {@code call} fails with DEADLINE_EXCEEDED, well before Kafka's own timeouts. */
  private static void assertEndsInAboutTheDeadline(Supplier<Throwable> call) {
    long start = System.nanoTime();
    Throwable failure = call.get();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(failure).isInstanceOf(StatusRuntimeException.class);
    assertThat(((StatusRuntimeException) failure).getStatus().getCode())
        .as("%s", failure)
        .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(millis)
        .as("answered after %d ms, deadline %d ms", millis, DEADLINE_MILLIS)
        .isGreaterThanOrEqualTo(DEADLINE_MILLIS - 100)
        .isLessThan(ABOUT_THE_DEADLINE_MILLIS);
  }
}
