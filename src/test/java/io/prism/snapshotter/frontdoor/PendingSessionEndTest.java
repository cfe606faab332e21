package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A session whose producer broke cannot send its session-end record then: the next producer sends
 * it, before any call's record, so the writer's page does not wait for its age limit.
 */
class PendingSessionEndTest {
  private final CountDownLatch firstSent = new CountDownLatch(1);

  private final MockProducer<String, byte[]> first =
      new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer()) {
        @Override
        public synchronized Future<RecordMetadata> send(
            ProducerRecord<String, byte[]> record, Callback callback) {
          Future<RecordMetadata> sent = super.send(record, callback);
          firstSent.countDown();
          return sent;
        }
      };

  private final MockProducer<String, byte[]> replacement =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());

  private final CountDownLatch giveReplacement = new CountDownLatch(1);
  private final AtomicInteger made = new AtomicInteger();
  private final Supplier<Producer<String, byte[]>> factory =
      () -> {
        if (made.incrementAndGet() == 1) {
          return first;
        }
        try {
          giveReplacement.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return replacement;
      };

  private ProducerSupervisor supervisor;

  @AfterEach
  void close() {
    giveReplacement.countDown();
    if (supervisor != null) {
      supervisor.close(Duration.ZERO);
    }
  }

  @Test
  void aSessionEndedByABrokenProducerIsEndedByTheNextProducerFirst() throws Exception {
    supervisor = supervisor();
    supervisor.start();
    assertThat(supervisor.awaitFirstInUse(Duration.ofSeconds(30))).isTrue();
    EventProducer producer =
        new EventProducer(supervisor, "events", HeaderNames.DEFAULTS, Clock.systemUTC());
    PublishService service =
        new PublishService(
            producer, new InputRules(PublishLimits.DEFAULTS), new InFlightLimit(100), 16);
    StreamObserver<PublishRequest> session =
        service.publishSession(new SessionEndOrderTest.SilentCall());
    session.onNext(event("w", "A"));
    assertThat(firstSent.await(30, TimeUnit.SECONDS)).isTrue();

    // The producer is fenced while A is on its way: the session fails, and no producer is there
    // for its end.
    first.errorNext(new ProducerFencedException("a newer producer has the same id"));
    awaitTrue(() -> producer.pendingSessionEnds() == 1, "the session end waits");
    assertThat(first.history()).extracting(PendingSessionEndTest::describe).containsExactly("w:A");

    giveReplacement.countDown();
    publishUntilStored(producer, event("w", "B"));
    assertThat(replacement.history())
        .extracting(PendingSessionEndTest::describe)
        .as("the waiting session end, then the calls' records")
        .containsExactly("w:<session-end>", "w:B");
    assertThat(producer.pendingSessionEnds()).isZero();
  }

  @Test
  void waitingSessionEndsAreBoundedAndTheOldestIsDropped() throws Exception {
    supervisor = supervisor();
    EventProducer producer =
        new EventProducer(supervisor, "events", HeaderNames.DEFAULTS, Clock.systemUTC(), 2);
    // Before Kafka answered the first producer: refused, and kept for it.
    for (String writer : List.of("w1", "w2", "w3")) {
      assertThat(producer.publishSessionEndOrLater(writer)).isCompletedExceptionally();
    }
    assertThat(producer.pendingSessionEnds()).isEqualTo(2);

    supervisor.start();
    assertThat(supervisor.awaitFirstInUse(Duration.ofSeconds(30))).isTrue();
    assertThat(first.history())
        .extracting(PendingSessionEndTest::describe)
        .containsExactly("w2:<session-end>", "w3:<session-end>");
  }

  private ProducerSupervisor supervisor() {
    return new ProducerSupervisor(
        factory, "events", "(test)", Duration.ofMillis(10), Duration.ofSeconds(1), usable -> {});
  }

  private static void publishUntilStored(EventProducer producer, PublishRequest event)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!producer.publish(event).handle((stored, failure) -> failure == null).join()) {
      assertThat(System.nanoTime()).as("stored within 30 s").isLessThan(until);
      Thread.sleep(5); // a retry loop's pause, not a synchronisation
    }
  }

  private static void awaitTrue(BooleanSupplier condition, String what)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(until);
      Thread.sleep(5);
    }
  }

  private static String describe(ProducerRecord<String, byte[]> record) {
    return record.key()
        + ":"
        + (record.value().length == 0
            ? "<session-end>"
            : new String(record.value(), StandardCharsets.UTF_8));
  }

  private static PublishRequest event(String writer, String payload) {
    return PublishRequest.newBuilder()
        .setTopic(writer)
        .setPayload(ByteString.copyFromUtf8(payload))
        .build();
  }
}
