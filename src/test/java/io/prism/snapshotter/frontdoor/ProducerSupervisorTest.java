package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import io.prism.snapshotter.testing.CapturedLogs;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.security.auth.login.LoginException;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the producer supervisor says, and when: Kafka refusing the front door's principal takes the
 * producer out of use (health NOT_SERVING, with a reason naming the topic) until a new one is
 * accepted; a failure repeated at every attempt is logged once, then once a minute; a producer that
 * cannot be made is reported as such.
 */
class ProducerSupervisorTest {
  private final BlockingQueue<Boolean> usable = new LinkedBlockingQueue<>();
  private final AtomicLong nanos = new AtomicLong();
  private ProducerSupervisor supervisor;

  @AfterEach
  void stop() {
    if (supervisor != null) {
      supervisor.close(Duration.ZERO);
    }
  }

  /**
   * The broker refuses a send for want of Write on the topic: every other send would be refused the
   * same way, so the front door stops serving and says why, naming the topic, and serves again once
   * a new producer's record is acknowledged (the permission granted again).
   */
  @Test
  void topicWriteDeniedIsNotServingNamingTheTopicUntilANewProducerIsAccepted() throws Exception {
    MockProducer<String, byte[]> denied = producer(false);
    MockProducer<String, byte[]> granted = producer(true);
    AtomicInteger made = new AtomicInteger();
    CountDownLatch giveReplacement = new CountDownLatch(1);
    supervisor =
        supervisor(
            () -> {
              if (made.incrementAndGet() == 1) {
                return denied;
              }
              await(giveReplacement);
              return granted;
            },
            Duration.ofSeconds(60)); // no replacement on trial serves untried during the test
    EventProducer events =
        new EventProducer(supervisor, "events", HeaderNames.DEFAULTS, Clock.systemUTC());
    supervisor.start();
    assertThat(usable.poll(30, TimeUnit.SECONDS)).isFalse(); // start() tells the state at once
    assertThat(usable.poll(30, TimeUnit.SECONDS)).isTrue();

    var refused = events.publish(event("e1"));
    denied.errorNext(new TopicAuthorizationException("Not authorized to access topics: [events]"));
    assertThat(refused).isCompletedExceptionally();
    assertThat(usable.poll(30, TimeUnit.SECONDS)).as("NOT_SERVING").isFalse();

    // Until the replacement is in use, calls are refused, saying why; then it is on trial.
    String reason = supervisor.notServingBecause().orElseThrow();
    assertThat(reason)
        .contains("Kafka refuses the front door's producer for topic events")
        .contains("TopicAuthorizationException: Not authorized to access topics: [events]")
        .contains("grant its Kafka principal Write and Describe on topic events");
    assertThatThrownBy(supervisor::require)
        .isInstanceOf(ProducerUnavailableException.class)
        .hasMessageContaining("refuses the front door's producer for topic events")
        .hasMessageContaining("was not sent");
    giveReplacement.countDown();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (supervisor.inUse() == null && System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    assertThat(supervisor.notServingBecause().orElseThrow())
        .contains("on trial")
        .contains("TopicAuthorizationException");
    assertThat(denied.closed()).isTrue();

    assertThat(events.publish(event("e2")).get(30, TimeUnit.SECONDS)).isNotNull();
    assertThat(usable.poll(30, TimeUnit.SECONDS)).as("SERVING again").isTrue();
    assertThat(supervisor.notServingBecause()).isEmpty();
  }

  /**
   * After Kafka refused the front door's principal, no new producer is made (none would be
   * accepted) and health does not flip to SERVING for a trial; the check asks Kafka, writing
   * nothing, whether it grants Write again, and once it does, a new producer serves at once,
   * without a record sent to prove it and long before the longest backoff.
   */
  @Test
  void aRefusedFrontDoorChecksThePermissionAndServesAtOnceWhenGranted() throws Exception {
    MockProducer<String, byte[]> denied = producer(false);
    MockProducer<String, byte[]> granted = producer(true);
    AtomicInteger made = new AtomicInteger();
    AtomicInteger asked = new AtomicInteger();
    AtomicBoolean writeGranted = new AtomicBoolean(true); // at start
    KafkaCheck check =
        timeout -> {
          asked.incrementAndGet();
          return writeGranted.get()
              ? KafkaCheck.Answer.writable()
              : KafkaCheck.Answer.of(
                  new TopicAuthorizationException(
                      "Kafka answered, but does not authorize Write on topic events",
                      Set.of("events")));
        };
    Duration maxBackoff = Duration.ofSeconds(60);
    supervisor =
        new ProducerSupervisor(
            () -> made.incrementAndGet() == 1 ? denied : granted,
            "events",
            "kafka:9092",
            Duration.ofMillis(5),
            maxBackoff,
            usable::add,
            new RepeatedLogLimit(ProducerSupervisor.REPEATED_LOG_INTERVAL, nanos::get),
            check,
            Duration.ofMillis(10),
            Duration.ZERO);
    EventProducer events =
        new EventProducer(supervisor, "events", HeaderNames.DEFAULTS, Clock.systemUTC());
    supervisor.start();
    assertThat(usable.poll(30, TimeUnit.SECONDS)).isFalse();
    assertThat(usable.poll(30, TimeUnit.SECONDS)).isTrue();

    writeGranted.set(false);
    var refused = events.publish(event("e1"));
    denied.errorNext(new TopicAuthorizationException("Not authorized to access topics: [events]"));
    assertThat(refused).isCompletedExceptionally();
    assertThat(usable.poll(30, TimeUnit.SECONDS)).as("NOT_SERVING").isFalse();

    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (asked.get() < 5 && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertThat(asked.get()).as("asked again and again").isGreaterThanOrEqualTo(5);
    assertThat(made).as("no new producer while Kafka refuses").hasValue(1);
    assertThat(usable).as("no SERVING for a trial").isEmpty();
    assertThatThrownBy(supervisor::require)
        .isInstanceOf(ProducerUnavailableException.class)
        .hasMessageContaining("refuses the front door's producer for topic events");

    long grantedAt = System.nanoTime();
    writeGranted.set(true);
    assertThat(usable.poll(30, TimeUnit.SECONDS)).as("SERVING once granted").isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - grantedAt))
        .as("not after the longest backoff")
        .isLessThan(maxBackoff);
    assertThat(made).hasValue(2);
    assertThat(supervisor.notServingBecause()).isEmpty();
    assertThat(granted.history()).as("no record sent to prove it").isEmpty();
    assertThat(events.publish(event("e2")).get(30, TimeUnit.SECONDS)).isNotNull();
  }

  /**
   * At start Kafka answers the producer's metadata fetch (Describe is granted) but not Write on the
   * topic: the front door does not serve until the first call is refused; it starts refused, with
   * the text the refused state uses, asks Kafka (writing nothing) until Write is granted, and then
   * serves at once with a new producer, without a call.
   */
  @Test
  void writeNotGrantedAtStartIsRefusedFromTheStartUntilGranted() throws Exception {
    List<MockProducer<String, byte[]>> made = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger asked = new AtomicInteger();
    AtomicBoolean writeGranted = new AtomicBoolean();
    KafkaCheck check =
        timeout -> {
          asked.incrementAndGet();
          return writeGranted.get()
              ? KafkaCheck.Answer.writable()
              : KafkaCheck.Answer.of(
                  new TopicAuthorizationException(
                      "Kafka answered, but does not authorize Write on topic events (it authorizes"
                          + " [DESCRIBE])",
                      Set.of("events")));
        };
    supervisor =
        new ProducerSupervisor(
            () -> {
              MockProducer<String, byte[]> producer = producer(true);
              made.add(producer);
              return producer;
            },
            "events",
            "kafka:9092",
            Duration.ofMillis(5),
            Duration.ofSeconds(60),
            usable::add,
            new RepeatedLogLimit(ProducerSupervisor.REPEATED_LOG_INTERVAL, nanos::get),
            check,
            Duration.ofMillis(10),
            Duration.ZERO);
    EventProducer events =
        new EventProducer(supervisor, "events", HeaderNames.DEFAULTS, Clock.systemUTC());
    supervisor.start();
    assertThat(usable.poll(30, TimeUnit.SECONDS)).isFalse();

    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (asked.get() < 5 && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertThat(asked.get()).as("asked again and again").isGreaterThanOrEqualTo(5);
    assertThat(usable).as("never SERVING while Write is not granted").isEmpty();
    assertThat(supervisor.awaitFirstInUse(Duration.ZERO)).isFalse();
    assertThat(supervisor.notServingBecause().orElseThrow())
        .contains("Kafka refuses the front door's producer for topic events")
        .contains("does not authorize Write on topic events")
        .contains("grant its Kafka principal Write and Describe on topic events")
        .contains("whether it grants it, and serves once it does");
    assertThat(events.publish(event("e1")))
        .as("refused at once, nothing sent")
        .failsWithin(Duration.ofSeconds(30))
        .withThrowableThat()
        .havingRootCause()
        .isInstanceOf(ProducerUnavailableException.class)
        .withMessageContaining("refuses the front door's producer for topic events")
        .withMessageContaining("was not sent");
    assertThat(made.get(0).closed()).as("the refused first producer is closed").isTrue();
    assertThat(made.get(0).history()).isEmpty();

    writeGranted.set(true);
    assertThat(usable.poll(30, TimeUnit.SECONDS)).as("SERVING once granted").isTrue();
    assertThat(supervisor.notServingBecause()).isEmpty();
    assertThat(made).hasSize(2);
    assertThat(events.publish(event("e2")).get(30, TimeUnit.SECONDS)).isNotNull();
  }

  /**
   * Kafka gone after the start: once neither a record was acknowledged nor a check answered for the
   * configured time, health says NOT_SERVING, naming Kafka; the first answer makes it SERVING.
   */
  @Test
  void kafkaSilentAfterTheStartIsNotServingUntilItAnswers() throws Exception {
    AtomicBoolean answers = new AtomicBoolean(true);
    KafkaCheck check =
        timeout ->
            answers.get()
                ? KafkaCheck.Answer.writable()
                : KafkaCheck.Answer.of(new TimeoutException("Timed out waiting for a node"));
    supervisor =
        new ProducerSupervisor(
            () -> producer(true),
            "events",
            "kafka:9092",
            Duration.ofMillis(5),
            Duration.ofSeconds(60),
            usable::add,
            new RepeatedLogLimit(ProducerSupervisor.REPEATED_LOG_INTERVAL, nanos::get),
            check,
            Duration.ofMillis(10),
            Duration.ofMillis(200));
    supervisor.start();
    assertThat(usable.poll(30, TimeUnit.SECONDS)).isFalse();
    assertThat(usable.poll(30, TimeUnit.SECONDS)).isTrue();

    // When exactly (not before the configured time) is KafkaWatchTest's, on a fake clock.
    answers.set(false);
    assertThat(usable.poll(30, TimeUnit.SECONDS)).as("NOT_SERVING").isFalse();
    assertThat(supervisor.notServingBecause().orElseThrow())
        .contains("Kafka at kafka:9092 has not answered the front door for")
        .contains("TimeoutException: Timed out waiting for a node");
    assertThat(supervisor.require()).as("still in use: it reconnects by itself").isNotNull();

    answers.set(true);
    assertThat(usable.poll(30, TimeUnit.SECONDS)).as("SERVING again").isTrue();
    assertThat(supervisor.notServingBecause()).isEmpty();
  }

  /**
   * Kafka unreachable at start: every attempt fails the same way. The WARN is logged for the first
   * one only, then once a minute (saying how many were not logged); a change of cause is logged at
   * once, saying how many of the previous cause were not.
   */
  @Test
  void aFailureRepeatedAtEveryAttemptIsLoggedOnceAMinuteAndAChangeAtOnce() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    CountDownLatch thirtyAttempts = new CountDownLatch(1);
    Supplier<Producer<String, byte[]>> unreachableThenDenied =
        () ->
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
              @Override
              public synchronized List<PartitionInfo> partitionsFor(String topic) {
                int attempt = attempts.incrementAndGet();
                if (attempt == 11) {
                  nanos.addAndGet(Duration.ofSeconds(61).toNanos()); // a minute later
                }
                if (attempt == 30) {
                  thirtyAttempts.countDown();
                  await(new CountDownLatch(1)); // until close() interrupts it
                }
                if (attempt <= 20) {
                  throw new TimeoutException(
                      "Topic events not present in metadata after " + attempt + " ms.");
                }
                throw new TopicAuthorizationException("Not authorized to access topics: [events]");
              }
            };
    try (CapturedLogs logs = CapturedLogs.capture()) {
      supervisor = supervisor(unreachableThenDenied);
      supervisor.start();
      assertThat(thirtyAttempts.await(30, TimeUnit.SECONDS)).isTrue();
      List<String> waiting =
          logs.lines().stream().filter(l -> l.contains("Waiting for Kafka")).toList();
      assertThat(waiting).hasSize(2);
      assertThat(waiting.get(0)).startsWith("WARN").doesNotContain("not logged");
      assertThat(waiting.get(1)).contains("(9 like it since the last one were not logged)");
      List<String> refused =
          logs.lines().stream()
              .filter(l -> l.contains("refuses the front door's producer for topic events"))
              .toList();
      assertThat(refused)
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .startsWith("ERROR")
                      .contains("(the cause changed; 9 line(s) of the previous cause were not"));
    }
  }

  /**
   * A new producer that cannot even be made (Kafka's client refused its settings: a SASL login that
   * fails, say) is reported with the construction's own error, not as a metadata fetch that failed.
   */
  @Test
  void aProducerThatCannotBeMadeSaysWhyNotNoMetadata() throws Exception {
    CountDownLatch thirdAsked = new CountDownLatch(1);
    AtomicInteger made = new AtomicInteger();
    Supplier<Producer<String, byte[]>> factory =
        () -> {
          switch (made.incrementAndGet()) {
            case 1:
              return producer(true);
            case 2:
              throw new KafkaException(
                  "Failed to construct kafka producer",
                  new KafkaException(
                      new LoginException(
                          "Could not login: the client is being asked for a password")));
            default:
              thirdAsked.countDown();
              await(new CountDownLatch(1)); // until close() interrupts it
              throw new KafkaException("stopped");
          }
        };
    try (CapturedLogs logs = CapturedLogs.capture()) {
      supervisor = supervisor(factory);
      supervisor.start();
      assertThat(supervisor.awaitFirstInUse(Duration.ofSeconds(30))).isTrue();
      supervisor.failed(supervisor.require(), new ProducerFencedException("fenced"));
      // The third attempt runs on the same thread after the second one's report.
      assertThat(thirdAsked.await(30, TimeUnit.SECONDS)).isTrue();

      assertThat(supervisor.notServingBecause().orElseThrow())
          .contains("a Kafka producer could not be made")
          .contains("Failed to construct kafka producer")
          .contains("LoginException: Could not login")
          .doesNotContain("metadata");
      assertThat(logs.lines())
          .filteredOn(l -> l.contains("A new Kafka producer is not ready"))
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .contains("a Kafka producer could not be made")
                      .contains("LoginException: Could not login")
                      .doesNotContain("no metadata"));
    }
  }

  private ProducerSupervisor supervisor(Supplier<Producer<String, byte[]>> factory) {
    return supervisor(factory, Duration.ofMillis(5));
  }

  private ProducerSupervisor supervisor(
      Supplier<Producer<String, byte[]>> factory, Duration maxBackoff) {
    return new ProducerSupervisor(
        factory,
        "events",
        "kafka:9092",
        Duration.ofMillis(5),
        maxBackoff,
        usable::add,
        new RepeatedLogLimit(ProducerSupervisor.REPEATED_LOG_INTERVAL, nanos::get));
  }

  private static MockProducer<String, byte[]> producer(boolean autoComplete) {
    return new MockProducer<>(
        autoComplete, null, new StringSerializer(), new ByteArraySerializer());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static PublishRequest event(String payload) {
    return PublishRequest.newBuilder()
        .setTopic("w")
        .setPayload(ByteString.copyFromUtf8(payload))
        .build();
  }
}
