package io.prism.snapshotter.chaos;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.prism.snapshotter.proto.pubsub.BatchPublishRequest;
import io.prism.snapshotter.proto.pubsub.BatchPublishResponse;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import io.prism.snapshotter.proto.pubsub.PublishSessionResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The known set of events: writers of every {@link WriterKind}, each on its own thread, each
 * writing {@code <writer>-0, <writer>-1, ...} with the payload as its {@code prism.event_id}, and
 * retrying an unacknowledged call with the same ids until it is acknowledged.
 */
final class ChaosLoad implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChaosLoad.class);
  private static final String EVENT_ID = "prism.event_id";
  private static final Duration CALL_DEADLINE = Duration.ofSeconds(8);

  /** After stop(), how long a writer keeps retrying its last unacknowledged call. */
  private static final Duration DRAIN = Duration.ofSeconds(90);

  private final ManagedChannel channel;
  private final KafkaProducer<String, byte[]> producer;
  private final List<WriterLedger> ledgers = new ArrayList<>();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<java.util.concurrent.Future<?>> running = new ArrayList<>();
  private final AtomicLong lastFrontDoorAck = new AtomicLong();
  private final AtomicLong lastKafkaAck = new AtomicLong();
  private volatile boolean stopping;
  private volatile long stopAt;

  ChaosLoad(String frontDoorTarget, String bootstrapServers) {
    channel = Grpc.newChannelBuilder(frontDoorTarget, InsecureChannelCredentials.create()).build();
    producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                15_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                5_000),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  /** Starts the writers: {@code perKind} of each kind. */
  void start(int perKind) {
    for (WriterKind kind : WriterKind.values()) {
      for (int i = 0; i < perKind; i++) {
        WriterLedger ledger = new WriterLedger(kind.name().toLowerCase() + "-" + i, kind);
        ledgers.add(ledger);
        running.add(threads.submit(() -> write(ledger)));
      }
    }
  }

  List<WriterLedger> ledgers() {
    return List.copyOf(ledgers);
  }

  /**
   * Nanotime of the last acknowledgement through the front door, and through the plain producer.
   */
  long lastFrontDoorAckNanos() {
    return lastFrontDoorAck.get();
  }

  long lastKafkaAckNanos() {
    return lastKafkaAck.get();
  }

  /**
   * Stops starting new calls; each writer retries its open call for a while, then gives up on it.
   */
  void stopAndDrain() throws InterruptedException {
    stopAt = System.nanoTime();
    stopping = true;
    for (java.util.concurrent.Future<?> writer : running) {
      try {
        writer.get(DRAIN.toSeconds() + 30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        log.warn("a writer did not finish: {}", e.toString());
      }
    }
  }

  private void write(WriterLedger ledger) {
    int batch =
        switch (ledger.kind()) {
          case UNARY, KAFKA -> 1;
          case BATCH -> 20;
          case SESSION -> 50;
        };
    long pauseMillis =
        switch (ledger.kind()) {
          case UNARY, KAFKA -> 40;
          case BATCH -> 250;
          case SESSION -> 700;
        };
    long next = 0;
    while (!stopping) {
      List<String> payloads = new ArrayList<>(batch);
      for (int i = 0; i < batch; i++) {
        payloads.add(ledger.writerId() + "-" + next++);
      }
      ledger.sending(payloads);
      while (true) {
        try {
          send(ledger, payloads);
          ledger.acknowledged(payloads);
          (ledger.kind() == WriterKind.KAFKA ? lastKafkaAck : lastFrontDoorAck)
              .set(System.nanoTime());
          break;
        } catch (Exception failed) {
          ledger.failedCall();
          if (stopping && System.nanoTime() - stopAt > DRAIN.toNanos()) {
            log.warn(
                "{}: giving up on {} unacknowledged events after the drain period: {}",
                ledger.writerId(),
                payloads.size(),
                failed.toString());
            return;
          }
          sleep(250);
        }
      }
      sleep(pauseMillis);
    }
  }

  private void send(WriterLedger ledger, List<String> payloads) throws Exception {
    switch (ledger.kind()) {
      case UNARY ->
          PubSubBasicInterfaceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
              .publish(request(ledger.writerId(), payloads.get(0)));
      case BATCH -> {
        BatchPublishRequest.Builder batch = BatchPublishRequest.newBuilder();
        payloads.forEach(p -> batch.addEvents(request(ledger.writerId(), p)));
        BatchPublishResponse response =
            PubSubBasicInterfaceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .batchPublish(batch.build());
        if (response.getResultsCount() != payloads.size()) {
          throw new IllegalStateException(
              "batch of "
                  + payloads.size()
                  + " answered with "
                  + response.getResultsCount()
                  + " results");
        }
      }
      case SESSION -> session(ledger.writerId(), payloads);
      case KAFKA -> {
        ProducerRecord<String, byte[]> record =
            new ProducerRecord<>(
                ChaosDeployment.TOPIC,
                ledger.writerId(),
                payloads.get(0).getBytes(StandardCharsets.UTF_8));
        record.headers().add(EVENT_ID, payloads.get(0).getBytes(StandardCharsets.UTF_8));
        producer.send(record).get(30, TimeUnit.SECONDS);
      }
    }
  }

  private void session(String writerId, List<String> payloads) throws Exception {
    CompletableFuture<PublishSessionResponse> answer = new CompletableFuture<>();
    StreamObserver<PublishRequest> session =
        PubSubBasicInterfaceGrpc.newStub(channel)
            .withDeadlineAfter(CALL_DEADLINE.toMillis() * 2, TimeUnit.MILLISECONDS)
            .publishSession(
                new StreamObserver<>() {
                  @Override
                  public void onNext(PublishSessionResponse value) {
                    answer.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    answer.completeExceptionally(
                        new IllegalStateException("session ended without an answer"));
                  }
                });
    for (String payload : payloads) {
      session.onNext(request(writerId, payload));
    }
    session.onCompleted();
    PublishSessionResponse response =
        answer.get(CALL_DEADLINE.toMillis() * 3, TimeUnit.MILLISECONDS);
    if (response.getEventCount() != payloads.size()) {
      throw new IllegalStateException(
          "session of " + payloads.size() + " events stored " + response.getEventCount());
    }
  }

  private static PublishRequest request(String writerId, String payload) {
    return PublishRequest.newBuilder()
        .setTopic(writerId)
        .setPayload(ByteString.copyFromUtf8(payload))
        .putAttributes(EVENT_ID, payload)
        .build();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stopping = true;
    threads.shutdownNow();
    channel.shutdownNow();
    producer.close(Duration.ofSeconds(5));
  }
}
