package io.prism.snapshotter.frontdoor;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.prism.snapshotter.proto.pubsub.PubSubBasicProto;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Turns a request the protobuf parser refuses (invalid UTF-8 in a string field, broken wire format)
 * into {@code INVALID_ARGUMENT} naming the field, instead of gRPC's default {@code INTERNAL:
 * Invalid protobuf byte sequence}. It works on the raw bytes, ahead of parsing: {@link #wrap} makes
 * the service receive input streams, so the parse happens inside this interceptor's listener, where
 * its failure can be caught.
 */
final class MalformedRequestInterceptor implements ServerInterceptor {

  /** The service with this interceptor in front of its parser. */
  static ServerServiceDefinition wrap(ServerServiceDefinition service) {
    return ServerInterceptors.intercept(
        ServerInterceptors.useInputStreamMessages(service), new MalformedRequestInterceptor());
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Descriptor requestType =
        PubSubBasicProto.getDescriptor()
            .findServiceByName("PubSubBasicInterface")
            .findMethodByName(call.getMethodDescriptor().getBareMethodName())
            .getInputType();
    return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
      private boolean refused;

      @Override
      @SuppressWarnings("unchecked")
      public void onMessage(Q message) {
        if (refused) {
          return;
        }
        byte[] wire = readAll((InputStream) message);
        try {
          super.onMessage((Q) new ByteArrayInputStream(wire));
        } catch (StatusRuntimeException e) {
          if (!(e.getCause() instanceof InvalidProtocolBufferException)) {
            throw e;
          }
          refused = true;
          String description =
              InvalidUtf8Finder.find(requestType, ByteString.copyFrom(wire))
                  .map(field -> field + ": not valid UTF-8")
                  .orElse(
                      "the request is not a valid "
                          + requestType.getName()
                          + ": "
                          + e.getCause().getMessage());
          call.close(Status.INVALID_ARGUMENT.withDescription(description), new Metadata());
        }
      }

      @Override
      public void onHalfClose() {
        // After a refusal the call is closed; a half-close would make the stub answer twice.
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
