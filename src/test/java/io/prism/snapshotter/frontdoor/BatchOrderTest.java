package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.prism.snapshotter.proto.pubsub.BatchPublishRequest;
import io.prism.snapshotter.proto.pubsub.BatchPublishResponse;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A batch whose first event Kafka refuses at once (no metadata within max.block.ms, as while the
 * broker restarts) sends none of the later ones: otherwise they could be stored without it, and the
 * client's retry of the whole batch would store the earlier events after them — out of the writer's
 * order. Found by bin/chaos (broker SIGKILL under BatchPublish load).
 */
class BatchOrderTest {
  /** Kafka's own test producer, refusing its first send() the way a metadata timeout does. */
  private static final class FirstSendTimesOut extends MockProducer<String, byte[]> {
    private boolean refused;

    FirstSendTimesOut() {
      super(true, null, new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public synchronized Future<RecordMetadata> send(
        ProducerRecord<String, byte[]> record, Callback callback) {
      if (!refused) {
        refused = true;
        throw new TimeoutException("Topic events not present in metadata after 5000 ms.");
      }
      return super.send(record, callback);
    }
  }

  @Test
  void aBatchStopsSendingAtItsFirstRefusedEvent() throws Exception {
    FirstSendTimesOut kafka = new FirstSendTimesOut();
    InFlightLimit inFlight = new InFlightLimit(10);
    PublishService service =
        new PublishService(
            new EventProducer(kafka, "events", Clock.systemUTC()),
            new InputRules(PublishLimits.DEFAULTS),
            inFlight,
            16);
    BatchPublishRequest.Builder batch = BatchPublishRequest.newBuilder();
    for (int i = 0; i < 3; i++) {
      batch.addEvents(
          PublishRequest.newBuilder()
              .setTopic("writer-1")
              .setPayload(ByteString.copyFromUtf8("e" + i)));
    }

    Throwable answer = failureOf(service, batch.build());

    assertThat(Status.fromThrowable(answer).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(kafka.history()).as("events after the refused one").isEmpty();
    assertThat(inFlight.tryAcquire(10)).as("every reserved slot released").isTrue();
  }

  /** Kafka's test producer, refusing one record as too large, as the topic's limit does. */
  private static final class RefusesLargeRecords extends MockProducer<String, byte[]> {
    RefusesLargeRecords() {
      super(true, null, new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public synchronized Future<RecordMetadata> send(
        ProducerRecord<String, byte[]> record, Callback callback) {
      if (record.value().length > 100) {
        RecordTooLargeException tooLarge =
            new RecordTooLargeException("The request included a message larger than the max");
        callback.onCompletion(null, tooLarge);
        CompletableFuture<RecordMetadata> failed = new CompletableFuture<>();
        failed.completeExceptionally(tooLarge);
        return failed;
      }
      return super.send(record, callback);
    }
  }

  @Test
  void aBatchEventKafkaRefusesAsTooLargeIsNamedAndTheEventsSentBeforeItAreSaidToBe()
      throws Exception {
    RefusesLargeRecords kafka = new RefusesLargeRecords();
    PublishService service =
        new PublishService(
            new EventProducer(kafka, "events", Clock.systemUTC()),
            new InputRules(PublishLimits.DEFAULTS),
            new InFlightLimit(10),
            16);
    BatchPublishRequest batch =
        BatchPublishRequest.newBuilder()
            .addEvents(
                PublishRequest.newBuilder().setTopic("w").setPayload(ByteString.copyFromUtf8("e0")))
            .addEvents(
                PublishRequest.newBuilder()
                    .setTopic("w")
                    .setPayload(ByteString.copyFrom(new byte[1_000])))
            .build();

    Status status = Status.fromThrowable(failureOf(service, batch));
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription())
        .startsWith("events[1].payload: ")
        .contains("events[0..0] were sent before it and may be stored");
    assertThat(kafka.history()).as("the event before it").hasSize(1);
  }

  /** The failure the batch is answered with; null when it is answered with results. */
  private static Throwable failureOf(PublishService service, BatchPublishRequest batch)
      throws Exception {
    CompletableFuture<Throwable> answer = new CompletableFuture<>();
    service.batchPublish(
        batch,
        new StreamObserver<BatchPublishResponse>() {
          @Override
          public void onNext(BatchPublishResponse value) {
            answer.complete(null);
          }

          @Override
          public void onError(Throwable t) {
            answer.complete(t);
          }

          @Override
          public void onCompleted() {}
        });
    return answer.get(10, TimeUnit.SECONDS);
  }
}
