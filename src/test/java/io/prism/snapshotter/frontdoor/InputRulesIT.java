package io.prism.snapshotter.frontdoor;

import static io.prism.snapshotter.frontdoor.FrontDoorIT.event;
import static io.prism.snapshotter.frontdoor.FrontDoorIT.observer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.prism.snapshotter.proto.pubsub.BatchPublishRequest;
import io.prism.snapshotter.proto.pubsub.BatchPublishResponse;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import io.prism.snapshotter.proto.pubsub.PublishResponse;
import io.prism.snapshotter.proto.pubsub.PublishSessionResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every input rule returns its status, naming the field, through the wire; and a refused call
 * stores nothing (a valid sentinel event published afterwards is the only record).
 */
class InputRulesIT {
  private static InJvmKafka kafka;

  private String topic;
  private FrontDoorServer server;
  private ManagedChannel channel;
  private PubSubBasicInterfaceGrpc.PubSubBasicInterfaceBlockingStub blocking;

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
    topic = kafka.createTopic(1);
    Map<String, Object> config = FrontDoorFixture.config(kafka, topic);
    config.put(FrontDoorConfig.MAX_WRITER_ID_BYTES, "32");
    config.put(FrontDoorConfig.MAX_PAYLOAD_BYTES, "1024");
    config.put(FrontDoorConfig.MAX_ATTRIBUTES, "4");
    config.put(FrontDoorConfig.MAX_ATTRIBUTE_KEY_BYTES, "16");
    config.put(FrontDoorConfig.MAX_ATTRIBUTE_VALUE_BYTES, "32");
    config.put(FrontDoorConfig.MAX_BATCH_EVENTS, "10");
    config.put(FrontDoorConfig.MAX_INFLIGHT_EVENTS, "5");
    server = FrontDoorFixture.start(config);
    channel = FrontDoorFixture.plaintextChannel(server);
    blocking =
        PubSubBasicInterfaceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stopFrontDoor() throws Exception {
    FrontDoorFixture.close(channel);
    server.close();
  }

  static Stream<Arguments> invalidEvents() {
    return Stream.of(
        Arguments.of("empty writer id", event("", "p"), "topic: the writer id is empty"),
        Arguments.of(
            "writer id too long", event("w".repeat(33), "p"), "topic: the writer id is 33 bytes"),
        Arguments.of(
            "payload over the limit",
            event("w", "x".repeat(1025)),
            "payload: the payload is 1025 bytes"),
        Arguments.of(
            "too many attributes",
            event("w", "p")
                .putAttributes("a", "1")
                .putAttributes("b", "2")
                .putAttributes("c", "3")
                .putAttributes("d", "4")
                .putAttributes("e", "5"),
            "attributes: 5 attributes"),
        Arguments.of(
            "attribute name too long",
            event("w", "p").putAttributes("k".repeat(17), "v"),
            "attributes: an attribute name is 17 bytes"),
        Arguments.of(
            "attribute value too long",
            event("w", "p").putAttributes("k", "v".repeat(33)),
            "attributes[\"k\"]: the value is 33 bytes"),
        Arguments.of(
            "reserved header name",
            event("w", "p").putAttributes(FrontDoorHeaders.SESSION, "end"),
            "attributes[\"prism.session\"]: names starting with \"prism.\" are reserved"),
        Arguments.of(
            "empty event id",
            event("w", "p").putAttributes(FrontDoorHeaders.EVENT_ID, ""),
            "attributes[\"prism.event_id\"]: an event id must not be empty"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidEvents")
  void publishRefusesAnInvalidEventNamingTheField(
      String rule, PublishRequest.Builder event, String message) {
    assertStatus(() -> blocking.publish(event.build()), Status.Code.INVALID_ARGUMENT, message);
    assertOnlySentinelStored();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidEvents")
  void batchRefusesAnInvalidEventNamingItsIndex(
      String rule, PublishRequest.Builder event, String message) {
    BatchPublishRequest batch =
        BatchPublishRequest.newBuilder().addEvents(event("w", "fine")).addEvents(event).build();
    assertStatus(
        () -> blocking.batchPublish(batch), Status.Code.INVALID_ARGUMENT, "events[1]." + message);
    assertOnlySentinelStored();
  }

  @Test
  void invalidUtf8IsRefusedNamingTheField() {
    var publish =
        RawCalls.raw(
            PubSubBasicInterfaceGrpc.getPublishMethod(), PublishResponse.getDefaultInstance());
    assertStatus(
        () ->
            ClientCalls.blockingUnaryCall(
                channel,
                publish,
                CallOptions.DEFAULT,
                RawCalls.publishRequestWithTopic(RawCalls.INVALID_UTF8).toByteArray()),
        Status.Code.INVALID_ARGUMENT,
        "topic: not valid UTF-8");
    assertStatus(
        () ->
            ClientCalls.blockingUnaryCall(
                channel,
                publish,
                CallOptions.DEFAULT,
                RawCalls.publishRequestWithAttributeValue(RawCalls.INVALID_UTF8).toByteArray()),
        Status.Code.INVALID_ARGUMENT,
        "attributes[0].value: not valid UTF-8");

    var batch =
        RawCalls.raw(
            PubSubBasicInterfaceGrpc.getBatchPublishMethod(),
            BatchPublishResponse.getDefaultInstance());
    ByteString good = RawCalls.publishRequestWithTopic(ByteString.copyFromUtf8("w"));
    assertStatus(
        () ->
            ClientCalls.blockingUnaryCall(
                channel,
                batch,
                CallOptions.DEFAULT,
                RawCalls.batchOf(
                        good, good, RawCalls.publishRequestWithTopic(RawCalls.INVALID_UTF8))
                    .toByteArray()),
        Status.Code.INVALID_ARGUMENT,
        "events[2].topic: not valid UTF-8");
    assertOnlySentinelStored();
  }

  @Test
  void batchOverItsSizeLimitOrEmptyIsRefused() {
    BatchPublishRequest.Builder eleven = BatchPublishRequest.newBuilder();
    for (int i = 0; i < 11; i++) {
      eleven.addEvents(event("w", "p"));
    }
    assertStatus(
        () -> blocking.batchPublish(eleven.build()),
        Status.Code.INVALID_ARGUMENT,
        "events: 11 events, over the limit of 10");
    assertStatus(
        () -> blocking.batchPublish(BatchPublishRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT,
        "events: the batch is empty");
    assertOnlySentinelStored();
  }

  @Test
  void moreEventsInFlightThanTheFrontDoorTakesIsResourceExhausted() {
    BatchPublishRequest.Builder six = BatchPublishRequest.newBuilder();
    for (int i = 0; i < 6; i++) {
      six.addEvents(event("w", "p"));
    }
    assertStatus(
        () -> blocking.batchPublish(six.build()),
        Status.Code.RESOURCE_EXHAUSTED,
        "the front door has too many");
    assertOnlySentinelStored();
  }

  @Test
  void sessionNamingASecondWriterIsRefusedAndTheFirstWritersSessionEnds() throws Exception {
    CompletableFuture<PublishSessionResponse> answer = new CompletableFuture<>();
    StreamObserver<PublishRequest> session =
        PubSubBasicInterfaceGrpc.newStub(channel).publishSession(observer(answer));
    session.onNext(event("first", "1").build());
    session.onNext(event("second", "2").build());
    session.onCompleted();

    assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .asInstanceOf(type(StatusRuntimeException.class))
        .satisfies(e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .satisfies(
            e ->
                assertThat(e.getStatus().getDescription())
                    .startsWith("topic: a session carries one writer"));
    List<ConsumerRecord<String, byte[]>> records = kafka.read(topic, 2);
    assertThat(records).extracting(ConsumerRecord::key).containsExactly("first", "first");
    assertThat(FrontDoorFixture.header(records.get(1), FrontDoorHeaders.SESSION)).isEqualTo("end");
  }

  @Test
  void sessionWithInvalidUtf8IsRefusedAndStillEnds() throws Exception {
    var method =
        RawCalls.raw(
            PubSubBasicInterfaceGrpc.getPublishSessionMethod(),
            PublishSessionResponse.getDefaultInstance());
    ClientCall<byte[], PublishSessionResponse> call = channel.newCall(method, CallOptions.DEFAULT);
    CompletableFuture<PublishSessionResponse> answer = new CompletableFuture<>();
    StreamObserver<byte[]> session = ClientCalls.asyncClientStreamingCall(call, observer(answer));
    session.onNext(
        RawCalls.publishRequestWithTopic(ByteString.copyFromUtf8("utf8-writer")).toByteArray());
    assertThat(kafka.read(topic, 1)).hasSize(1);
    session.onNext(RawCalls.publishRequestWithTopic(RawCalls.INVALID_UTF8).toByteArray());

    assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
        .cause()
        .asInstanceOf(type(StatusRuntimeException.class))
        .satisfies(e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .satisfies(
            e -> assertThat(e.getStatus().getDescription()).isEqualTo("topic: not valid UTF-8"));
    List<ConsumerRecord<String, byte[]>> records = kafka.read(topic, 2);
    assertThat(records).hasSize(2);
    assertThat(FrontDoorFixture.header(records.get(1), FrontDoorHeaders.SESSION)).isEqualTo("end");
    assertThat(records.get(1).key()).isEqualTo("utf8-writer");
  }

  private static void assertStatus(
      ThrowingCallable call, Status.Code code, String descriptionStart) {
    assertThatThrownBy(call)
        .asInstanceOf(type(StatusRuntimeException.class))
        .satisfies(
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).startsWith(descriptionStart);
            });
  }

  /** Publishes a valid event and checks that it is the only record: nothing refused was stored. */
  private void assertOnlySentinelStored() {
    blocking.publish(event("sentinel", "last").build());
    assertThat(kafka.read(topic, 1)).extracting(ConsumerRecord::key).containsExactly("sentinel");
  }
}
