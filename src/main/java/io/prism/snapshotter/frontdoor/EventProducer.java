package io.prism.snapshotter.frontdoor;

import io.prism.snapshotter.proto.pubsub.PublishRequest;
import io.prism.snapshotter.proto.pubsub.PublishResponse;
import io.prism.snapshotter.util.Causes;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns events into Kafka records on one topic: key = writer id, value = payload, headers = the
 * attributes plus event id and publish time (see {@link FrontDoorHeaders}, {@link HeaderNames}). A
 * returned future completes only when Kafka has acknowledged the record (the producer runs with
 * {@code acks=all} and idempotence), or fails with the producer's exception.
 */
final class EventProducer implements AutoCloseable {
  /** How long {@link #flush} waits for session ends still being handed to the producer. */
  private static final Duration HAND_OVER_WAIT = Duration.ofSeconds(10);

  private static final byte[] NO_PAYLOAD = new byte[0];

  /** Most writers whose session end waits for a new producer; beyond, the oldest is dropped. */
  static final int MAX_PENDING_SESSION_ENDS = 10_000;

  private static final Logger log = LoggerFactory.getLogger(EventProducer.class);

  private final ProducerSupervisor producers;

  /**
   * Session ends being handed to the producer on another thread ({@link #publishSessionEndLater}).
   */
  private final Set<CompletableFuture<?>> endsBeingHandedOver = ConcurrentHashMap.newKeySet();

  /**
   * Writers whose session-end record could not be sent because no producer was usable (none in use,
   * or the one in use broke under it): sent by the next producer before any call's record. Guarded
   * by itself.
   */
  private final Set<String> pendingSessionEnds = new LinkedHashSet<>();

  private final int maxPendingSessionEnds;
  private final String topic;
  private final HeaderNames headerNames;
  private final Clock clock;

  /** For tests: this one producer, in use at once, never replaced. */
  EventProducer(Producer<String, byte[]> producer, String topic, Clock clock) {
    this(producer, topic, HeaderNames.DEFAULTS, clock);
  }

  /** For tests: this one producer, in use at once, never replaced. */
  EventProducer(
      Producer<String, byte[]> producer, String topic, HeaderNames headerNames, Clock clock) {
    this(ProducerSupervisor.inUseAtOnce(producer, topic), topic, headerNames, clock);
  }

  EventProducer(ProducerSupervisor producers, String topic, HeaderNames headerNames, Clock clock) {
    this(producers, topic, headerNames, clock, MAX_PENDING_SESSION_ENDS);
  }

  EventProducer(
      ProducerSupervisor producers,
      String topic,
      HeaderNames headerNames,
      Clock clock,
      int maxPendingSessionEnds) {
    this.producers = producers;
    this.topic = topic;
    this.headerNames = headerNames;
    this.clock = clock;
    this.maxPendingSessionEnds = maxPendingSessionEnds;
    producers.beforeUse(this::sendPendingSessionEnds);
  }

  /** The Kafka topic every record goes to. */
  String topic() {
    return topic;
  }

  /** Sends one (already validated) event. */
  CompletableFuture<PublishResponse> publish(PublishRequest event) {
    RecordHeaders headers = new RecordHeaders();
    for (Map.Entry<String, String> attribute : event.getAttributesMap().entrySet()) {
      headers.add(attribute.getKey(), utf8(attribute.getValue()));
    }
    if (!event.containsAttributes(headerNames.eventId())) {
      headers.add(headerNames.eventId(), utf8(UUID.randomUUID().toString()));
    }
    headers.add(FrontDoorHeaders.PUBLISH_TIME, utf8(Long.toString(clock.millis())));
    return send(
        new ProducerRecord<>(
            topic, null, event.getTopic(), event.getPayload().toByteArray(), headers));
  }

  /** Sends the session-end control record of a writer. */
  CompletableFuture<PublishResponse> publishSessionEnd(String writerId) {
    return send(sessionEnd(writerId));
  }

  /**
   * Sends the session-end control record of a writer; if no producer is usable for it (see {@link
   * #waitsForNewProducer}), the next producer sends it, before any call's record, so that the
   * writer's page does not wait for its age limit. The returned future still fails now.
   */
  CompletableFuture<PublishResponse> publishSessionEndOrLater(String writerId) {
    CompletableFuture<PublishResponse> sent = publishSessionEnd(writerId);
    sent.whenComplete(
        (end, failure) -> {
          if (failure != null && waitsForNewProducer(failure)) {
            sendWithNextProducer(writerId);
          }
        });
    return sent;
  }

  /**
   * Whether a failed send failed for want of a usable producer: refused as none was in use (not
   * sent), or the producer broke under it (maybe stored; a second session end of a writer only
   * closes a page early, it loses nothing).
   */
  static boolean waitsForNewProducer(Throwable failure) {
    Throwable cause = Causes.unwrapped(failure);
    return cause instanceof ProducerUnavailableException || KafkaFailures.breaksProducer(cause);
  }

  private void sendWithNextProducer(String writerId) {
    String dropped = null;
    int waiting;
    synchronized (pendingSessionEnds) {
      pendingSessionEnds.add(writerId);
      if (pendingSessionEnds.size() > maxPendingSessionEnds) {
        dropped = pendingSessionEnds.iterator().next();
        pendingSessionEnds.remove(dropped);
      }
      waiting = pendingSessionEnds.size();
    }
    if (dropped != null) {
      log.warn(
          "More than {} session ends wait for a new Kafka producer; the one of writer {} is dropped"
              + " (its page closes on age)",
          maxPendingSessionEnds,
          dropped);
    }
    log.info(
        "The session-end record of writer {} waits for a new Kafka producer ({} waiting)",
        writerId,
        waiting);
    // A producer may have been put in use since this end was refused; it would not send it. On
    // another thread: this may be a producer's I/O thread, or hold no lock the supervisor waits on.
    CompletableFuture.runAsync(
        () -> {
          ProducerSupervisor.Generation inUse = producers.inUse();
          if (inUse != null) {
            sendPendingSessionEnds(inUse);
          }
        });
  }

  /** Hands every waiting session end to {@code generation} (a new producer, or the one in use). */
  private void sendPendingSessionEnds(ProducerSupervisor.Generation generation) {
    List<String> writers;
    synchronized (pendingSessionEnds) {
      writers = new ArrayList<>(pendingSessionEnds);
      pendingSessionEnds.clear();
    }
    for (String writer : writers) {
      send(sessionEnd(writer), generation)
          .whenComplete(
              (end, failure) -> {
                if (failure == null) {
                  log.info(
                      "The session-end record of writer {} was stored late, at {}",
                      writer,
                      end.getMessageId());
                } else if (waitsForNewProducer(failure)) {
                  sendWithNextProducer(writer);
                } else {
                  log.warn(
                      "The session-end record of writer {} was not stored: {}",
                      writer,
                      failure.toString());
                }
              });
    }
  }

  /** Session ends waiting for a new producer, for tests. */
  int pendingSessionEnds() {
    synchronized (pendingSessionEnds) {
      return pendingSessionEnds.size();
    }
  }

  private ProducerRecord<String, byte[]> sessionEnd(String writerId) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(headerNames.session(), utf8(FrontDoorHeaders.SESSION_END));
    headers.add(headerNames.eventId(), utf8(UUID.randomUUID().toString()));
    headers.add(FrontDoorHeaders.PUBLISH_TIME, utf8(Long.toString(clock.millis())));
    return new ProducerRecord<>(topic, null, writerId, NO_PAYLOAD, headers);
  }

  /**
   * {@link #publishSessionEnd} from another thread: the caller may be the producer's I/O thread
   * (inside an acknowledgement), where a send that waits for buffer space would wait on itself.
   * {@link #flush} waits until such records are handed to the producer, so that shutdown, which
   * cancels open sessions and then flushes and closes, does not drop their ends.
   */
  CompletableFuture<PublishResponse> publishSessionEndLater(
      String writerId, boolean retryOnNewProducer) {
    CompletableFuture<CompletableFuture<PublishResponse>> handedOver =
        CompletableFuture.supplyAsync(
            () ->
                retryOnNewProducer
                    ? publishSessionEndOrLater(writerId)
                    : publishSessionEnd(writerId));
    endsBeingHandedOver.add(handedOver);
    handedOver.whenComplete((sent, failure) -> endsBeingHandedOver.remove(handedOver));
    return handedOver.thenCompose(Function.identity());
  }

  private CompletableFuture<PublishResponse> send(ProducerRecord<String, byte[]> record) {
    return send(record, null);
  }

  /** Sends with {@code with}, or with the producer in use if null. */
  private CompletableFuture<PublishResponse> send(
      ProducerRecord<String, byte[]> record, ProducerSupervisor.Generation with) {
    CompletableFuture<PublishResponse> acknowledged = new CompletableFuture<>();
    ProducerSupervisor.Generation generation = null;
    try {
      generation = with != null ? with : producers.require();
      ProducerSupervisor.Generation sentWith = generation;
      generation.sending();
      generation
          .producer()
          .send(
              record,
              (metadata, error) -> {
                if (error != null) {
                  // First, so that a client's immediate retry already finds the producer replaced.
                  producers.failed(sentWith, error);
                  acknowledged.completeExceptionally(error);
                } else {
                  sentWith.confirm();
                  acknowledged.complete(responseFor(metadata));
                }
              });
    } catch (RuntimeException e) {
      // send() itself throws when metadata does not arrive within max.block.ms, when closed, or
      // when the producer is broken; require() when a broken one is being replaced.
      if (generation != null) {
        producers.failed(generation, e);
      }
      acknowledged.completeExceptionally(e);
    }
    return acknowledged;
  }

  static PublishResponse responseFor(RecordMetadata metadata) {
    return PublishResponse.newBuilder()
        .setMessageId(metadata.topic() + "-" + metadata.partition() + "-" + metadata.offset())
        .setSequence(metadata.offset())
        .build();
  }

  /** Sends everything buffered, session ends on their way to the producer included, and waits. */
  void flush() {
    try {
      CompletableFuture.allOf(endsBeingHandedOver.toArray(CompletableFuture[]::new))
          .get(HAND_OVER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // a failed one failed its session's answer already; a stuck one is the producer's to time out
    }
    producers.flush();
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  void close(Duration timeout) {
    producers.close(timeout);
    synchronized (pendingSessionEnds) {
      if (!pendingSessionEnds.isEmpty()) {
        log.warn(
            "{} session-end record(s) still waited for a new Kafka producer at shutdown and are not"
                + " sent (those writers' pages close on age): {}",
            pendingSessionEnds.size(),
            pendingSessionEnds.size() <= 20 ? pendingSessionEnds : "(too many to list)");
      }
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
