package io.prism.snapshotter.bench;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.prism.snapshotter.frontdoor.FrontDoorConfig;
import io.prism.snapshotter.frontdoor.FrontDoorHeaders;
import io.prism.snapshotter.frontdoor.FrontDoorServer;
import io.prism.snapshotter.frontdoor.InJvmKafka;
import io.prism.snapshotter.proto.pubsub.BatchPublishRequest;
import io.prism.snapshotter.proto.pubsub.BatchPublishResponse;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Front door throughput and latency, against a plain KafkaProducer sending the same records (1 KB
 * payloads, 16 writers, acks=all, idempotent, same linger) to the same in-JVM broker in the same
 * run. Prints events/s for: plain producer, unary Publish, BatchPublish (median of three
 * alternating rounds after a warm-up); then unary p50/p99 at a fixed rate. A plain main, not JMH.
 *
 * <p>Arguments (all optional): events per throughput run (default 100000), unary concurrency (64),
 * batch size (500), concurrent batches (4), fixed rate in events/s (2000), seconds at the fixed
 * rate (10).
 */
public final class FrontDoorBenchmark {
  private static final int PAYLOAD_BYTES = 1024;
  private static final int WRITERS = 16;
  private static final int ROUNDS = 3;

  public static void main(String[] args) throws Exception {
    int events = argument(args, 0, 100_000);
    int unaryConcurrency = argument(args, 1, 64);
    int batchSize = argument(args, 2, 500);
    int concurrentBatches = argument(args, 3, 4);
    int fixedRate = argument(args, 4, 2_000);
    int fixedSeconds = argument(args, 5, 10);
    byte[] payload = new byte[PAYLOAD_BYTES];
    new Random(42).nextBytes(payload);

    try (InJvmKafka kafka = InJvmKafka.start()) {
      String topic = kafka.createTopic(3);
      Map<String, Object> config = new HashMap<>();
      config.put("bootstrap.servers", kafka.bootstrapServers());
      config.put(FrontDoorConfig.TOPIC, topic);
      config.put(FrontDoorConfig.LISTEN, "127.0.0.1:0");
      config.put(FrontDoorConfig.MAX_INFLIGHT_EVENTS, "100000");
      try (FrontDoorServer server = FrontDoorServer.start(new FrontDoorConfig(config))) {
        if (!server.awaitServing(Duration.ofSeconds(60))) {
          throw new IllegalStateException("the front door did not reach the test broker");
        }
        ManagedChannel channel =
            Grpc.newChannelBuilderForAddress(
                    "127.0.0.1", server.port(), InsecureChannelCredentials.create())
                .build();
        KafkaProducer<String, byte[]> plain =
            new KafkaProducer<>(new FrontDoorConfig(config).producerSettings());

        // Warm-up: JIT, connections, topic metadata.
        plainProducer(plain, topic, payload, events / 5);
        unary(channel, payload, events / 5, unaryConcurrency);
        batch(channel, payload, events / 5, batchSize, concurrentBatches);

        // Rounds alternate the three senders, so drift over the run (page cache, JIT, GC) hits all
        // of them alike; each figure is the median of its rounds.
        double[] plainRates = new double[ROUNDS];
        double[] unaryRates = new double[ROUNDS];
        double[] batchRates = new double[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
          plainRates[round] = plainProducer(plain, topic, payload, events);
          unaryRates[round] = unary(channel, payload, events, unaryConcurrency);
          batchRates[round] = batch(channel, payload, events, batchSize, concurrentBatches);
          System.out.printf(
              "round %d: plain %,.0f, unary %,.0f, batch %,.0f events/s%n",
              round + 1, plainRates[round], unaryRates[round], batchRates[round]);
        }
        double plainRate = median(plainRates);
        double unaryRate = median(unaryRates);
        double batchRate = median(batchRates);
        System.out.printf(
            "events=%d per run, payload=%dB, writers=%d, cores=%d, median of %d rounds%n",
            events, PAYLOAD_BYTES, WRITERS, Runtime.getRuntime().availableProcessors(), ROUNDS);
        System.out.printf("plain KafkaProducer          %,10.0f events/s%n", plainRate);
        System.out.printf(
            "unary Publish (%d in flight) %,10.0f events/s  (%.2fx plain)%n",
            unaryConcurrency, unaryRate, unaryRate / plainRate);
        System.out.printf(
            "BatchPublish (%d x %d)      %,10.0f events/s  (%.2fx plain)%n",
            concurrentBatches, batchSize, batchRate, batchRate / plainRate);
        long[] latencies = fixedRateUnary(channel, payload, fixedRate, fixedSeconds);
        System.out.printf(
            "unary at %d events/s for %d s: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d calls)%n",
            fixedRate,
            fixedSeconds,
            percentile(latencies, 50),
            percentile(latencies, 99),
            latencies[latencies.length - 1] / 1e6,
            latencies.length);
        plain.close();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static double plainProducer(
      KafkaProducer<String, byte[]> producer, String topic, byte[] payload, int events)
      throws InterruptedException {
    CountDownLatch done = new CountDownLatch(events);
    AtomicLong failures = new AtomicLong();
    long start = System.nanoTime();
    for (int i = 0; i < events; i++) {
      // The same headers the front door writes, so both sides send the same records.
      RecordHeaders headers = new RecordHeaders();
      headers.add(
          FrontDoorHeaders.EVENT_ID, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
      headers.add(
          FrontDoorHeaders.PUBLISH_TIME,
          Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
      producer.send(
          new ProducerRecord<>(topic, null, "writer-" + (i % WRITERS), payload, headers),
          (m, e) -> {
            if (e != null) {
              failures.incrementAndGet();
            }
            done.countDown();
          });
    }
    done.await();
    return rate(events, start, failures.get());
  }

  private static double unary(ManagedChannel channel, byte[] payload, int events, int concurrency)
      throws InterruptedException {
    PubSubBasicInterfaceGrpc.PubSubBasicInterfaceStub stub =
        PubSubBasicInterfaceGrpc.newStub(channel);
    Semaphore window = new Semaphore(concurrency);
    CountDownLatch done = new CountDownLatch(events);
    AtomicLong failures = new AtomicLong();
    ByteString body = ByteString.copyFrom(payload);
    long start = System.nanoTime();
    for (int i = 0; i < events; i++) {
      window.acquire();
      stub.publish(
          PublishRequest.newBuilder().setTopic("writer-" + (i % WRITERS)).setPayload(body).build(),
          new Once<>(
              () -> {
                window.release();
                done.countDown();
              },
              failures));
    }
    done.await();
    return rate(events, start, failures.get());
  }

  private static double batch(
      ManagedChannel channel, byte[] payload, int events, int batchSize, int concurrency)
      throws InterruptedException {
    PubSubBasicInterfaceGrpc.PubSubBasicInterfaceStub stub =
        PubSubBasicInterfaceGrpc.newStub(channel);
    Semaphore window = new Semaphore(concurrency);
    int batches = (events + batchSize - 1) / batchSize;
    CountDownLatch done = new CountDownLatch(batches);
    AtomicLong failures = new AtomicLong();
    ByteString body = ByteString.copyFrom(payload);
    long start = System.nanoTime();
    for (int b = 0; b < batches; b++) {
      BatchPublishRequest.Builder request = BatchPublishRequest.newBuilder();
      for (int i = b * batchSize; i < Math.min(events, (b + 1) * batchSize); i++) {
        request.addEvents(
            PublishRequest.newBuilder().setTopic("writer-" + (i % WRITERS)).setPayload(body));
      }
      window.acquire();
      stub.batchPublish(
          request.build(),
          new Once<BatchPublishResponse>(
              () -> {
                window.release();
                done.countDown();
              },
              failures));
    }
    done.await();
    return rate(events, start, failures.get());
  }

  /**
   * Unary calls started on a fixed schedule (not closed-loop), so queueing shows in the latency.
   */
  private static long[] fixedRateUnary(
      ManagedChannel channel, byte[] payload, int perSecond, int seconds)
      throws InterruptedException {
    PubSubBasicInterfaceGrpc.PubSubBasicInterfaceStub stub =
        PubSubBasicInterfaceGrpc.newStub(channel);
    int calls = perSecond * seconds;
    long[] latencies = new long[calls];
    CountDownLatch done = new CountDownLatch(calls);
    AtomicLong failures = new AtomicLong();
    ByteString body = ByteString.copyFrom(payload);
    long intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      long scheduled = start + i * intervalNanos;
      long wait = scheduled - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      int call = i;
      stub.publish(
          PublishRequest.newBuilder().setTopic("writer-" + (i % WRITERS)).setPayload(body).build(),
          new Once<>(
              () -> {
                latencies[call] = System.nanoTime() - scheduled;
                done.countDown();
              },
              failures));
    }
    done.await();
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " calls failed at the fixed rate");
    }
    Arrays.sort(latencies);
    return latencies;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static double percentile(long[] sorted, double percent) {
    int index = (int) Math.ceil(percent / 100 * sorted.length) - 1;
    return sorted[Math.max(0, index)] / 1e6;
  }

  private static double rate(int events, long startNanos, long failures) {
    if (failures > 0) {
      throw new IllegalStateException(failures + " sends failed");
    }
    return events / ((System.nanoTime() - startNanos) / 1e9);
  }

  private static int argument(String[] args, int index, int fallback) {
    return args.length > index ? Integer.parseInt(args[index]) : fallback;
  }

  /** Runs {@code done} once when the call ends; counts failures. */
  private static final class Once<T> implements StreamObserver<T> {
    private final Runnable done;
    private final AtomicLong failures;

    Once(Runnable done, AtomicLong failures) {
      this.done = done;
      this.failures = failures;
    }

    @Override
    public void onNext(T value) {}

    @Override
    public void onError(Throwable t) {
      failures.incrementAndGet();
      done.run();
    }

    @Override
    public void onCompleted() {
      done.run();
    }
  }
}
