package io.prism.snapshotter.frontdoor;

import com.google.protobuf.ByteString;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc.PubSubBasicInterfaceBlockingStub;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc.PubSubBasicInterfaceStub;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import io.prism.snapshotter.proto.pubsub.PublishResponse;
import io.prism.snapshotter.proto.pubsub.PublishSessionResponse;
import io.prism.snapshotter.util.Causes;
import io.prism.snapshotter.util.Counted;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The small client behind {@code bin/snapshotter publish}: each input line is one event's payload.
 * Prints one line per answer: {@code <message_id> <sequence>} for a stored event, or {@code
 * <STATUS>: <description>} for a refused one; in session mode, one summary line at the end.
 */
public final class FrontDoorClient {
  private FrontDoorClient() {}

  /** Publishes every line of {@code in}; returns 0 if every event was stored, 1 otherwise. */
  public static int run(ClientOptions options, BufferedReader in, PrintStream out)
      throws IOException {
    ManagedChannel channel = Grpc.newChannelBuilder(options.target(), credentials(options)).build();
    try {
      ClientInterceptor[] interceptors =
          options.tokenFile().isPresent()
              ? new ClientInterceptor[] {bearer(options)}
              : new ClientInterceptor[0];
      return options.session()
          ? publishSession(
              channel,
              PubSubBasicInterfaceGrpc.newStub(channel).withInterceptors(interceptors),
              options,
              in,
              out)
          : publishEach(
              channel,
              PubSubBasicInterfaceGrpc.newBlockingStub(channel).withInterceptors(interceptors),
              options,
              in,
              out);
    } finally {
      channel.shutdownNow();
    }
  }

  private static int publishEach(
      ManagedChannel channel,
      PubSubBasicInterfaceBlockingStub blocking,
      ClientOptions options,
      BufferedReader in,
      PrintStream out)
      throws IOException {
    int failures = 0;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      // Each line's call has the whole deadline, from here (after its line was read).
      CallDeadline deadline = CallDeadline.start(options.deadline());
      try {
        PublishResponse response =
            blocking.withDeadline(deadline.deadline()).publish(event(options, line));
        out.println(response.getMessageId() + " " + response.getSequence());
      } catch (StatusRuntimeException refused) {
        failures++;
        out.println(describe(refused, options.target(), deadline, isReady(channel)));
      }
    }
    return failures == 0 ? 0 : 1;
  }

  private static int publishSession(
      ManagedChannel channel,
      PubSubBasicInterfaceStub stub,
      ClientOptions options,
      BufferedReader in,
      PrintStream out)
      throws IOException {
    CompletableFuture<PublishSessionResponse> answer = new CompletableFuture<>();
    // One deadline for the whole session, reading stdin included.
    CallDeadline deadline = CallDeadline.start(options.deadline());
    StreamObserver<PublishRequest> session =
        stub.withDeadline(deadline.deadline())
            .publishSession(
                new StreamObserver<>() {
                  @Override
                  public void onNext(PublishSessionResponse value) {
                    answer.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    answer.complete(PublishSessionResponse.getDefaultInstance());
                  }
                });
    for (String line = in.readLine(); line != null && !answer.isDone(); line = in.readLine()) {
      session.onNext(event(options, line));
    }
    session.onCompleted();
    try {
      PublishSessionResponse response = answer.get();
      out.println(
          "session: "
              + Counted.of(response.getEventCount(), "event")
              + " stored, last "
              + (response.hasLastEvent() ? response.getLastEvent().getMessageId() : "none")
              + ", session end "
              + response.getSessionEnd().getMessageId());
      return 0;
    } catch (ExecutionException e) {
      out.println(
          e.getCause() instanceof StatusRuntimeException refused
              ? describe(refused, options.target(), deadline, isReady(channel))
              : e.getCause().toString());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private static PublishRequest event(ClientOptions options, String line) {
    return PublishRequest.newBuilder()
        .setTopic(options.writerId())
        .setPayload(ByteString.copyFromUtf8(line))
        .putAllAttributes(options.attributes())
        .build();
  }

  /** Whether the channel has a connection to a gRPC server (it answered the HTTP/2 handshake). */
  private static boolean isReady(ManagedChannel channel) {
    return channel.getState(false) == ConnectivityState.READY;
  }

  /**
   * {@code <STATUS>: <description>}. When the call never reached the front door (unavailable, out
   * of time) the line names the target and the transport's reason, e.g. "Connection refused", which
   * gRPC keeps in the status's cause while its description says only "io exception". When this
   * client's deadline passed, the line gives the deadline set and the time waited (gRPC's
   * description gives neither), and whether a connection was ever made.
   *
   * @param connected whether the channel was connected to a gRPC server when the call ended
   */
  static String describe(
      StatusRuntimeException refused, String target, CallDeadline deadline, boolean connected) {
    Status status = refused.getStatus();
    StringBuilder line = new StringBuilder().append(status.getCode()).append(": ");
    boolean notReached =
        status.getCode() == Status.Code.UNAVAILABLE
            || status.getCode() == Status.Code.DEADLINE_EXCEEDED;
    if (notReached) {
      line.append("front door at ").append(target).append(": ");
    }
    if (status.getCode() == Status.Code.DEADLINE_EXCEEDED && deadline.passed()) {
      line.append("no answer within ").append(deadline.describe()).append("; ");
      return line.append(
              connected
                  ? "it is connected, but the front door did not answer in time"
                  : "no connection was made: the address neither refused one nor answered as a gRPC server"
                      + " does (the network drops the packets, or what listens there is not a"
                      + " front door). Is --target a front door's frontdoor.listen?")
          .toString();
    }
    line.append(status.getDescription() == null ? "(no description)" : status.getDescription());
    if (notReached && status.getCause() != null && status.getCause().getMessage() != null) {
      line.append(" (").append(status.getCause().getMessage()).append(')');
    }
    if (notReached && refusedConnection(status.getCause())) {
      line.append(
          "; nothing listens there: is a front door running (bin/snapshotter frontdoor, or"
              + " local), and is --target its frontdoor.listen?");
    }
    return line.toString();
  }

  /** Whether the transport found no one listening (as opposed to a timeout or a TLS failure). */
  private static boolean refusedConnection(Throwable cause) {
    return Causes.has(cause, java.net.ConnectException.class);
  }

  private static ChannelCredentials credentials(ClientOptions options) throws IOException {
    if (options.trustedCa().isEmpty()) {
      return InsecureChannelCredentials.create();
    }
    TlsChannelCredentials.Builder tls =
        TlsChannelCredentials.newBuilder().trustManager(options.trustedCa().get().toFile());
    if (options.clientCertificate().isPresent()) {
      tls.keyManager(
          options.clientCertificate().get().toFile(), options.clientKey().orElseThrow().toFile());
    }
    return tls.build();
  }

  private static ClientInterceptor bearer(ClientOptions options) throws IOException {
    String token =
        Files.readAllLines(options.tokenFile().orElseThrow(), StandardCharsets.UTF_8).stream()
            .map(String::strip)
            .filter(line -> !line.isEmpty())
            .findFirst()
            .orElseThrow(
                () -> new IOException(options.tokenFile().get() + ": no token in the file"));
    Metadata headers = new Metadata();
    headers.put(TokenAuthInterceptor.AUTHORIZATION, "Bearer " + token);
    return MetadataUtils.newAttachHeadersInterceptor(headers);
  }
}
