package io.prism.snapshotter.frontdoor;

import static io.prism.snapshotter.frontdoor.FrontDoorFixture.coordinates;
import static io.prism.snapshotter.frontdoor.FrontDoorFixture.header;
import static io.prism.snapshotter.frontdoor.FrontDoorFixture.value;
import static java.util.stream.Collectors.groupingBy;
import static java.util.stream.Collectors.mapping;
import static java.util.stream.Collectors.toList;
import static java.util.stream.Collectors.toSet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.prism.snapshotter.metrics.FrontDoorMetrics;
import io.prism.snapshotter.proto.pubsub.BatchPublishRequest;
import io.prism.snapshotter.proto.pubsub.BatchPublishResponse;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import io.prism.snapshotter.proto.pubsub.PublishResponse;
import io.prism.snapshotter.proto.pubsub.PublishSessionResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Unary, batch and session publish through a real front door into a real in-JVM broker. */
class FrontDoorIT {
  private static InJvmKafka kafka;

  private String topic;
  private FrontDoorServer server;
  private ManagedChannel channel;
  private PubSubBasicInterfaceGrpc.PubSubBasicInterfaceBlockingStub blocking;
  private PubSubBasicInterfaceGrpc.PubSubBasicInterfaceStub async;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = InJvmKafka.start();
  }

  @AfterAll
  static void stopKafka() throws Exception {
    kafka.close();
  }

  @BeforeEach
  void startFrontDoor() throws Exception {
    topic = kafka.createTopic(3);
    server = FrontDoorFixture.start(FrontDoorFixture.config(kafka, topic));
    channel = FrontDoorFixture.plaintextChannel(server);
    blocking =
        PubSubBasicInterfaceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    async = PubSubBasicInterfaceGrpc.newStub(channel);
  }

  @AfterEach
  void stopFrontDoor() throws Exception {
    FrontDoorFixture.close(channel);
    server.close();
  }

  @Test
  void publishStoresOneRecordWithWriterKeyPayloadAndHeaders() {
    long before = System.currentTimeMillis();
    PublishResponse own =
        blocking.publish(
            event("writer-1", "hello")
                .putAttributes("trace", "t-1")
                .putAttributes(FrontDoorHeaders.EVENT_ID, "my-id-1")
                .build());
    PublishResponse generated = blocking.publish(event("writer-1", "again").build());

    List<ConsumerRecord<String, byte[]>> records = kafka.read(topic, 2);
    assertThat(records).hasSize(2);
    ConsumerRecord<String, byte[]> first = records.get(0);
    assertThat(first.key()).isEqualTo("writer-1");
    assertThat(value(first)).isEqualTo("hello");
    assertThat(header(first, "trace")).isEqualTo("t-1");
    assertThat(header(first, FrontDoorHeaders.EVENT_ID)).isEqualTo("my-id-1");
    assertThat(Long.parseLong(header(first, FrontDoorHeaders.PUBLISH_TIME)))
        .isBetween(before, System.currentTimeMillis());
    assertThat(header(first, FrontDoorHeaders.SESSION)).isNull();
    assertThat(own.getMessageId()).isEqualTo(coordinates(first));
    assertThat(own.getSequence()).isEqualTo(first.offset());

    ConsumerRecord<String, byte[]> second = records.get(1);
    assertThat(header(second, FrontDoorHeaders.EVENT_ID)).hasSize(36); // a UUID
    assertThat(generated.getMessageId()).isEqualTo(coordinates(second));
    assertThat(generated.getSequence()).isGreaterThan(own.getSequence());
  }

  @Test
  void callsAreCountedByMethodAndFinalStatus() {
    long ok = FrontDoorMetrics.requests("Publish", "OK");
    long invalid = FrontDoorMetrics.requests("Publish", "INVALID_ARGUMENT");
    blocking.publish(event("writer-1", "counted").build());
    assertThatThrownBy(() -> blocking.publish(event("", "no writer").build()))
        .isInstanceOf(io.grpc.StatusRuntimeException.class);
    assertThat(FrontDoorMetrics.requests("Publish", "OK")).isEqualTo(ok + 1);
    assertThat(FrontDoorMetrics.requests("Publish", "INVALID_ARGUMENT")).isEqualTo(invalid + 1);
  }

  @Test
  void batchPublishAnswersInRequestOrderAndKeepsEachWritersOrder() {
    BatchPublishRequest.Builder batch = BatchPublishRequest.newBuilder();
    for (int i = 0; i < 60; i++) {
      batch.addEvents(event("writer-" + (i % 3), Integer.toString(i)));
    }
    BatchPublishResponse response = blocking.batchPublish(batch.build());

    assertThat(response.getResultsList()).hasSize(60);
    List<ConsumerRecord<String, byte[]>> records = kafka.read(topic, 60);
    assertThat(records).hasSize(60);
    Map<String, ConsumerRecord<String, byte[]>> byCoordinates = new java.util.HashMap<>();
    records.forEach(r -> byCoordinates.put(coordinates(r), r));
    for (int i = 0; i < 60; i++) {
      ConsumerRecord<String, byte[]> stored =
          byCoordinates.get(response.getResults(i).getMessageId());
      assertThat(stored).as("result %d", i).isNotNull();
      assertThat(value(stored)).isEqualTo(Integer.toString(i));
      assertThat(stored.key()).isEqualTo("writer-" + (i % 3));
    }
    Map<String, List<Integer>> payloadsByWriter =
        records.stream()
            .collect(
                groupingBy(
                    ConsumerRecord::key, mapping(r -> Integer.parseInt(value(r)), toList())));
    payloadsByWriter.values().forEach(payloads -> assertThat(payloads).isSorted().hasSize(20));
    assertThat(
            records.stream()
                .collect(
                    groupingBy(ConsumerRecord::key, mapping(ConsumerRecord::partition, toSet()))))
        .allSatisfy((writer, partitions) -> assertThat(partitions).hasSize(1));
  }

  @Test
  void sessionStoresItsEventsThenTheSessionEndRecord() throws Exception {
    CompletableFuture<PublishSessionResponse> answer = new CompletableFuture<>();
    StreamObserver<PublishRequest> session = async.publishSession(observer(answer));
    for (int i = 0; i < 25; i++) {
      session.onNext(event("session-writer", "s" + i).build());
    }
    session.onCompleted();
    PublishSessionResponse response = answer.get(30, TimeUnit.SECONDS);

    assertThat(response.getEventCount()).isEqualTo(25);
    List<ConsumerRecord<String, byte[]>> records = kafka.read(topic, 26);
    assertThat(records)
        .hasSize(26)
        .allSatisfy(r -> assertThat(r.key()).isEqualTo("session-writer"));
    assertThat(records.subList(0, 25))
        .extracting(FrontDoorFixture::value)
        .containsExactlyElementsOf(
            java.util.stream.IntStream.range(0, 25).mapToObj(i -> "s" + i).toList());
    ConsumerRecord<String, byte[]> end = records.get(25);
    assertThat(header(end, FrontDoorHeaders.SESSION)).isEqualTo(FrontDoorHeaders.SESSION_END);
    assertThat(end.value()).isEmpty();
    assertThat(response.getSessionEnd().getMessageId()).isEqualTo(coordinates(end));
    assertThat(response.getLastEvent().getMessageId()).isEqualTo(coordinates(records.get(24)));
  }

  @Test
  void headersRenamedForTheConnectorAreTheOnesWritten() throws Exception {
    String renamedTopic = kafka.createTopic(1);
    Map<String, Object> config = FrontDoorFixture.config(kafka, renamedTopic);
    config.put(FrontDoorConfig.EVENT_ID_HEADER, "x-event-id");
    config.put(FrontDoorConfig.SESSION_HEADER, "x-session");
    FrontDoorServer renamed = FrontDoorFixture.start(config);
    ManagedChannel renamedChannel = FrontDoorFixture.plaintextChannel(renamed);
    try {
      CompletableFuture<PublishSessionResponse> answer = new CompletableFuture<>();
      StreamObserver<PublishRequest> session =
          PubSubBasicInterfaceGrpc.newStub(renamedChannel).publishSession(observer(answer));
      session.onNext(event("w", "own id").putAttributes("x-event-id", "id-1").build());
      session.onNext(event("w", "no id").build());
      session.onCompleted();
      answer.get(30, TimeUnit.SECONDS);
    } finally {
      FrontDoorFixture.close(renamedChannel);
      renamed.close();
    }

    List<ConsumerRecord<String, byte[]>> records = kafka.read(renamedTopic, 3);
    assertThat(records).hasSize(3);
    assertThat(header(records.get(0), "x-event-id")).isEqualTo("id-1");
    assertThat(header(records.get(1), "x-event-id")).hasSize(36);
    assertThat(header(records.get(2), "x-session")).isEqualTo(FrontDoorHeaders.SESSION_END);
    assertThat(records)
        .allSatisfy(
            r -> {
              assertThat(header(r, FrontDoorHeaders.EVENT_ID)).isNull();
              assertThat(header(r, FrontDoorHeaders.SESSION)).isNull();
            });
  }

  @Test
  void sessionCancelledMidStreamStillProducesItsSessionEnd() throws Exception {
    StreamObserver<PublishRequest> session =
        async.publishSession(observer(new CompletableFuture<>()));
    for (int i = 0; i < 5; i++) {
      session.onNext(event("cancelled-writer", "c" + i).build());
    }
    assertThat(kafka.read(topic, 5)).hasSize(5);

    session.onError(new IllegalStateException("the client gives up")); // cancels the call

    List<ConsumerRecord<String, byte[]>> records = kafka.read(topic, 6);
    assertThat(records).hasSize(6);
    assertThat(header(records.get(5), FrontDoorHeaders.SESSION))
        .isEqualTo(FrontDoorHeaders.SESSION_END);
    assertThat(records.get(5).key()).isEqualTo("cancelled-writer");
  }

  @Test
  void sessionWhoseConnectionDropsStillProducesItsSessionEnd() throws Exception {
    StreamObserver<PublishRequest> session =
        async.publishSession(observer(new CompletableFuture<>()));
    for (int i = 0; i < 3; i++) {
      session.onNext(event("dropped-writer", "d" + i).build());
    }
    assertThat(kafka.read(topic, 3)).hasSize(3);

    channel.shutdownNow(); // the connection goes away without a half-close

    List<ConsumerRecord<String, byte[]>> records = kafka.read(topic, 4);
    assertThat(records).hasSize(4);
    assertThat(header(records.get(3), FrontDoorHeaders.SESSION))
        .isEqualTo(FrontDoorHeaders.SESSION_END);
  }

  @Test
  void healthServiceReportsServingAndReflectionDescribesThePublishService() throws Exception {
    HealthCheckResponse health =
        HealthGrpc.newBlockingStub(channel)
            .check(
                HealthCheckRequest.newBuilder()
                    .setService(PubSubBasicInterfaceGrpc.SERVICE_NAME)
                    .build());
    assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

    List<ServerReflectionResponse> answers = new ArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> reflection =
        ServerReflectionGrpc.newStub(channel)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse value) {
                    answers.add(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    done.complete(null);
                  }
                });
    reflection.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    reflection.onNext(
        ServerReflectionRequest.newBuilder()
            .setFileContainingSymbol(PubSubBasicInterfaceGrpc.SERVICE_NAME)
            .build());
    reflection.onCompleted();
    done.get(10, TimeUnit.SECONDS);

    assertThat(answers.get(0).getListServicesResponse().getServiceList())
        .extracting(s -> s.getName())
        .contains(PubSubBasicInterfaceGrpc.SERVICE_NAME);
    List<ByteString> files =
        answers.get(1).getFileDescriptorResponse().getFileDescriptorProtoList();
    assertThat(files).isNotEmpty();
    assertThat(
            com.google.protobuf.DescriptorProtos.FileDescriptorProto.parseFrom(files.get(0))
                .getName())
        .isEqualTo("prism/interfaces/pubsub_basic.proto");
  }

  @Test
  void publishAfterShutdownIsRefusedAndShutdownKeepsAcknowledgedEvents() throws Exception {
    BatchPublishRequest.Builder batch = BatchPublishRequest.newBuilder();
    for (int i = 0; i < 200; i++) {
      batch.addEvents(event("w", "x" + i));
    }
    assertThat(blocking.batchPublish(batch.build()).getResultsCount()).isEqualTo(200);
    server.close();

    assertThatThrownBy(() -> blocking.publish(event("w", "late").build()))
        .isInstanceOf(StatusRuntimeException.class);
    assertThat(kafka.read(topic, 200)).hasSize(200);
  }

  @Test
  void shutdownLetsAnOpenSessionFinishBeforeTheProducerCloses() throws Exception {
    CompletableFuture<PublishSessionResponse> answer = new CompletableFuture<>();
    StreamObserver<PublishRequest> session = async.publishSession(observer(answer));
    for (int i = 0; i < 10; i++) {
      session.onNext(event("draining-writer", "before-" + i).build());
    }
    assertThat(kafka.read(topic, 10)).hasSize(10);

    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    Thread.sleep(300);
    assertThat(closing).as("close waits for the open session").isNotDone();
    for (int i = 0; i < 10; i++) {
      session.onNext(event("draining-writer", "during-" + i).build());
    }
    session.onCompleted();

    assertThat(answer.get(30, TimeUnit.SECONDS).getEventCount()).isEqualTo(20);
    closing.get(30, TimeUnit.SECONDS);
    List<ConsumerRecord<String, byte[]>> records = kafka.read(topic, 21);
    assertThat(records).hasSize(21);
    assertThat(header(records.get(20), FrontDoorHeaders.SESSION))
        .isEqualTo(FrontDoorHeaders.SESSION_END);
  }

  static PublishRequest.Builder event(String writer, String payload) {
    return PublishRequest.newBuilder()
        .setTopic(writer)
        .setPayload(ByteString.copyFromUtf8(payload));
  }

  static <T> StreamObserver<T> observer(CompletableFuture<T> answer) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        answer.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        answer.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        answer.completeExceptionally(new IllegalStateException("completed without an answer"));
      }
    };
  }
}
