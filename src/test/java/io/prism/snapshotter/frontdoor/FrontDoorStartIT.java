package io.prism.snapshotter.frontdoor;

import static io.prism.snapshotter.frontdoor.FrontDoorIT.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc;
import io.prism.snapshotter.proto.pubsub.PublishResponse;
import io.prism.snapshotter.testing.TcpGate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A front door started before Kafka is ready for it (everything started at once): it does not
 * serve, and does not exit, until Kafka has answered its producer for the topic; meanwhile health
 * says NOT_SERVING and calls are refused UNAVAILABLE at once, saying what it waits for.
 */
class FrontDoorStartIT {
  private static InJvmKafka kafka;

  private FrontDoorServer server;
  private ManagedChannel channel;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = InJvmKafka.start();
  }

  @AfterAll
  static void stopKafka() throws Exception {
    kafka.close();
  }

  @AfterEach
  void stopFrontDoor() throws Exception {
    if (channel != null) {
      FrontDoorFixture.close(channel);
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aTopicThatDoesNotExistYetIsReportedAndWaitedFor() throws Exception {
    String topic = "events-" + UUID.randomUUID();
    start(kafka.bootstrapServers(), topic);
    HealthWatch health = HealthWatch.of(channel, PubSubBasicInterfaceGrpc.SERVICE_NAME);
    assertThat(health.next()).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(HealthWatch.check(channel, HealthStatusManager.SERVICE_NAME_ALL_SERVICES))
        .isEqualTo(ServingStatus.NOT_SERVING);

    // Refused at once, naming the missing topic, once Kafka has said so (an attempt takes 2 s).
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String description;
    do {
      description = refusal();
    } while (!description.contains("does not exist") && System.nanoTime() < until);
    assertThat(description)
        .contains("topic " + topic + " does not exist on Kafka")
        .contains("was not sent");
    assertThat(server.awaitServing(Duration.ofMillis(1))).isFalse();

    createTopic(topic);
    assertThat(health.next()).isEqualTo(ServingStatus.SERVING);
    PublishResponse stored = blocking().publish(event("writer-1", "after the topic").build());
    List<ConsumerRecord<String, byte[]>> records = kafka.read(topic, 1);
    assertThat(records).hasSize(1);
    assertThat(FrontDoorFixture.coordinates(records.get(0))).isEqualTo(stored.getMessageId());
  }

  @Test
  void aBrokerThatIsNotUpYetIsWaitedFor() throws Exception {
    String topic = kafka.createTopic(1);
    try (TcpGate gate = TcpGate.closedInFrontOf(kafka.bootstrapServers())) {
      start(gate.address(), topic);
      HealthWatch health = HealthWatch.of(channel, HealthStatusManager.SERVICE_NAME_ALL_SERVICES);
      assertThat(health.next()).isEqualTo(ServingStatus.NOT_SERVING);

      // Several attempts (2 s each) fail; the front door keeps refusing, and keeps running.
      assertThat(server.awaitServing(Duration.ofSeconds(5))).isFalse();
      assertThat(refusal()).contains("has not reached Kafka yet").contains("was not sent");
      assertThat(health.next(100)).as("no change while Kafka is unreachable").isNull();

      gate.open();
      assertThat(health.next()).isEqualTo(ServingStatus.SERVING);
      PublishResponse stored = blocking().publish(event("writer-1", "once Kafka is up").build());
      List<ConsumerRecord<String, byte[]>> records = kafka.read(topic, 1);
      assertThat(records).hasSize(1);
      assertThat(FrontDoorFixture.coordinates(records.get(0))).isEqualTo(stored.getMessageId());
    }
  }

  private void start(String bootstrap, String topic) throws Exception {
    Map<String, Object> config = FrontDoorFixture.config(kafka, topic);
    config.put("bootstrap.servers", bootstrap);
    config.put("max.block.ms", "2000");
    config.put("reconnect.backoff.max.ms", "200");
    config.put(FrontDoorConfig.PRODUCER_REPLACE_BACKOFF_MS, "100");
    server = FrontDoorServer.start(new FrontDoorConfig(config));
    channel = FrontDoorFixture.plaintextChannel(server);
  }

  private PubSubBasicInterfaceGrpc.PubSubBasicInterfaceBlockingStub blocking() {
    return PubSubBasicInterfaceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /** A publish that must be refused UNAVAILABLE at once: its description. */
  private String refusal() {
    long start = System.nanoTime();
    StatusRuntimeException refused =
        (StatusRuntimeException)
            catchThrowable(() -> blocking().publish(event("writer-1", "too early").build()));
    assertThat(refused).as("refused").isNotNull();
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .as("refused without waiting for Kafka")
        .isLessThan(1_000);
    return refused.getStatus().getDescription();
  }

  private static void createTopic(String name) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
  }
}
