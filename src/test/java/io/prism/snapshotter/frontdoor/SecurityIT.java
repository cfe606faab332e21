package io.prism.snapshotter.frontdoor;

import static io.prism.snapshotter.frontdoor.FrontDoorIT.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc.PubSubBasicInterfaceBlockingStub;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS, mutual TLS and bearer tokens admit the right client and refuse the wrong one. */
class SecurityIT {
  private static InJvmKafka kafka;
  private static String topic;
  private static TestPki ca;
  private static TestPki otherCa;
  private static TestPki.Credentials serverCredentials;
  private static TestPki.Credentials client;
  private static TestPki.Credentials strangerClient;

  @TempDir static Path directory;

  private FrontDoorServer server;
  private ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    kafka = InJvmKafka.start();
    topic = kafka.createTopic(1);
    ca = TestPki.newCa(directory, "trusted");
    otherCa = TestPki.newCa(directory, "other");
    serverCredentials = ca.issueServer("frontdoor");
    client = ca.issueClient("good-client");
    strangerClient = otherCa.issueClient("stranger");
  }

  @AfterAll
  static void stop() throws Exception {
    kafka.close();
  }

  @AfterEach
  void stopFrontDoor() throws Exception {
    if (channel != null) {
      FrontDoorFixture.close(channel);
    }
    server.close();
  }

  @Test
  void tlsAdmitsAClientTrustingTheCaAndRefusesPlaintextAndUntrustingClients() throws Exception {
    startServer(
        Map.of(
            FrontDoorConfig.TLS_CERT_FILE,
            serverCredentials.certificate().toString(),
            FrontDoorConfig.TLS_KEY_FILE,
            serverCredentials.key().toString()));

    assertThat(
            publishOver(
                TlsChannelCredentials.newBuilder().trustManager(ca.certificate().toFile()).build()))
        .isEqualTo(Status.Code.OK);
    assertThat(publishOver(InsecureChannelCredentials.create())).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(
            publishOver(
                TlsChannelCredentials.newBuilder()
                    .trustManager(otherCa.certificate().toFile())
                    .build()))
        .isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void mutualTlsAdmitsOnlyClientsWithACertificateFromTheClientCa() throws Exception {
    startServer(
        Map.of(
            FrontDoorConfig.TLS_CERT_FILE,
            serverCredentials.certificate().toString(),
            FrontDoorConfig.TLS_KEY_FILE,
            serverCredentials.key().toString(),
            FrontDoorConfig.TLS_CLIENT_CA_FILE,
            ca.certificate().toString(),
            FrontDoorConfig.TLS_CLIENT_AUTH,
            "require"));

    assertThat(
            publishOver(
                TlsChannelCredentials.newBuilder()
                    .trustManager(ca.certificate().toFile())
                    .keyManager(client.certificate().toFile(), client.key().toFile())
                    .build()))
        .isEqualTo(Status.Code.OK);
    assertThat(
            publishOver(
                TlsChannelCredentials.newBuilder().trustManager(ca.certificate().toFile()).build()))
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(
            publishOver(
                TlsChannelCredentials.newBuilder()
                    .trustManager(ca.certificate().toFile())
                    .keyManager(
                        strangerClient.certificate().toFile(), strangerClient.key().toFile())
                    .build()))
        .isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void tokensAdmitKnownTokensWithinTheirWriterPrefix() throws Exception {
    Path tokens =
        Files.writeString(
            directory.resolve("tokens"),
            "# token [writer-id prefix]\n\nall-writers-token\nteam-a-token   team-a/\n");
    startServer(Map.of(FrontDoorConfig.AUTH_TOKENS_FILE, tokens.toString()));
    channel = FrontDoorFixture.plaintextChannel(server);

    assertThat(publish(null, "anyone")).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(publish("Bearer wrong-token", "anyone")).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(publish("Basic all-writers-token", "anyone")).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(publish("Bearer all-writers-token", "anyone")).isEqualTo(Status.Code.OK);
    assertThat(publish("Bearer team-a-token", "team-a/user-1")).isEqualTo(Status.Code.OK);
    assertThat(publish("Bearer team-a-token", "team-b/user-1"))
        .isEqualTo(Status.Code.PERMISSION_DENIED);

    // Health stays open for load balancers and orchestrators.
    assertThat(
            HealthGrpc.newBlockingStub(channel)
                .check(HealthCheckRequest.getDefaultInstance())
                .getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void theCliClientPublishesOverMutualTlsWithAToken() throws Exception {
    Path tokens = Files.writeString(directory.resolve("cli-tokens"), "cli-token cli-\n");
    Path tokenFile = Files.writeString(directory.resolve("cli-token"), "cli-token\n");
    startServer(
        Map.of(
            FrontDoorConfig.TLS_CERT_FILE,
            serverCredentials.certificate().toString(),
            FrontDoorConfig.TLS_KEY_FILE,
            serverCredentials.key().toString(),
            FrontDoorConfig.TLS_CLIENT_CA_FILE,
            ca.certificate().toString(),
            FrontDoorConfig.TLS_CLIENT_AUTH,
            "require",
            FrontDoorConfig.AUTH_TOKENS_FILE,
            tokens.toString()));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        FrontDoorClient.run(
            new ClientOptions(
                "localhost:" + server.port(),
                "cli-writer",
                Map.of(),
                false,
                Optional.of(ca.certificate()),
                Optional.of(client.certificate()),
                Optional.of(client.key()),
                Optional.of(tokenFile),
                Duration.ofSeconds(20)),
            new BufferedReader(new StringReader("over mTLS\n")),
            new PrintStream(out, true, StandardCharsets.UTF_8));

    assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith(topic + "-0-");
  }

  private void startServer(Map<String, String> settings) throws Exception {
    Map<String, Object> config = FrontDoorFixture.config(kafka, topic);
    config.putAll(settings);
    server = FrontDoorFixture.start(config);
  }

  /** Publishes one event over a fresh channel with these credentials; the resulting status code. */
  private Status.Code publishOver(ChannelCredentials credentials) throws InterruptedException {
    ManagedChannel tlsChannel =
        Grpc.newChannelBuilderForAddress("localhost", server.port(), credentials).build();
    try {
      PubSubBasicInterfaceGrpc.newBlockingStub(tlsChannel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .publish(event("tls-writer", "p").build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    } finally {
      FrontDoorFixture.close(tlsChannel);
    }
  }

  private Status.Code publish(String authorization, String writer) {
    PubSubBasicInterfaceBlockingStub stub =
        PubSubBasicInterfaceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    if (authorization != null) {
      Metadata headers = new Metadata();
      headers.put(TokenAuthInterceptor.AUTHORIZATION, authorization);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    try {
      stub.publish(event(writer, "p").build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }
}
