package io.prism.snapshotter.frontdoor;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prism.snapshotter.metrics.FrontDoorMetrics;

/**
 * Counts every call by method and final status, the outermost interceptor, so calls refused by
 * authentication or input checks count too.
 */
final class RequestMetricsInterceptor implements ServerInterceptor {
  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    return next.startCall(
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            FrontDoorMetrics.requestEnded(
                method == null ? "unknown" : method, status.getCode().name());
            super.close(status, trailers);
          }
        },
        headers);
  }
}
