package io.prism.snapshotter.frontdoor;

import io.prism.snapshotter.metrics.FrontDoorMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.PartitionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the front door's Kafka producer: puts a producer in use only once Kafka has answered it (a
 * metadata fetch for the topic: the cluster is reachable, the topic there, the credentials
 * accepted), at start as after a breakage, and replaces the producer when it breaks.
 *
 * <p>At start the first producer is made at once (bad settings fail the start) and then checked in
 * the background, again and again, until Kafka answers: a broker that is not up yet (everything
 * started at once) or a topic not created yet keeps the front door waiting, not exiting. Once Kafka
 * answered, a {@link KafkaCheck} is asked whether it grants Write on the topic (the metadata needs
 * only Describe): if not, the front door starts refused, as after a refused send, below.
 *
 * <p>Some failures leave a producer unable to serve (fenced; Kafka refusing the front door's
 * principal, its write on the topic denied say; see {@link KafkaFailures#breaksProducer}): every
 * later send would fail the same way. After such a failure the broken producer is closed and a new
 * one made, after a backoff that doubles (from {@code initialBackoff} to {@code maxBackoff}) for
 * every producer in a row that failed to start or broke before Kafka acknowledged anything. A new
 * producer is on trial until Kafka acknowledges one of its records. After Kafka refused the front
 * door's principal, no new producer is made until a {@link KafkaCheck} says that Kafka grants Write
 * on the topic again (asked every {@code checkInterval}); that producer serves at once.
 *
 * <p>While a producer serves, a {@link KafkaWatch} notices Kafka going silent (no record
 * acknowledged, no check answered for {@code silentAfter}): health says NOT_SERVING until Kafka
 * answers again. The producer stays in use meanwhile: it reconnects by itself.
 *
 * <p>While Kafka stays unreachable (or keeps refusing), every attempt fails the same way: the WARN
 * or ERROR saying so is logged at once, then at most once per {@link #REPEATED_LOG_INTERVAL} with a
 * count of those not logged, and at once again when the cause changes.
 *
 * <p>While no producer is in use {@link #require} refuses, saying what the front door waits for,
 * and the listener hears "not usable" (the health service says NOT_SERVING).
 */
final class ProducerSupervisor {
  private static final Logger log = LoggerFactory.getLogger(ProducerSupervisor.class);

  /** At most one line per this for a cause that makes every attempt fail the same way. */
  static final Duration REPEATED_LOG_INTERVAL = Duration.ofMinutes(1);

  /** Told whether sends can go anywhere; called in order, under the supervisor's lock. */
  interface Listener {
    void usable(boolean usable);
  }

  /**
   * One producer in use, whether Kafka has acknowledged one of its records, and when a call last
   * tried it.
   */
  final class Generation {
    private final Producer<String, byte[]> producer;
    private volatile boolean confirmed;
    private volatile long lastSendNanos;

    private Generation(Producer<String, byte[]> producer) {
      this.producer = producer;
      this.lastSendNanos = System.nanoTime();
    }

    Producer<String, byte[]> producer() {
      return producer;
    }

    /** A record is about to be handed to this producer. */
    void sending() {
      lastSendNanos = System.nanoTime();
    }

    /**
     * Kafka acknowledged a record of this producer (on every acknowledgement: a few volatile reads
     * once it has): a replacement on trial has proved itself, and Kafka answers.
     */
    void confirm() {
      if (!confirmed) {
        confirmed = true;
        confirmed(this);
      }
      watch.acknowledged();
    }
  }

  private final Supplier<Producer<String, byte[]>> factory;
  private final String topic;
  private final String cluster;
  private final AttemptDiagnosis diagnosis;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Listener listener;
  private final KafkaCheck check;
  private final Duration checkInterval;
  private final KafkaWatch watch;
  private final CountDownLatch firstInUse = new CountDownLatch(1);
  private final RepeatedLogLimit repeats;
  private final ScheduledExecutorService recovery =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "frontdoor-producer-recovery");
            thread.setDaemon(true);
            return thread;
          });

  /** The producer to send with; null until Kafka answered the first, and while one is replaced. */
  private volatile Generation current;

  private volatile Consumer<Generation> beforeUse = generation -> {};

  /** Why {@link #current} is null: the refusal's text. */
  private volatile String unavailable;

  /** What broke the last producer, for the refusals while it is replaced. Guarded by this. */
  private String breakage;

  // Guarded by this.
  /** A producer made but not yet answered by Kafka (kept between attempts: it is not broken). */
  private Producer<String, byte[]> candidate;

  private Producer<String, byte[]> broken;
  private boolean everInUse;

  /**
   * Whether the producer side serves: one in use that Kafka answered (the first), acknowledged (on
   * trial), vouched for by a {@link KafkaCheck}, or that no call tried for {@code maxBackoff}.
   * Written under the lock.
   */
  private volatile boolean producerServes;

  /**
   * Why Kafka counts as gone while the producer serves ({@link KafkaWatch}); null if it answers.
   */
  private String kafkaSilence;

  /** What the listener was told last: whether the front door serves. */
  private boolean serving;

  private int failuresInARow;
  private boolean started;
  private boolean closed;

  /**
   * Makes the first producer at once (bad settings throw here); {@link #start} puts it in use once
   * Kafka has answered it.
   *
   * @param cluster where Kafka is ({@code bootstrap.servers}), for the log
   */
  ProducerSupervisor(
      Supplier<Producer<String, byte[]>> factory,
      String topic,
      String cluster,
      Duration initialBackoff,
      Duration maxBackoff,
      Listener listener) {
    this(
        factory,
        topic,
        cluster,
        initialBackoff,
        maxBackoff,
        listener,
        new RepeatedLogLimit(REPEATED_LOG_INTERVAL));
  }

  /**
   * With {@code repeats} deciding which repeated failure lines are logged (tests: a fake clock).
   */
  ProducerSupervisor(
      Supplier<Producer<String, byte[]>> factory,
      String topic,
      String cluster,
      Duration initialBackoff,
      Duration maxBackoff,
      Listener listener,
      RepeatedLogLimit repeats) {
    this(
        factory,
        topic,
        cluster,
        initialBackoff,
        maxBackoff,
        listener,
        repeats,
        KafkaCheck.NONE,
        Duration.ofSeconds(5),
        Duration.ZERO);
  }

  /**
   * With {@code check} asked every {@code checkInterval}: while the producer serves and no record
   * was acknowledged, whether Kafka still answers (silent for {@code silentAfter}: not serving;
   * zero: never), and while Kafka refuses the front door, whether it grants Write again.
   */
  ProducerSupervisor(
      Supplier<Producer<String, byte[]>> factory,
      String topic,
      String cluster,
      Duration initialBackoff,
      Duration maxBackoff,
      Listener listener,
      RepeatedLogLimit repeats,
      KafkaCheck check,
      Duration checkInterval,
      Duration silentAfter) {
    this.factory = factory;
    this.check = check;
    this.checkInterval = checkInterval;
    this.watch =
        new KafkaWatch(
            check,
            checkInterval,
            silentAfter,
            cluster,
            () -> producerServes,
            new KafkaWatch.Listener() {
              @Override
              public void silent(String reason) {
                kafkaSilent(reason);
              }

              @Override
              public void answering() {
                kafkaAnswers();
              }
            },
            System::nanoTime);
    this.repeats = repeats;
    this.topic = topic;
    this.cluster = cluster;
    this.diagnosis = new AttemptDiagnosis(topic, cluster);
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff.compareTo(initialBackoff) < 0 ? initialBackoff : maxBackoff;
    this.listener = listener;
    this.unavailable =
        "the front door has not reached Kafka yet (waiting for the metadata of topic "
            + topic
            + "); this event was not sent: retry with backoff";
    FrontDoorMetrics.producerUsable(false);
    try {
      this.candidate = factory.get();
    } catch (RuntimeException e) {
      if (!KafkaFailures.bootstrapUnresolvable(e)) {
        throw e; // bad settings: the start fails, saying which
      }
      // A broker's name that does not resolve yet (a container not started yet): waited for.
      this.candidate = null;
    }
  }

  /** For tests: {@code producer} in use at once, never checked, never replaced. */
  static ProducerSupervisor inUseAtOnce(Producer<String, byte[]> producer, String topic) {
    AtomicBoolean given = new AtomicBoolean();
    Supplier<Producer<String, byte[]>> onlyOnce =
        () -> {
          if (given.getAndSet(true)) {
            throw new IllegalStateException("no second producer in this set-up");
          }
          return producer;
        };
    ProducerSupervisor supervisor =
        new ProducerSupervisor(
            onlyOnce, topic, "(test)", Duration.ofSeconds(1), Duration.ofSeconds(1), u -> {});
    synchronized (supervisor) {
      supervisor.candidate = null;
      supervisor.started = true;
      supervisor.putInUse(producer, false);
    }
    return supervisor;
  }

  /** Tells the listener the present state, then checks the first producer against Kafka. */
  synchronized void start() {
    listener.usable(serving);
    if (started || closed) {
      return;
    }
    started = true;
    log.info(
        "Checking Kafka at {} for topic {}; until it answers, calls are refused UNAVAILABLE and"
            + " health says NOT_SERVING",
        cluster,
        topic);
    recovery.execute(this::attempt);
    watch.start();
  }

  /** Waits until a producer was in use once (Kafka answered); false if that did not happen. */
  boolean awaitFirstInUse(Duration timeout) throws InterruptedException {
    return firstInUse.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Runs {@code hook} with every new producer before it is put in use (under the supervisor's lock,
   * on the thread that put it in use; it must not wait for Kafka).
   */
  void beforeUse(Consumer<Generation> hook) {
    beforeUse = hook;
  }

  /** Whether the front door serves (what health says), and if not, why; for the HTTP check. */
  synchronized Optional<String> notServingBecause() {
    if (serving) {
      return Optional.empty();
    }
    if (current == null) {
      return Optional.of(closed ? "the front door is stopping" : unavailable);
    }
    if (producerServes) {
      return Optional.of(kafkaSilence);
    }
    return Optional.of(
        "a new Kafka producer is in use on trial (after: "
            + breakage
            + "); the front door serves again once Kafka has acknowledged one of its records");
  }

  /**
   * The producer in use, or null. Under the lock: a new producer is put in use (after {@link
   * #beforeUse}) before this answers, so what {@code beforeUse} did not see, this sees in use.
   */
  synchronized Generation inUse() {
    return current;
  }

  /** The producer in use; throws {@link ProducerUnavailableException} while there is none. */
  Generation require() {
    Generation generation = current;
    if (generation == null) {
      throw new ProducerUnavailableException(unavailable);
    }
    return generation;
  }

  /**
   * A send of {@code generation} failed: if the failure breaks the producer, takes it out of use
   * and starts replacing it. Later failures of a producer already replaced change nothing.
   */
  void failed(Generation generation, Throwable failure) {
    if (!KafkaFailures.breaksProducer(failure)) {
      return;
    }
    Throwable denial = KafkaFailures.denial(failure);
    Duration delay;
    synchronized (this) {
      if (closed || current != generation) {
        return;
      }
      breakage =
          denial != null
              ? refusedUntilGranted(denial)
              : "the front door's Kafka producer failed ("
                  + failure.getClass().getSimpleName()
                  + ": "
                  + failure.getMessage()
                  + ") and is being replaced";
      unavailable = breakage + "; this event was not sent: retry with backoff";
      current = null;
      broken = generation.producer;
      failuresInARow = generation.confirmed ? 0 : failuresInARow + 1;
      delay = backoff();
      setProducerServes(false);
      recovery.execute(this::closeBroken); // not here: this may be the producer's own I/O thread
      Runnable next = denial != null ? this::awaitGrant : this::attempt;
      recovery.schedule(next, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
    RepeatedLogLimit.Verdict verdict =
        repeats.admit("broken: " + (denial != null ? denial : failure).getClass().getName());
    if (!verdict.write()) {
      return;
    }
    if (denial != null) {
      logRefused(denial, delay, verdict);
    } else {
      log.error(
          "The Kafka producer is unusable after {}; calls are refused UNAVAILABLE until a new"
              + " producer is in use (first attempt in {} ms){}",
          failure.toString(),
          delay.toMillis(),
          verdict.note());
    }
  }

  /** What refusals and health say while Kafka refuses the front door's principal. */
  private String refusedUntilGranted(Throwable denial) {
    return KafkaFailures.refusal(denial, topic)
        + "; the front door asks Kafka every "
        + checkInterval.toMillis()
        + " ms whether it grants it, and serves once it does";
  }

  private void logRefused(Throwable denial, Duration delay, RepeatedLogLimit.Verdict verdict) {
    log.error(
        "{}; calls are refused UNAVAILABLE and health says NOT_SERVING until Kafka grants it"
            + " (asked in {} ms, then every {} ms){}",
        KafkaFailures.refusal(denial, topic),
        delay.toMillis(),
        checkInterval.toMillis(),
        verdict.note());
  }

  /**
   * Makes a producer if there is none waiting, and asks Kafka for the topic's metadata with it
   * (waits up to {@code max.block.ms}); puts it in use once answered, else tries again later.
   */
  private void attempt() {
    attempt(false);
  }

  /**
   * While Kafka refuses the front door: asks it (writing nothing) whether it grants Write on the
   * topic again, every {@code checkInterval}, and once it does, makes a new producer that serves at
   * once. A check that cannot tell (none configured, or the question failed otherwise) falls back
   * to a new producer on trial.
   */
  private void awaitGrant() {
    closeBroken();
    synchronized (this) {
      if (closed) {
        return;
      }
    }
    KafkaCheck.Answer answer = check.ask(checkInterval);
    switch (answer.kind()) {
      case WRITABLE -> attempt(true);
      case UNCLEAR -> {
        if (answer.failure() != null
            && repeats.admit("grant check: " + answer.failure().getClass().getName()).write()) {
          log.warn(
              "Could not ask Kafka whether it grants the front door's producer Write on topic {}"
                  + " ({}); trying a new producer on trial instead",
              topic,
              answer.describe());
        }
        attempt(false);
      }
      default -> {
        synchronized (this) {
          if (closed) {
            return;
          }
          recovery.schedule(this::awaitGrant, checkInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
        Throwable denial = KafkaFailures.denial(answer.failure());
        RepeatedLogLimit.Verdict verdict =
            repeats.admit(
                denial != null
                    ? "broken: " + denial.getClass().getName()
                    : "grant check: " + answer.kind());
        if (verdict.write() && denial != null) {
          log.error(
              "{}; still refused (asked again every {} ms){}",
              KafkaFailures.refusal(denial, topic),
              checkInterval.toMillis(),
              verdict.note());
        } else if (verdict.write()) {
          log.warn(
              "Kafka at {} does not say yet that the front door's producer may write to topic {}"
                  + " ({}); asked again every {} ms{}",
              cluster,
              topic,
              answer.describe(),
              checkInterval.toMillis(),
              verdict.note());
        }
      }
    }
  }

  /**
   * @param vouched a {@link KafkaCheck} said that Kafka grants Write: serves at once
   */
  private void attempt(boolean vouched) {
    closeBroken();
    Producer<String, byte[]> producer;
    synchronized (this) {
      if (closed) {
        return;
      }
      producer = candidate;
      candidate = null;
    }
    if (producer == null) {
      try {
        producer = factory.get();
      } catch (RuntimeException e) {
        retryLater(null, e); // none could be made: not a metadata fetch that failed
        return;
      }
    }
    List<PartitionInfo> partitions;
    try {
      partitions = producer.partitionsFor(topic);
    } catch (RuntimeException e) {
      retryLater(producer, e);
      return;
    }
    boolean first;
    synchronized (this) {
      first = !everInUse;
    }
    if (first && !vouched) {
      // The metadata needs only Describe: a principal without Write would serve and be refused at
      // the first call. Kafka answered; ask it whether it grants Write (a check that cannot tell
      // leaves the start as it was: serving).
      KafkaCheck.Answer answer = check.ask(checkInterval);
      Throwable denial =
          answer.kind() == KafkaCheck.Kind.NOT_WRITABLE
              ? KafkaFailures.denial(answer.failure())
              : null;
      if (denial != null) {
        refusedAtStart(producer, denial);
        return;
      }
    }
    boolean replacement;
    synchronized (this) {
      if (closed) {
        closeQuietly(producer);
        return;
      }
      replacement = everInUse;
      putInUse(producer, vouched);
    }
    if (replacement && vouched) {
      log.info(
          "Kafka grants the front door's producer Write on topic {} again; a new producer got its"
              + " metadata and the front door serves",
          topic);
    } else if (vouched) {
      int notLogged = repeats.reset();
      log.info(
          "Kafka at {} grants the front door's producer Write on topic {} now ({} partition(s));"
              + " the front door serves{}",
          cluster,
          topic,
          partitions == null ? 0 : partitions.size(),
          notLogged == 0 ? "" : " (" + notLogged + " line(s) before were not logged)");
    } else if (replacement) {
      log.info(
          "A new Kafka producer got the metadata of topic {}; calls are sent with it, and health"
              + " says SERVING again once Kafka has acknowledged its first record",
          topic);
    } else {
      int notLogged = repeats.reset();
      log.info(
          "Kafka at {} answered: topic {} has {} partition(s); the front door serves{}",
          cluster,
          topic,
          partitions == null ? 0 : partitions.size(),
          notLogged == 0 ? "" : " (" + notLogged + " failed attempt(s) before were not logged)");
    }
  }

  /**
   * At start, Kafka answered the first producer but does not grant Write on the topic: the refused
   * state that a refused send leads to (NOT_SERVING, calls refused UNAVAILABLE with the refusal,
   * the permission asked every {@code checkInterval}, serving as soon as it is granted), instead of
   * serving until the first call is refused. The producer is closed: an idempotent producer refused
   * its producer id stays broken, and once Write is granted a new one serves at once.
   */
  private void refusedAtStart(Producer<String, byte[]> producer, Throwable denial) {
    closeQuietly(producer);
    synchronized (this) {
      if (closed) {
        return;
      }
      breakage = refusedUntilGranted(denial);
      unavailable = breakage + "; this event was not sent: retry with backoff";
      recovery.schedule(this::awaitGrant, checkInterval.toMillis(), TimeUnit.MILLISECONDS);
    }
    RepeatedLogLimit.Verdict verdict = repeats.admit("broken: " + denial.getClass().getName());
    if (verdict.write()) {
      logRefused(denial, checkInterval, verdict);
    }
  }

  /**
   * Puts {@code producer} in use. The first one serves at once: Kafka answered it, and nothing has
   * failed yet. A replacement is on trial: a metadata fetch does not show what broke the last one
   * (idempotent writes denied, say), so health stays NOT_SERVING until Kafka acknowledges one of
   * its records; else a cause that no new producer cures would flip health to SERVING and back at
   * every attempt. It sends the calls' own records, never a probe into the topic; one that no call
   * tries within {@code maxBackoff} serves (nothing says it is broken, and a front door that says
   * NOT_SERVING may get no calls to prove itself with). One {@code vouched} for by a {@link
   * KafkaCheck} (Kafka grants Write on the topic) serves at once.
   */
  // Guarded by this.
  private void putInUse(Producer<String, byte[]> producer, boolean vouched) {
    Generation generation = new Generation(producer);
    // Before any call can send with it: records waiting for a producer go ahead of the calls'.
    beforeUse.accept(generation);
    current = generation;
    if (!everInUse) {
      everInUse = true;
      failuresInARow = 0; // waiting for Kafka at start says nothing about this producer
      setProducerServes(true);
    } else if (generation.confirmed) {
      serveAgain(); // a record handed over above was acknowledged already
      log.info("Kafka acknowledged a record of the new producer; the front door serves again");
    } else if (vouched) {
      serveAgain();
    } else {
      recovery.schedule(
          () -> serveIfUntried(generation), maxBackoff.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Kafka acknowledged a first record of {@code generation}: on trial, it serves now. */
  private void confirmed(Generation generation) {
    synchronized (this) {
      if (closed || current != generation || producerServes) {
        return;
      }
      serveAgain();
    }
    log.info("Kafka acknowledged a record of the new producer; the front door serves again");
  }

  /** A replacement on trial that no call tried for {@code maxBackoff} serves. */
  private void serveIfUntried(Generation generation) {
    long idleMillis;
    synchronized (this) {
      if (closed || current != generation || producerServes) {
        return;
      }
      idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - generation.lastSendNanos);
      if (idleMillis < maxBackoff.toMillis()) {
        recovery.schedule(
            () -> serveIfUntried(generation),
            maxBackoff.toMillis() - idleMillis,
            TimeUnit.MILLISECONDS);
        return;
      }
      serveAgain();
    }
    log.info(
        "No call tried the new Kafka producer for {} ms; the front door says SERVING again, untested",
        idleMillis);
  }

  // Guarded by this.
  private void serveAgain() {
    setProducerServes(true);
    repeats.reset(); // a later failure is news: logged at once
    FrontDoorMetrics.producerReplaced();
  }

  // Guarded by this.
  private void setProducerServes(boolean now) {
    producerServes = now;
    if (now) {
      firstInUse.countDown();
    } else {
      kafkaSilence = null; // moot while no producer serves; the watch looks again once one does
    }
    updateServing();
  }

  /** The watch found Kafka silent while the producer serves. */
  private synchronized void kafkaSilent(String reason) {
    if (closed || !producerServes) {
      return;
    }
    kafkaSilence = reason;
    updateServing();
  }

  /** The watch heard Kafka answer. */
  private synchronized void kafkaAnswers() {
    if (kafkaSilence != null) {
      kafkaSilence = null;
      updateServing();
    }
  }

  /** Tells the listener whether the front door serves: the producer serves and Kafka answers. */
  // Guarded by this.
  private void updateServing() {
    boolean now = producerServes && kafkaSilence == null;
    if (serving == now) {
      return;
    }
    serving = now;
    listener.usable(now);
    FrontDoorMetrics.producerUsable(now);
  }

  /** Kafka did not answer {@code producer} (null: none could be made): logs why, tries again. */
  private void retryLater(Producer<String, byte[]> producer, RuntimeException failure) {
    Duration delay;
    boolean firstProducer;
    boolean denied = KafkaFailures.denial(failure) != null;
    synchronized (this) {
      if (closed) {
        if (producer != null) {
          closeQuietly(producer);
        }
        return;
      }
      firstProducer = !everInUse;
      if (producer != null && !KafkaFailures.breaksProducer(failure)) {
        candidate = producer; // not broken: it keeps its connections for the next attempt
      } else if (producer != null) {
        closeQuietly(producer);
      }
      if (firstProducer && producer != null && !denied) {
        // Kafka not up yet: each attempt already waits max.block.ms; no need to wait longer.
        delay = initialBackoff;
      } else {
        // Refused at once, or no producer could be made: nothing waited, so back off.
        failuresInARow++;
        delay = backoff();
      }
      unavailable = diagnosis.forCaller(producer != null, failure, firstProducer, breakage);
      Runnable next = denied ? this::awaitGrant : this::attempt;
      recovery.schedule(next, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
    RepeatedLogLimit.Verdict verdict =
        repeats.admit(AttemptDiagnosis.kind(producer != null, failure, firstProducer));
    if (!verdict.write()) {
      return;
    }
    String why = diagnosis.forLog(producer != null, failure);
    if (producer != null && (KafkaFailures.topicMissing(failure) || denied)) {
      log.error(
          "{}; calls are refused UNAVAILABLE and health says NOT_SERVING until it is fixed; next"
              + " attempt in {} ms{}",
          why,
          delay.toMillis(),
          verdict.note());
    } else {
      log.warn(
          "{} ({}); calls are refused UNAVAILABLE and health says NOT_SERVING meanwhile; next"
              + " attempt in {} ms{}",
          firstProducer ? "Waiting for Kafka" : "A new Kafka producer is not ready",
          why,
          delay.toMillis(),
          verdict.note());
    }
  }

  private Duration backoff() {
    long millis = initialBackoff.toMillis();
    for (int i = 1; i < failuresInARow && millis < maxBackoff.toMillis(); i++) {
      millis *= 2;
    }
    return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
  }

  private void closeBroken() {
    Producer<String, byte[]> producer;
    synchronized (this) {
      producer = broken;
      broken = null;
    }
    if (producer != null) {
      closeQuietly(producer); // its unsent records fail now, answered UNAVAILABLE
    }
  }

  private static void closeQuietly(Producer<String, byte[]> producer) {
    try {
      producer.close(Duration.ZERO);
    } catch (RuntimeException e) {
      log.debug("Closing a Kafka producer failed: {}", e.toString());
    }
  }

  /** Flushes the producer in use, if there is one. */
  void flush() {
    Generation generation = current;
    if (generation != null) {
      generation.producer.flush();
    }
  }

  /** Stops checking and replacing, and closes the producer in use (within {@code timeout}). */
  void close(Duration timeout) {
    Generation generation;
    Producer<String, byte[]> waiting;
    synchronized (this) {
      closed = true;
      generation = current;
      current = null;
      waiting = candidate;
      candidate = null;
    }
    watch.close();
    recovery.shutdownNow(); // interrupts an attempt waiting for metadata
    try {
      recovery.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeBroken();
    check.close();
    if (waiting != null) {
      closeQuietly(waiting);
    }
    if (generation != null) {
      generation.producer.close(timeout);
    }
  }
}
