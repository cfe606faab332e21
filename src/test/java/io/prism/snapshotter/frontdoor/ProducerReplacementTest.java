package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import io.prism.snapshotter.proto.pubsub.PublishResponse;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Kafka producer that breaks for good (here fenced: a real one cannot be provoked with the test
 * broker, so producers come from a factory seam) is closed and replaced; until a new one is in use,
 * the health service says NOT_SERVING and calls are refused UNAVAILABLE, saying why.
 */
class ProducerReplacementTest {
  private final CountDownLatch firstSent = new CountDownLatch(1);

  /** The first producer: acknowledges nothing by itself; the test fails its send. */
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

  private final CountDownLatch replacementAsked = new CountDownLatch(1);
  private final CountDownLatch giveReplacement = new CountDownLatch(1);
  private final AtomicInteger made = new AtomicInteger();

  /** First producer; then a failure to make one (cluster unreachable, say); then the new one. */
  private final Supplier<Producer<String, byte[]>> factory =
      () -> {
        switch (made.incrementAndGet()) {
          case 1:
            return first;
          case 2:
            throw new KafkaException("Failed to construct kafka producer");
          default:
            replacementAsked.countDown();
            try {
              giveReplacement.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return replacement;
        }
      };

  private FrontDoorServer server;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    giveReplacement.countDown();
    if (channel != null) {
      FrontDoorFixture.close(channel);
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aBrokenProducerIsReplacedAndTheFrontDoorIsNotServingMeanwhile() throws Exception {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", "127.0.0.1:9");
    config.put(FrontDoorConfig.TOPIC, "events");
    config.put(FrontDoorConfig.LISTEN, "127.0.0.1:0");
    config.put(FrontDoorConfig.SHUTDOWN_GRACE_MS, "1000");
    config.put(FrontDoorConfig.PRODUCER_REPLACE_BACKOFF_MS, "10");
    server =
        FrontDoorFixture.serving(
            FrontDoorServer.start(new FrontDoorConfig(config), factory, Clock.systemUTC()));
    channel = FrontDoorFixture.plaintextChannel(server);
    var publish =
        PubSubBasicInterfaceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    BlockingQueue<ServingStatus> health = watchHealth();
    assertThat(health.poll(30, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);

    // The producer is fenced while an event is on its way.
    CompletableFuture<PublishResponse> onItsWay = new CompletableFuture<>();
    PubSubBasicInterfaceGrpc.newStub(channel).publish(event("e0"), observer(onItsWay));
    assertThat(firstSent.await(30, TimeUnit.SECONDS)).isTrue();
    first.errorNext(new ProducerFencedException("a newer producer has the same id"));

    assertThatThrownBy(() -> onItsWay.get(30, TimeUnit.SECONDS))
        .cause()
        .asInstanceOf(type(StatusRuntimeException.class))
        .satisfies(
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription())
                  .contains("ProducerFencedException")
                  .contains("being replaced")
                  .contains("may or may not be stored");
            });
    assertThat(health.poll(30, TimeUnit.SECONDS)).isEqualTo(ServingStatus.NOT_SERVING);

    // A first new producer cannot be made; the second attempt waits in the factory.
    assertThat(replacementAsked.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(first.closed()).as("the broken producer is closed").isTrue();
    assertThat(overallHealth()).isEqualTo(ServingStatus.NOT_SERVING);
    assertThatThrownBy(() -> publish.publish(event("e1")))
        .asInstanceOf(type(StatusRuntimeException.class))
        .satisfies(
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription())
                  .contains("ProducerFencedException")
                  .contains("being replaced")
                  .contains("was not sent");
            });

    giveReplacement.countDown();
    // On trial: calls are sent with it, and health says SERVING once Kafka acknowledged one.
    publishUntilStored(publish, "e2");
    assertThat(health.poll(30, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);
    assertThat(overallHealth()).isEqualTo(ServingStatus.SERVING);
    assertThat(replacement.history())
        .singleElement()
        .satisfies(r -> assertThat(r.value()).isEqualTo("e2".getBytes()));
    assertThat(first.history()).as("nothing more to the broken producer").hasSize(1);
  }

  /**
   * Idempotent writes denied (a cause that no new producer cures): every new producer gets the
   * topic's metadata and breaks at its first send. Health stays NOT_SERVING throughout instead of
   * saying SERVING after every metadata fetch, and says SERVING once a new producer's record was
   * acknowledged (the permission granted), without any record sent but the calls' own.
   */
  @Test
  void aCauseThatNewProducersDoNotCureKeepsHealthNotServingUntilASendSucceeds() throws Exception {
    int deniedReplacements = 4;
    CountDownLatch allDeniedMade = new CountDownLatch(1);
    MockProducer<String, byte[]> granted =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    AtomicInteger denied = new AtomicInteger();
    Supplier<Producer<String, byte[]>> deniedUntilGranted =
        () -> {
          int n = made.incrementAndGet();
          if (n == 1) {
            return first;
          }
          if (n <= 1 + deniedReplacements) {
            if (n == 1 + deniedReplacements) {
              allDeniedMade.countDown();
            }
            return deniedProducer(denied);
          }
          return granted;
        };
    server = startWith(deniedUntilGranted, "1000");
    var publish =
        PubSubBasicInterfaceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    BlockingQueue<ServingStatus> health = watchHealth();
    assertThat(health.poll(30, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);

    CompletableFuture<PublishResponse> onItsWay = new CompletableFuture<>();
    PubSubBasicInterfaceGrpc.newStub(channel).publish(event("e0"), observer(onItsWay));
    assertThat(firstSent.await(30, TimeUnit.SECONDS)).isTrue();
    first.errorNext(new ClusterAuthorizationException("IdempotentWrite denied"));
    assertThat(health.poll(30, TimeUnit.SECONDS)).isEqualTo(ServingStatus.NOT_SERVING);

    // Clients keep retrying: each new producer is tried with their events and breaks.
    String stored = null;
    for (int i = 0; stored == null; i++) {
      if (allDeniedMade.getCount() == 0 && denied.get() >= deniedReplacements) {
        stored = publishUntilStored(publish, "retry-" + i);
        break;
      }
      try {
        publish.publish(event("retry-" + i));
        stored = "retry-" + i;
      } catch (StatusRuntimeException e) {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      }
    }
    assertThat(denied.get()).as("every denied producer was tried").isEqualTo(deniedReplacements);
    ServingStatus next = health.poll(30, TimeUnit.SECONDS);
    assertThat(next)
        .as("SERVING again only once a send succeeded")
        .isEqualTo(ServingStatus.SERVING);
    assertThat(health).as("no SERVING in between").isEmpty();
    assertThat(granted.history())
        .as("only the calls' own records, no probe")
        .extracting(r -> new String(r.value()))
        .containsExactly(stored);
  }

  /**
   * A front door that says NOT_SERVING may get no calls (a readiness probe took it out of the
   * Service): a replacement that no call tries serves after
   * frontdoor.producer.replace.backoff.max.ms, without any record sent to prove it.
   */
  @Test
  void aReplacementThatNoCallTriesServesAfterTheLongestBackoff() throws Exception {
    Supplier<Producer<String, byte[]>> firstThenReplacement =
        () -> made.incrementAndGet() == 1 ? first : replacement;
    server = startWith(firstThenReplacement, "300");
    BlockingQueue<ServingStatus> health = watchHealth();
    assertThat(health.poll(30, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);
    CompletableFuture<PublishResponse> onItsWay = new CompletableFuture<>();
    PubSubBasicInterfaceGrpc.newStub(channel).publish(event("e0"), observer(onItsWay));
    assertThat(firstSent.await(30, TimeUnit.SECONDS)).isTrue();
    first.errorNext(new ProducerFencedException("a newer producer has the same id"));
    assertThat(health.poll(30, TimeUnit.SECONDS)).isEqualTo(ServingStatus.NOT_SERVING);

    long notServingSince = System.nanoTime();
    assertThat(health.poll(30, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - notServingSince))
        // 300 ms untried, less the watch's delay in reporting NOT_SERVING (a margin for it)
        .as("not before the longest backoff passed untried")
        .isGreaterThanOrEqualTo(150);
    assertThat(made.get()).isEqualTo(2);
    assertThat(replacement.history()).as("no probe record").isEmpty();
  }

  /** A producer whose every send is refused as its idempotent writes are denied. */
  private static MockProducer<String, byte[]> deniedProducer(AtomicInteger denied) {
    return new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer()) {
      @Override
      public synchronized Future<RecordMetadata> send(
          ProducerRecord<String, byte[]> record, Callback callback) {
        Future<RecordMetadata> sent = super.send(record, callback);
        denied.incrementAndGet();
        errorNext(new ClusterAuthorizationException("IdempotentWrite denied"));
        return sent;
      }
    };
  }

  /** Publishes {@code payload} until it is stored (the producer in use may still change). */
  private static String publishUntilStored(
      PubSubBasicInterfaceGrpc.PubSubBasicInterfaceBlockingStub publish, String payload) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        publish.publish(event(payload));
        return payload;
      } catch (StatusRuntimeException e) {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(System.nanoTime()).as("stored within 30 s").isLessThan(until);
      }
    }
  }

  private FrontDoorServer startWith(Supplier<Producer<String, byte[]>> producers, String maxBackoff)
      throws Exception {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", "127.0.0.1:9");
    config.put(FrontDoorConfig.TOPIC, "events");
    config.put(FrontDoorConfig.LISTEN, "127.0.0.1:0");
    config.put(FrontDoorConfig.SHUTDOWN_GRACE_MS, "1000");
    config.put(FrontDoorConfig.PRODUCER_REPLACE_BACKOFF_MS, "10");
    config.put(FrontDoorConfig.PRODUCER_REPLACE_BACKOFF_MAX_MS, maxBackoff);
    FrontDoorServer started =
        FrontDoorFixture.serving(
            FrontDoorServer.start(new FrontDoorConfig(config), producers, Clock.systemUTC()));
    channel = FrontDoorFixture.plaintextChannel(started);
    return started;
  }

  @Test
  void whatBreaksAProducerIsTellableFromWhatFailsOneSend() {
    assertThat(KafkaFailures.breaksProducer(new ProducerFencedException("fenced"))).isTrue();
    assertThat(KafkaFailures.breaksProducer(new ClusterAuthorizationException("IdempotentWrite")))
        .isTrue();
    // A broken real producer's send() throws this, the first error as its cause.
    assertThat(
            KafkaFailures.breaksProducer(
                new KafkaException(
                    "Cannot execute transactional method because we are in an error state",
                    new ClusterAuthorizationException("IdempotentWrite"))))
        .isTrue();
    assertThat(KafkaFailures.breaksProducer(new TimeoutException("expired"))).isFalse();
    assertThat(KafkaFailures.breaksProducer(new RecordTooLargeException("big"))).isFalse();
    assertThat(
            KafkaFailures.toStatus(
                    new ClusterAuthorizationException("IdempotentWrite"),
                    FrontDoorHeaders.EVENT_ID,
                    "events")
                .getCode())
        .as("retriable: the replacement works once the permission is granted")
        .isEqualTo(Status.Code.UNAVAILABLE);
  }

  private BlockingQueue<ServingStatus> watchHealth() {
    BlockingQueue<ServingStatus> statuses = new LinkedBlockingQueue<>();
    HealthGrpc.newStub(channel)
        .watch(
            HealthCheckRequest.newBuilder()
                .setService(PubSubBasicInterfaceGrpc.SERVICE_NAME)
                .build(),
            new StreamObserver<>() {
              @Override
              public void onNext(HealthCheckResponse value) {
                statuses.add(value.getStatus());
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
    return statuses;
  }

  private ServingStatus overallHealth() {
    return HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance())
        .getStatus();
  }

  private static PublishRequest event(String payload) {
    return PublishRequest.newBuilder()
        .setTopic("w")
        .setPayload(ByteString.copyFromUtf8(payload))
        .build();
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<T> answer) {
    return FrontDoorIT.observer(answer);
  }
}
