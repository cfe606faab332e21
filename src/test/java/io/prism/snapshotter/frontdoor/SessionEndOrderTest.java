package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import io.prism.snapshotter.proto.pubsub.PublishSessionResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A session's end record follows every event of the session in the writer's partition, also when
 * the session ends abnormally while an event is on its way to the producer: onNext admits an event
 * under the session's lock and sends it outside it, and an earlier event's failed acknowledgement
 * (on the producer's I/O thread) ends the session meanwhile.
 */
class SessionEndOrderTest {

  @Test
  void aSessionEndedByAFailureWhileAnEventIsOnItsWayIsEndedAfterThatEvent() throws Exception {
    CountDownLatch bInSend = new CountDownLatch(1);
    CountDownLatch releaseB = new CountDownLatch(1);
    MockProducer<String, byte[]> kafka =
        new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer()) {
          // Not synchronized (MockProducer's send is): B waits here without holding its lock.
          @Override
          public Future<RecordMetadata> send(
              ProducerRecord<String, byte[]> record, Callback callback) {
            if ("B".equals(new String(record.value(), StandardCharsets.UTF_8))) {
              bInSend.countDown(); // waiting for buffer memory or metadata, say
              try {
                releaseB.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return super.send(record, callback);
          }
        };
    PublishService service =
        new PublishService(
            new EventProducer(kafka, "events", Clock.systemUTC()),
            new InputRules(PublishLimits.DEFAULTS),
            new InFlightLimit(100),
            16);
    StreamObserver<PublishRequest> session = service.publishSession(new SilentCall());
    session.onNext(event("A"));
    Thread grpc = new Thread(() -> session.onNext(event("B")));
    grpc.start();
    assertThat(bInSend.await(5, TimeUnit.SECONDS)).isTrue();

    // A's delivery fails: the session ends while B is inside send().
    kafka.errorNext(new TimeoutException("Expiring 1 record(s): delivery.timeout.ms passed"));
    Thread.sleep(200); // room for a session end sent too early to reach the producer
    releaseB.countDown();
    grpc.join(5_000);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (kafka.history().size() < 3 && System.nanoTime() < until) {
      Thread.sleep(10);
    }

    List<String> partition =
        kafka.history().stream()
            .map(
                r ->
                    r.value().length == 0
                        ? "<session-end>"
                        : new String(r.value(), StandardCharsets.UTF_8))
            .toList();
    assertThat(partition).containsExactly("A", "B", "<session-end>");
  }

  @Test
  void flushingTheProducerWaitsForASessionEndStillOnItsWay() throws Exception {
    // Shutdown cancels open sessions, whose ends go to the producer from another thread, then
    // flushes and closes the producer: the flush must not pass an end not yet handed over.
    CountDownLatch endInSend = new CountDownLatch(1);
    CountDownLatch releaseEnd = new CountDownLatch(1);
    MockProducer<String, byte[]> kafka =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
          @Override
          public Future<RecordMetadata> send(
              ProducerRecord<String, byte[]> record, Callback callback) {
            endInSend.countDown();
            try {
              releaseEnd.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return super.send(record, callback);
          }
        };
    EventProducer producer = new EventProducer(kafka, "events", Clock.systemUTC());
    producer.publishSessionEndLater("w", false);
    assertThat(endInSend.await(5, TimeUnit.SECONDS)).isTrue();

    Thread shutdown = new Thread(producer::flush);
    shutdown.start();
    shutdown.join(300);
    assertThat(shutdown.isAlive()).as("flush waits for the end on its way").isTrue();
    releaseEnd.countDown();
    shutdown.join(5_000);

    assertThat(shutdown.isAlive()).isFalse();
    assertThat(kafka.history()).singleElement().satisfies(r -> assertThat(r.key()).isEqualTo("w"));
  }

  private static PublishRequest event(String payload) {
    return PublishRequest.newBuilder()
        .setTopic("w")
        .setPayload(ByteString.copyFromUtf8(payload))
        .build();
  }

  /** The gRPC call's side: takes what the session says and says nothing itself. */
  static final class SilentCall extends ServerCallStreamObserver<PublishSessionResponse> {
    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancel) {}

    @Override
    public void setOnCloseHandler(Runnable onClose) {}

    @Override
    public void setCompression(String compression) {}

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable onReady) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void disableAutoRequest() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void onNext(PublishSessionResponse value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
