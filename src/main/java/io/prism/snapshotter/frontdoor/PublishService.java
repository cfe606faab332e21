package io.prism.snapshotter.frontdoor;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.prism.snapshotter.proto.pubsub.BatchPublishRequest;
import io.prism.snapshotter.proto.pubsub.BatchPublishResponse;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import io.prism.snapshotter.proto.pubsub.PublishResponse;
import io.prism.snapshotter.proto.pubsub.PublishSessionResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-only PubSubBasicInterface: every accepted event becomes one Kafka record, and a success
 * is answered only after Kafka acknowledged it. Order of checks per call: input rules ({@code
 * INVALID_ARGUMENT}), writer scope ({@code PERMISSION_DENIED}), deadline ({@code
 * DEADLINE_EXCEEDED}), in-flight capacity ({@code RESOURCE_EXHAUSTED}); then Kafka ({@code
 * UNAVAILABLE} when it does not confirm, or refuses the front door's own principal).
 */
final class PublishService extends PubSubBasicInterfaceGrpc.PubSubBasicInterfaceImplBase {
  private static final Logger log = LoggerFactory.getLogger(PublishService.class);

  private final EventProducer producer;
  private final InputRules rules;
  private final InFlightLimit inFlight;
  private final int sessionWindow;

  PublishService(
      EventProducer producer, InputRules rules, InFlightLimit inFlight, int sessionWindow) {
    this.producer = producer;
    this.rules = rules;
    this.inFlight = inFlight;
    this.sessionWindow = sessionWindow;
  }

  @Override
  public void publish(PublishRequest request, StreamObserver<PublishResponse> responses) {
    try {
      admit(request, "");
      requireTimeLeft();
      reserve(1);
    } catch (StatusRuntimeException refused) {
      responses.onError(refused);
      return;
    }
    producer
        .publish(request)
        .whenComplete(
            (response, failure) -> {
              inFlight.release(1);
              if (failure != null) {
                fail(responses, failureStatus(failure));
              } else {
                answer(responses, response);
              }
            });
  }

  @Override
  public void batchPublish(
      BatchPublishRequest request, StreamObserver<BatchPublishResponse> responses) {
    List<PublishRequest> events = request.getEventsList();
    try {
      rules.checkBatch(events);
      for (int i = 0; i < events.size(); i++) {
        checkScope(events.get(i).getTopic(), "events[" + i + "].");
      }
      requireTimeLeft();
      reserve(events.size());
    } catch (StatusRuntimeException refused) {
      responses.onError(refused);
      return;
    }
    // Captured once: the per-event check below is a field read, not a thread-local lookup.
    Context call = Context.current();
    List<CompletableFuture<PublishResponse>> acks = new ArrayList<>(events.size());
    for (PublishRequest event : events) {
      if (call.isCancelled()) {
        // Cancelled by the client or past its deadline (send() may have blocked up to
        // max.block.ms): nobody waits for an answer any more, and the events sent so far (a
        // prefix of the batch) may be stored. Sending the rest would store events the client was
        // told nothing about; its retry of the whole batch stores them in order after that prefix.
        inFlight.release(events.size() - acks.size());
        log.debug(
            "Batch call ended ({}) after {} of {} events were sent; the rest are not sent",
            cancellationReason(call),
            acks.size(),
            events.size());
        return;
      }
      CompletableFuture<PublishResponse> ack = producer.publish(event);
      acks.add(ack.whenComplete((response, failure) -> inFlight.release(1)));
      if (ack.isCompletedExceptionally()) {
        // send() refused at once (no metadata within max.block.ms): the rest are not sent, or a
        // later event could be stored without this earlier one, and the client's retry of the
        // batch would then store that event ahead of the earlier ones (bin/chaos found this).
        inFlight.release(events.size() - acks.size());
        break;
      }
    }
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ignored, failure) -> {
              if (failure != null) {
                fail(responses, batchFailure(acks));
                return;
              }
              BatchPublishResponse.Builder batch = BatchPublishResponse.newBuilder();
              acks.forEach(ack -> batch.addResults(ack.join()));
              answer(responses, batch.build());
            });
  }

  private static String cancellationReason(Context call) {
    Throwable cause = call.cancellationCause();
    return cause == null ? "cancelled" : cause.toString();
  }

  /**
   * The status of a batch one of whose events failed: the first failed one's. When Kafka refused
   * that event itself (too large for the topic), it names the event, and says that those before it
   * were sent: INVALID_ARGUMENT otherwise means nothing of the request was stored.
   */
  private Status batchFailure(List<CompletableFuture<PublishResponse>> acks) {
    for (int i = 0; i < acks.size(); i++) {
      CompletableFuture<PublishResponse> ack = acks.get(i);
      if (!ack.isCompletedExceptionally()) {
        continue;
      }
      Status status = failureStatus(ack.handle((response, failure) -> failure).join());
      if (status.getCode() != Status.Code.INVALID_ARGUMENT) {
        return status;
      }
      return status.withDescription(
          "events["
              + i
              + "]."
              + status.getDescription()
              + (i == 0
                  ? ""
                  : " (events[0.."
                      + (i - 1)
                      + "] were sent before it and may be stored: do not send them again)"));
    }
    return Status.INTERNAL.withDescription("a batch failed without a failed event");
  }

  @Override
  public StreamObserver<PublishRequest> publishSession(
      StreamObserver<PublishSessionResponse> responses) {
    ServerCallStreamObserver<PublishSessionResponse> call =
        (ServerCallStreamObserver<PublishSessionResponse>) responses;
    return PublishSession.start(call, this, sessionWindow);
  }

  /** The input rules and the caller's writer scope for one event. */
  void admit(PublishRequest event, String path) {
    rules.check(event, path);
    checkScope(event.getTopic(), path);
  }

  /** The status of a failed Kafka send (see {@link KafkaFailures}). */
  Status failureStatus(Throwable failure) {
    return KafkaFailures.toStatus(failure, rules.headers().eventId(), producer.topic());
  }

  EventProducer producer() {
    return producer;
  }

  InFlightLimit inFlight() {
    return inFlight;
  }

  private static void checkScope(String writerId, String path) {
    WriterScope scope = WriterScope.current();
    if (!scope.permits(writerId)) {
      throw Status.PERMISSION_DENIED
          .withDescription(
              path
                  + "topic: this token may only publish writer ids "
                  + "starting with \""
                  + scope.writerIdPrefix()
                  + "\"")
          .asRuntimeException();
    }
  }

  private static void requireTimeLeft() {
    Deadline deadline = Context.current().getDeadline();
    if (deadline != null && deadline.isExpired()) {
      throw Status.DEADLINE_EXCEEDED
          .withDescription("the deadline passed before the event was sent")
          .asRuntimeException();
    }
  }

  void reserve(int events) {
    if (!inFlight.tryAcquire(events)) {
      throw Status.RESOURCE_EXHAUSTED
          .withDescription(
              "the front door has too many events in flight "
                  + "(limit "
                  + inFlight.capacity()
                  + "); retry with backoff")
          .asRuntimeException();
    }
  }

  private static <T> void answer(StreamObserver<T> responses, T response) {
    try {
      responses.onNext(response);
      responses.onCompleted();
    } catch (RuntimeException callGone) {
      // Cancelled or past its deadline: the client already has its status; the event is stored.
      log.debug("Could not answer a finished call: {}", callGone.toString());
    }
  }

  private static void fail(StreamObserver<?> responses, Status status) {
    try {
      responses.onError(status.asRuntimeException());
    } catch (RuntimeException callGone) {
      log.debug("Could not fail a finished call: {}", callGone.toString());
    }
  }
}
