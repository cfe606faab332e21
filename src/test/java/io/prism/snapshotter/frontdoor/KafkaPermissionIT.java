package io.prism.snapshotter.frontdoor;

import static io.prism.snapshotter.frontdoor.FrontDoorIT.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.prism.snapshotter.metrics.HealthEndpoint;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc;
import io.prism.snapshotter.testing.KafkaJvmLeftovers;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A real broker that authorizes (SASL/PLAIN, KRaft's StandardAuthorizer, no ACL means denied): the
 * front door's principal loses Write on the topic while it serves. Every call then fails the same
 * way, so the front door says NOT_SERVING, naming the topic in {@code /health/frontdoor}, and
 * answers UNAVAILABLE naming the topic (it used to stay SERVING and answer INTERNAL). While denied,
 * it makes no new producer and does not flip to SERVING for a trial (even with no calls for longer
 * than the longest backoff); it asks Kafka, writing nothing, whether Write is granted, and once it
 * is, serves again without any call.
 */
class KafkaPermissionIT {
  private static final String TOPIC = "events-acl";
  private static final String PRINCIPAL = "User:" + JaasUtils.KAFKA_PLAIN_USER1;

  /**
   * Short: before the permission check, a new producer that no call tried served untested after
   * this long.
   */
  private static final long MAX_BACKOFF_MILLIS = 1_500;

  private KafkaClusterTestKit cluster;
  private KafkaJvmLeftovers leftovers;
  private FrontDoorServer server;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      FrontDoorFixture.close(channel);
    }
    if (server != null) {
      server.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (leftovers != null) {
      leftovers.close();
    }
  }

  @Test
  void writeDeniedOnTheTopicIsNotServingNamingItAndServesAgainOnceGranted() throws Exception {
    startCluster();
    try (Admin admin = cluster.admin()) { // the kit's super user
      admin
          .createTopics(
              List.of(new NewTopic(TOPIC, 1, (short) 1), new NewTopic("elsewhere", 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      // Write on another topic lets its idempotent producer start (KIP-679): what is missing below
      // is Write on the front door's topic only.
      admin
          .createAcls(
              List.of(
                  allow(AclOperation.DESCRIBE, TOPIC),
                  allow(AclOperation.WRITE, TOPIC),
                  allow(AclOperation.WRITE, "elsewhere")))
          .all()
          .get(30, TimeUnit.SECONDS);

      startFrontDoor();
      server = FrontDoorFixture.serving(server);
      HealthWatch health = HealthWatch.of(channel, HealthStatusManager.SERVICE_NAME_ALL_SERVICES);
      assertThat(health.next()).isEqualTo(ServingStatus.SERVING);
      blocking().publish(event("writer-1", "while allowed").build());

      admin
          .deleteAcls(List.of(allow(AclOperation.WRITE, TOPIC).toFilter()))
          .all()
          .get(30, TimeUnit.SECONDS);
      // The broker applies the change a moment later: publish until Kafka refuses one.
      StatusRuntimeException refused = publishUntilRefused();
      assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(refused.getStatus().getDescription())
          .contains("Kafka refuses the front door's producer for topic " + TOPIC)
          .contains("TopicAuthorizationException")
          .contains("Write and Describe on topic " + TOPIC);
      assertThat(health.next()).isEqualTo(ServingStatus.NOT_SERVING);
      HealthEndpoint.Report report = server.httpHealth();
      assertThat(report.status().label()).isEqualTo("unhealthy");
      assertThat(String.valueOf(report.fields().get("reason")))
          .contains("Kafka refuses the front door's producer for topic " + TOPIC)
          .contains("TopicAuthorizationException");

      // Calls keep being refused UNAVAILABLE (by the front door, or by Kafka for a producer on
      // trial); none is stored, and health does not flip to SERVING in between.
      for (int i = 0; i < 5; i++) {
        StatusRuntimeException again = publishUntilRefused();
        assertThat(again.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(again.getStatus().getDescription()).contains(TOPIC);
      }
      assertThat(health.next(2 * MAX_BACKOFF_MILLIS))
          .as("no SERVING while denied, even untried for longer than the longest backoff")
          .isNull();

      admin.createAcls(List.of(allow(AclOperation.WRITE, TOPIC))).all().get(30, TimeUnit.SECONDS);
      assertThat(health.next())
          .as("SERVING once granted, without a call")
          .isEqualTo(ServingStatus.SERVING);
      assertThat(server.httpHealth().fields().get("serving")).isEqualTo(true);
      blocking().publish(event("writer-1", "once granted again").build());
    }
  }

  /**
   * Kafka answers the front door's metadata fetch at start (Describe granted) but does not grant
   * Write on the topic: the front door starts refused — NOT_SERVING, the refusal as reason and in
   * the calls' UNAVAILABLE — instead of SERVING until its first call is refused; and serves once
   * Write is granted, without a call.
   */
  @Test
  void writeNotGrantedAtStartIsNotServingFromTheStartAndServesOnceGranted() throws Exception {
    startCluster();
    try (Admin admin = cluster.admin()) { // the kit's super user
      admin
          .createTopics(
              List.of(new NewTopic(TOPIC, 1, (short) 1), new NewTopic("elsewhere", 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      List<AclBinding> describeOnly =
          List.of(allow(AclOperation.DESCRIBE, TOPIC), allow(AclOperation.WRITE, "elsewhere"));
      admin.createAcls(describeOnly).all().get(30, TimeUnit.SECONDS);
      // Before the broker applies them, even the metadata fetch is refused: a different start.
      awaitAclsApplied(admin, describeOnly);

      startFrontDoor();
      HealthWatch health = HealthWatch.of(channel, HealthStatusManager.SERVICE_NAME_ALL_SERVICES);
      assertThat(health.next()).isEqualTo(ServingStatus.NOT_SERVING);
      String reason = awaitReasonContaining("Kafka refuses the front door's producer");
      assertThat(reason)
          .contains("for topic " + TOPIC)
          .contains("TopicAuthorizationException")
          .contains("does not authorize Write on topic " + TOPIC)
          .contains("grant its Kafka principal Write and Describe on topic " + TOPIC);
      assertThat(server.httpHealth().status().label()).isEqualTo("unhealthy");
      assertThatThrownBy(() -> blocking().publish(event("writer-1", "denied").build()))
          .asInstanceOf(type(StatusRuntimeException.class))
          .satisfies(
              refused -> {
                assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(refused.getStatus().getDescription())
                    .contains("Kafka refuses the front door's producer for topic " + TOPIC)
                    .contains("this event was not sent");
              });
      assertThat(health.next(2 * MAX_BACKOFF_MILLIS))
          .as("no SERVING while Write is not granted")
          .isNull();

      admin.createAcls(List.of(allow(AclOperation.WRITE, TOPIC))).all().get(30, TimeUnit.SECONDS);
      assertThat(health.next())
          .as("SERVING once granted, without a call")
          .isEqualTo(ServingStatus.SERVING);
      assertThat(server.httpHealth().fields().get("serving")).isEqualTo(true);
      blocking().publish(event("writer-1", "once granted").build());
    }
  }

  /** Waits (30 s at most) until the broker's authorizer has {@code bindings}. */
  private static void awaitAclsApplied(Admin admin, List<AclBinding> bindings) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      Collection<AclBinding> applied = admin.describeAcls(AclBindingFilter.ANY).values().get();
      if (applied.containsAll(bindings)) {
        return;
      }
      if (System.nanoTime() > until) {
        fail("the broker did not apply %s within 30 s; it has %s", bindings, applied);
      }
      Thread.sleep(50);
    }
  }

  /** Waits (30 s at most) until {@code /health/frontdoor}'s reason contains {@code text}. */
  private String awaitReasonContaining(String text) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String reason = null;
    while (System.nanoTime() < until) {
      reason = String.valueOf(server.httpHealth().fields().get("reason"));
      if (reason.contains(text)) {
        return reason;
      }
      Thread.sleep(50);
    }
    return fail(
        "/health/frontdoor never said \"%s\" within 30 s; the last reason: %s", text, reason);
  }

  /** A broker that authorizes (SASL/PLAIN, StandardAuthorizer; no ACL means denied). */
  private void startCluster() throws Exception {
    leftovers = KafkaJvmLeftovers.record();
    cluster =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                    .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                    .build())
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("auto.create.topics.enable", "false")
            .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
  }

  private static AclBinding allow(AclOperation operation, String topic) {
    return new AclBinding(
        new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
        new AccessControlEntry(PRINCIPAL, "*", operation, AclPermissionType.ALLOW));
  }

  private void startFrontDoor() throws Exception {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", cluster.bootstrapServers());
    config.put("security.protocol", "SASL_PLAINTEXT");
    config.put("sasl.mechanism", "PLAIN");
    config.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + JaasUtils.KAFKA_PLAIN_USER1
            + "\" password=\""
            + JaasUtils.KAFKA_PLAIN_USER1_PASSWORD
            + "\";");
    config.put(FrontDoorConfig.TOPIC, TOPIC);
    config.put(FrontDoorConfig.LISTEN, "127.0.0.1:0");
    config.put(FrontDoorConfig.SHUTDOWN_GRACE_MS, "1000");
    config.put(FrontDoorConfig.PRODUCER_REPLACE_BACKOFF_MS, "20");
    config.put(FrontDoorConfig.PRODUCER_REPLACE_BACKOFF_MAX_MS, Long.toString(MAX_BACKOFF_MILLIS));
    config.put(FrontDoorConfig.KAFKA_CHECK_INTERVAL_MS, "200");
    config.put("max.block.ms", "5000");
    server = FrontDoorServer.start(new FrontDoorConfig(config));
    channel = FrontDoorFixture.plaintextChannel(server);
  }

  private PubSubBasicInterfaceGrpc.PubSubBasicInterfaceBlockingStub blocking() {
    return PubSubBasicInterfaceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /** Publishes until a call is refused (30 s at most); the refusal. */
  private StatusRuntimeException publishUntilRefused() {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < until) {
      try {
        blocking().publish(event("writer-1", "denied?").build());
      } catch (StatusRuntimeException refused) {
        return refused;
      }
    }
    return fail("Kafka accepted every event for 30 s after Write was revoked");
  }
}
