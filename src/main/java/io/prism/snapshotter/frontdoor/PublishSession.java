package io.prism.snapshotter.frontdoor;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import io.prism.snapshotter.proto.pubsub.PublishResponse;
import io.prism.snapshotter.proto.pubsub.PublishSessionResponse;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client-streaming session of one writer. Events are sent to Kafka as they arrive, at most
 * {@code window} unacknowledged at a time (gRPC flow control holds the client back beyond that).
 * However the stream ends (half-close, cancellation, dropped connection, a refused event) the
 * session-end record of the writer is produced exactly once, after every event of the session was
 * sent, so it lands after them in the writer's partition.
 */
final class PublishSession implements StreamObserver<PublishRequest> {
  private static final Logger log = LoggerFactory.getLogger(PublishSession.class);

  private final ServerCallStreamObserver<PublishSessionResponse> call;
  private final PublishService service;

  // Guarded by this.
  private String writerId;
  private int unacknowledged;
  private long storedEvents;
  private PublishResponse lastEvent;
  private boolean halfClosed;
  private boolean ended;

  /**
   * An event of the session reached a producer (it may be stored): then its end, if no producer can
   * send it now, is sent by the next one. A session all of whose events were refused for want of a
   * producer has nothing in the writer's page to close.
   */
  private boolean anyEventSent;

  /** Events admitted and not yet handed to the producer (onNext sends outside the lock). */
  private int handingOver;

  /** The session ended abnormally while events were being handed over: send its end after. */
  private boolean endAfterHandover;

  private PublishSession(
      ServerCallStreamObserver<PublishSessionResponse> call, PublishService service) {
    this.call = call;
    this.service = service;
  }

  static PublishSession start(
      ServerCallStreamObserver<PublishSessionResponse> call, PublishService service, int window) {
    PublishSession session = new PublishSession(call, service);
    call.disableAutoRequest();
    // A cancelled call tells the request observer (onError); the handler only stops gRPC from
    // throwing at our late answers.
    call.setOnCancelHandler(() -> log.debug("Session of {} cancelled", session.writerIdOrNone()));
    // Runs when the call closes for any reason, including a refusal by an interceptor that the
    // request observer never hears about.
    call.setOnCloseHandler(session::endIfOpen);
    call.request(window);
    return session;
  }

  @Override
  public void onNext(PublishRequest event) {
    synchronized (this) {
      if (ended) {
        return;
      }
      try {
        service.admit(event, "");
        if (writerId == null) {
          writerId = event.getTopic();
        } else if (!writerId.equals(event.getTopic())) {
          throw InputRules.invalid(
              "topic",
              "a session carries one writer (\""
                  + writerId
                  + "\"); this event names \""
                  + event.getTopic()
                  + "\"");
        }
        service.reserve(1);
      } catch (StatusRuntimeException refused) {
        failAndEnd(refused.getStatus());
        return;
      }
      unacknowledged++;
      handingOver++;
    }
    // Sent outside the lock: send() may block on a full producer buffer, and the producer's
    // I/O thread needs the lock to deliver acknowledgements. gRPC delivers one call's messages
    // one at a time, so the events still reach the producer in order.
    CompletableFuture<PublishResponse> ack = null;
    try {
      ack = service.producer().publish(event);
    } finally {
      handedOver(ack);
    }
    ack.whenComplete(this::acknowledged);
  }

  /**
   * An event reached the producer. If the session ended meanwhile (an earlier event failed, the
   * client went away), its end record goes now: sent earlier, it could precede this event.
   */
  private synchronized void handedOver(CompletableFuture<PublishResponse> ack) {
    if (ack != null && !ack.isCompletedExceptionally()) {
      anyEventSent = true; // failed at once: refused (no producer) or send() threw, so not stored
    }
    handingOver--;
    if (endAfterHandover && handingOver == 0) {
      endAfterHandover = false;
      sendAbnormalEnd();
    }
  }

  private synchronized void acknowledged(PublishResponse response, Throwable failure) {
    service.inFlight().release(1);
    unacknowledged--;
    if (failure != null) {
      failAndEnd(service.failureStatus(failure));
      return;
    }
    storedEvents++;
    lastEvent = response;
    if (ended) {
      return;
    }
    if (halfClosed && unacknowledged == 0) {
      finish();
    } else {
      call.request(1);
    }
  }

  @Override
  public synchronized void onError(Throwable cancelled) {
    // Client cancelled or the connection dropped: that is the session's end too.
    log.debug("Session of {} ended by the client: {}", writerIdOrNone(), cancelled.toString());
    endIfOpen();
  }

  @Override
  public synchronized void onCompleted() {
    halfClosed = true;
    if (!ended && unacknowledged == 0) {
      finish();
    }
  }

  /** Normal end: every event acknowledged; store the session end, then answer. */
  private void finish() {
    ended = true;
    if (writerId == null) {
      answer(PublishSessionResponse.newBuilder().build());
      return;
    }
    long count = storedEvents;
    PublishResponse last = lastEvent;
    sendSessionEnd(writerId)
        .whenComplete(
            (end, failure) -> {
              if (failure != null) {
                failQuietly(service.failureStatus(failure));
              } else {
                answer(
                    PublishSessionResponse.newBuilder()
                        .setEventCount(count)
                        .setLastEvent(last)
                        .setSessionEnd(end)
                        .build());
              }
            });
  }

  private void failAndEnd(Status status) {
    if (ended) {
      return;
    }
    endIfOpen();
    failQuietly(status);
  }

  /** Abnormal end: produce the session-end record (best effort) without answering. */
  private synchronized void endIfOpen() {
    if (ended) {
      return;
    }
    ended = true;
    if (writerId == null) {
      return;
    }
    if (handingOver > 0) {
      endAfterHandover = true; // handedOver() sends it, after the event on its way
      return;
    }
    sendAbnormalEnd();
  }

  /** Produces the session-end record of a session that ended abnormally (best effort). */
  private void sendAbnormalEnd() {
    String writer = writerId;
    boolean waitsForNewProducer = anyEventSent;
    sendSessionEnd(writer)
        .whenComplete(
            (end, failure) -> {
              if (failure != null
                  && waitsForNewProducer
                  && EventProducer.waitsForNewProducer(failure)) {
                log.info(
                    "Session of writer {} ended; its session-end record waits for a new Kafka"
                        + " producer: {}",
                    writer,
                    failure.toString());
              } else if (failure != null) {
                log.warn(
                    "Session of writer {} ended but its session-end record was not stored: {}",
                    writer,
                    failure.toString());
              } else {
                log.debug(
                    "Session of writer {} ended abnormally; session end at {}",
                    writer,
                    end.getMessageId());
              }
            });
  }

  /**
   * Sends the session-end record from another thread ({@link
   * EventProducer#publishSessionEndLater}). Every event of the session was handed to the producer
   * before, so the end still follows them. If no producer is usable for it and an event of the
   * session reached a producer, the next producer sends it, ahead of any call's record.
   */
  private CompletableFuture<PublishResponse> sendSessionEnd(String writer) {
    return service.producer().publishSessionEndLater(writer, anyEventSent);
  }

  private void answer(PublishSessionResponse response) {
    try {
      call.onNext(response);
      call.onCompleted();
    } catch (RuntimeException callGone) {
      log.debug(
          "Could not answer the finished session of {}: {}", writerIdOrNone(), callGone.toString());
    }
  }

  private void failQuietly(Status status) {
    try {
      call.onError(status.asRuntimeException());
    } catch (RuntimeException callGone) {
      log.debug(
          "Could not fail the finished session of {}: {}", writerIdOrNone(), callGone.toString());
    }
  }

  private synchronized String writerIdOrNone() {
    return writerId == null ? "(no writer yet)" : writerId;
  }
}
