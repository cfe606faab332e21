package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.prism.snapshotter.proto.pubsub.BatchPublishRequest;
import io.prism.snapshotter.proto.pubsub.BatchPublishResponse;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A batch whose call ends (client cancellation, deadline) while an event is in send() — which may
 * block up to max.block.ms — sends none of the later events and answers nothing: the event in
 * send() and those before it may be stored, nothing after them is.
 */
class BatchCancellationTest {
  private final CountDownLatch e1InSend = new CountDownLatch(1);
  private final CountDownLatch releaseE1 = new CountDownLatch(1);

  /** Kafka's test producer, whose send() of "e1" waits (for metadata or buffer memory, say). */
  private final MockProducer<String, byte[]> kafka =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
        @Override
        public Future<RecordMetadata> send(
            ProducerRecord<String, byte[]> record, Callback callback) {
          if ("e1".equals(new String(record.value(), StandardCharsets.UTF_8))) {
            e1InSend.countDown();
            try {
              releaseE1.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return super.send(record, callback);
        }
      };

  private final InFlightLimit inFlight = new InFlightLimit(10);
  private final PublishService service =
      new PublishService(
          new EventProducer(kafka, "events", Clock.systemUTC()),
          new InputRules(PublishLimits.DEFAULTS),
          inFlight,
          16);
  private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopScheduler() {
    deadlines.shutdownNow();
  }

  @Test
  void aBatchCancelledWhileAnEventIsInSendSendsNothingAfterThatEvent() throws Exception {
    Context.CancellableContext call = Context.current().withCancellation();
    AtomicReference<String> answer = new AtomicReference<>();
    Thread grpc = new Thread(() -> call.run(() -> service.batchPublish(batch(), recorder(answer))));
    grpc.start();
    assertThat(e1InSend.await(5, TimeUnit.SECONDS)).isTrue();

    call.cancel(null); // the client cancels while e1 waits in send()
    releaseE1.countDown();
    grpc.join(5_000);

    assertThat(grpc.isAlive()).isFalse();
    assertThat(payloads()).as("sent before the cancellation was seen").containsExactly("e0", "e1");
    assertThat(answer.get()).as("the call is gone: nothing answered").isNull();
    assertThat(inFlight.tryAcquire(10)).as("every reserved slot released").isTrue();
  }

  @Test
  void aBatchWhoseDeadlinePassesWhileAnEventIsInSendSendsNothingAfterThatEvent() throws Exception {
    Context.CancellableContext call =
        Context.current().withDeadlineAfter(200, TimeUnit.MILLISECONDS, deadlines);
    CountDownLatch deadlinePassed = new CountDownLatch(1);
    call.addListener(context -> deadlinePassed.countDown(), Runnable::run);
    AtomicReference<String> answer = new AtomicReference<>();
    Thread grpc = new Thread(() -> call.run(() -> service.batchPublish(batch(), recorder(answer))));
    grpc.start();
    assertThat(e1InSend.await(5, TimeUnit.SECONDS)).isTrue();

    assertThat(deadlinePassed.await(5, TimeUnit.SECONDS)).isTrue(); // while e1 waits in send()
    releaseE1.countDown();
    grpc.join(5_000);

    assertThat(grpc.isAlive()).isFalse();
    assertThat(payloads()).containsExactly("e0", "e1");
    assertThat(answer.get()).isNull();
    assertThat(inFlight.tryAcquire(10)).isTrue();
  }

  private List<String> payloads() {
    return kafka.history().stream()
        .map(ProducerRecord::value)
        .map(value -> new String(value, StandardCharsets.UTF_8))
        .toList();
  }

  private static BatchPublishRequest batch() {
    BatchPublishRequest.Builder batch = BatchPublishRequest.newBuilder();
    for (int i = 0; i < 4; i++) {
      batch.addEvents(
          PublishRequest.newBuilder().setTopic("w").setPayload(ByteString.copyFromUtf8("e" + i)));
    }
    return batch.build();
  }

  /** Records what the batch was answered with: "results" or the failure; null if nothing. */
  private static StreamObserver<BatchPublishResponse> recorder(AtomicReference<String> answer) {
    return new StreamObserver<>() {
      @Override
      public void onNext(BatchPublishResponse value) {
        answer.set("results");
      }

      @Override
      public void onError(Throwable t) {
        answer.set(t.toString());
      }

      @Override
      public void onCompleted() {}
    };
  }
}
