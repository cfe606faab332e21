package io.prism.snapshotter.frontdoor;

import io.grpc.Channel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Every status the gRPC health service reports for a service, in order (a Watch call). */
final class HealthWatch {
  private final BlockingQueue<ServingStatus> statuses = new LinkedBlockingQueue<>();

  private HealthWatch() {}

  /** Watches {@code service} ("" is the server as a whole). */
  static HealthWatch of(Channel channel, String service) {
    HealthWatch watch = new HealthWatch();
    HealthGrpc.newStub(channel)
        .watch(
            HealthCheckRequest.newBuilder().setService(service).build(),
            new StreamObserver<>() {
              @Override
              public void onNext(HealthCheckResponse value) {
                watch.statuses.add(value.getStatus());
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
    return watch;
  }

  /** The next status reported, or null after 30 s without one. */
  ServingStatus next() throws InterruptedException {
    return statuses.poll(30, TimeUnit.SECONDS);
  }

  /** The next status reported within {@code millis}, or null. */
  ServingStatus next(long millis) throws InterruptedException {
    return statuses.poll(millis, TimeUnit.MILLISECONDS);
  }

  /** The current status, asked once. */
  static ServingStatus check(Channel channel, String service) {
    return HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build())
        .getStatus();
  }
}
