package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import io.prism.snapshotter.proto.pubsub.PublishResponse;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code bin/snapshotter publish} prints when a call fails before the front door answers: the
 * deadline it set and the time it waited (not gRPC's "deadline exceeded after 0.8s", the time left
 * when its call object started), whether a connection was made, and a refused connection as one.
 */
class FrontDoorClientTest {
  private static final Duration DEADLINE = Duration.ofMillis(700);

  private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : opened) {
      closeable.close();
    }
  }

  private record Answer(int exit, List<String> lines, Duration took) {}

  private static Answer publish(String target, boolean session, Duration deadline, String input)
      throws IOException {
    ClientOptions options =
        new ClientOptions(
            target,
            "w",
            Map.of(),
            session,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            deadline);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long start = System.nanoTime();
    int exit =
        FrontDoorClient.run(
            options,
            new BufferedReader(new StringReader(input)),
            new PrintStream(out, true, StandardCharsets.UTF_8));
    return new Answer(
        exit,
        out.toString(StandardCharsets.UTF_8).lines().toList(),
        Duration.ofNanos(System.nanoTime() - start));
  }

  /** A port that accepts connections and never reads nor writes a byte. */
  private int silentPort() throws IOException {
    ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    opened.add(socket);
    opened.add(
        () -> {
          for (Socket s : accepted) {
            s.close();
          }
        });
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  accepted.add(socket.accept());
                }
              } catch (IOException closed) {
                // the test is over
              }
            },
            "silent-port");
    acceptor.setDaemon(true);
    acceptor.start();
    return socket.getLocalPort();
  }

  /** A real gRPC server whose Publish answers as {@code publish} says (or never). */
  private int grpcServer(
      java.util.function.BiConsumer<PublishRequest, StreamObserver<PublishResponse>> publish)
      throws IOException {
    Server server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(
                new PubSubBasicInterfaceGrpc.PubSubBasicInterfaceImplBase() {
                  @Override
                  public void publish(
                      PublishRequest request, StreamObserver<PublishResponse> answer) {
                    publish.accept(request, answer);
                  }
                })
            .build()
            .start();
    opened.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return server.getPort();
  }

  @Test
  void aPortThatAcceptsButNeverAnswersRunsOutOfTheDeadlineSetSayingNoConnectionWasMade()
      throws Exception {
    String target = "127.0.0.1:" + silentPort();

    Answer answer = publish(target, false, DEADLINE, "x\ny\n");

    assertThat(answer.exit()).isEqualTo(1);
    assertThat(answer.lines())
        .hasSize(2)
        .allSatisfy(
            line ->
                assertThat(line)
                    .startsWith(
                        "DEADLINE_EXCEEDED: front door at "
                            + target
                            + ": no answer within the deadline of 700 ms (--deadline-ms), given up"
                            + " after ")
                    .containsPattern("given up after [0-9]+\\.[0-9] s; ")
                    .contains(
                        "no connection was made: the address neither refused one nor answered as"
                            + " a gRPC server does")
                    .endsWith("Is --target a front door's frontdoor.listen?")
                    .doesNotContain("deadline exceeded after"));
    assertThat(answer.took()).as("each line waits its whole deadline").isGreaterThan(DEADLINE);
  }

  @Test
  void aSessionToAPortThatNeverAnswersRunsOutOfTheDeadlineSetToo() throws Exception {
    String target = "127.0.0.1:" + silentPort();

    Answer answer = publish(target, true, DEADLINE, "x\ny\n");

    assertThat(answer.exit()).isEqualTo(1);
    assertThat(answer.lines())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith(
            "DEADLINE_EXCEEDED: front door at "
                + target
                + ": no answer within the deadline of 700 ms (--deadline-ms), given up after ")
        .contains("no connection was made")
        .doesNotContain("deadline exceeded after");
  }

  @Test
  void aServerThatIsReachedButDoesNotAnswerInTimeIsSaidToBeConnected() throws Exception {
    String target = "127.0.0.1:" + grpcServer((request, answer) -> {});

    Answer answer = publish(target, false, DEADLINE, "x\n");

    assertThat(answer.exit()).isEqualTo(1);
    assertThat(answer.lines())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith(
            "DEADLINE_EXCEEDED: front door at "
                + target
                + ": no answer within the deadline of 700 ms (--deadline-ms), given up after ")
        .endsWith("; it is connected, but the front door did not answer in time");
  }

  @Test
  void aDeadlineExceededThatTheServerSaysBeforeTheDeadlineKeepsItsReason() throws Exception {
    String target =
        "127.0.0.1:"
            + grpcServer(
                (request, answer) ->
                    answer.onError(
                        Status.DEADLINE_EXCEEDED
                            .withDescription("the deadline passed before the event was sent")
                            .asRuntimeException()));

    Answer answer = publish(target, false, Duration.ofSeconds(30), "x\n");

    assertThat(answer.lines())
        .containsExactly(
            "DEADLINE_EXCEEDED: front door at "
                + target
                + ": the deadline passed before the event was sent");
  }

  @Test
  void aPortWhereNothingListensIsRefusedAtOnceNotRunOutOfTime() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String target = "127.0.0.1:" + closedPort;

    Answer answer = publish(target, false, Duration.ofSeconds(30), "x\n");

    assertThat(answer.lines())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("UNAVAILABLE: front door at " + target + ": ")
        .containsIgnoringCase("connection refused")
        .endsWith(
            "; nothing listens there: is a front door running (bin/snapshotter frontdoor, or"
                + " local), and is --target its frontdoor.listen?");
    assertThat(answer.took()).as("well before the deadline").isLessThan(Duration.ofSeconds(15));
  }
}
