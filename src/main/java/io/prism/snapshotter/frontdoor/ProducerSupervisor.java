package io.prism.snapshotter.frontdoor;

import io.prism.snapshotter.metrics.FrontDoorMetrics;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the front door's Kafka producer and replaces it when it breaks. Some failures leave a
 * producer unusable for good (fenced, its idempotent writes denied, see {@link
 * KafkaFailures#breaksProducer}): every later send would fail the same way. After such a failure
 * the broken producer is closed and a new one made, after a backoff that doubles (from {@code
 * initialBackoff} to {@code maxBackoff}) for every producer in a row that failed to start or broke
 * before Kafka acknowledged anything; a new producer is put in use once it has fetched the topic's
 * metadata. Meanwhile {@link #require} refuses, and the listener hears "not usable" (the health
 * service says NOT_SERVING) until a new producer is in use.
 */
final class ProducerSupervisor {
  private static final Logger log = LoggerFactory.getLogger(ProducerSupervisor.class);

  /** Told whether sends can go anywhere; called in order, under the supervisor's lock. */
  interface Listener {
    void usable(boolean usable);
  }

  /** One producer in use, and whether Kafka has acknowledged one of its records. */
  static final class Generation {
    private final Producer<String, byte[]> producer;
    private volatile boolean confirmed;

    private Generation(Producer<String, byte[]> producer) {
      this.producer = producer;
    }

    Producer<String, byte[]> producer() {
      return producer;
    }

    /** Kafka acknowledged a record of this producer (a volatile read once it has). */
    void confirm() {
      if (!confirmed) {
        confirmed = true;
      }
    }
  }

  private final Supplier<Producer<String, byte[]>> factory;
  private final String topic;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Listener listener;
  private final ScheduledExecutorService recovery =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "frontdoor-producer-recovery");
            thread.setDaemon(true);
            return thread;
          });

  /** The producer to send with; null while a broken one is being replaced. */
  private volatile Generation current;

  /** Why {@link #current} is null, for the refusals meanwhile. */
  private volatile Throwable breakage;

  // Guarded by this.
  private Producer<String, byte[]> broken;
  private int failuresInARow;
  private boolean closed;

  /** Makes the first producer at once; it is checked by use (Kafka may still be starting). */
  ProducerSupervisor(
      Supplier<Producer<String, byte[]>> factory,
      String topic,
      Duration initialBackoff,
      Duration maxBackoff,
      Listener listener) {
    this.factory = factory;
    this.topic = topic;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff.compareTo(initialBackoff) < 0 ? initialBackoff : maxBackoff;
    this.listener = listener;
    this.current = new Generation(factory.get());
    FrontDoorMetrics.producerUsable(true);
  }

  /** The producer in use; throws {@link ProducerUnavailableException} while it is replaced. */
  Generation require() {
    Generation generation = current;
    if (generation == null) {
      throw new ProducerUnavailableException(breakage);
    }
    return generation;
  }

  /** Tells the listener the present state (in order with the changes it hears of). */
  synchronized void announce() {
    listener.usable(current != null);
  }

  /**
   * A send of {@code generation} failed: if the failure breaks the producer, takes it out of use
   * and starts replacing it. Later failures of a producer already replaced change nothing.
   */
  void failed(Generation generation, Throwable failure) {
    if (!KafkaFailures.breaksProducer(failure)) {
      return;
    }
    Duration delay;
    synchronized (this) {
      if (closed || current != generation) {
        return;
      }
      breakage = failure;
      current = null;
      broken = generation.producer;
      failuresInARow = generation.confirmed ? 0 : failuresInARow + 1;
      delay = backoff();
      listener.usable(false);
      FrontDoorMetrics.producerUsable(false);
      recovery.execute(this::closeBroken); // not here: this may be the producer's own I/O thread
      recovery.schedule(this::replace, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
    log.error(
        "The Kafka producer is unusable after {}; calls are refused UNAVAILABLE until a new"
            + " producer is in use (first attempt in {} ms)",
        failure.toString(),
        delay.toMillis());
  }

  /** Makes a new producer; on failure, tries again after a longer backoff. */
  private void replace() {
    closeBroken();
    Producer<String, byte[]> fresh = null;
    try {
      fresh = factory.get();
      // Kafka answers it: the cluster is reachable, the topic there, the credentials accepted.
      fresh.partitionsFor(topic);
    } catch (RuntimeException e) {
      if (fresh != null) {
        closeQuietly(fresh);
      }
      Duration delay;
      synchronized (this) {
        if (closed) {
          return;
        }
        failuresInARow++;
        delay = backoff();
        recovery.schedule(this::replace, delay.toMillis(), TimeUnit.MILLISECONDS);
      }
      log.warn(
          "A new Kafka producer is not ready ({}); next attempt in {} ms",
          e.toString(),
          delay.toMillis());
      return;
    }
    synchronized (this) {
      if (closed) {
        closeQuietly(fresh);
        return;
      }
      current = new Generation(fresh); // breakage stays: a refusal may have just read null
      listener.usable(true);
      FrontDoorMetrics.producerReplaced();
      FrontDoorMetrics.producerUsable(true);
    }
    log.info("A new Kafka producer is in use; the front door serves again");
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

  /** Stops replacing, and closes the producer in use (within {@code timeout}). */
  void close(Duration timeout) {
    Generation generation;
    synchronized (this) {
      closed = true;
      generation = current;
      current = null;
    }
    recovery.shutdownNow(); // interrupts a replacement waiting for metadata
    try {
      recovery.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeBroken();
    if (generation != null) {
      generation.producer.close(timeout);
    }
  }
}
