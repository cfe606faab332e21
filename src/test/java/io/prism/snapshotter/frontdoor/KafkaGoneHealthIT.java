package io.prism.snapshotter.frontdoor;

import static io.prism.snapshotter.frontdoor.FrontDoorIT.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc;
import io.prism.snapshotter.testing.CapturedLogs;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka goes away after the front door has started and served (a real broker in a child JVM,
 * stopped), and comes back on the same port: health says NOT_SERVING once Kafka has not answered
 * for {@code frontdoor.kafka.unanswered.max.ms} — not before — so a balancer stops sending calls
 * that would only wait and fail, and SERVING again once Kafka answers, without any call to prove it
 * (a front door taken out of service gets none).
 */
class KafkaGoneHealthIT {
  private static final long CHECK_INTERVAL_MILLIS = 250;
  private static final long UNANSWERED_MAX_MILLIS = 3_000;

  @TempDir Path directory;

  @Test
  void notServingWhileKafkaIsGoneAndServingOnceItIsBack() throws Exception {
    try (BrokerProcess broker = BrokerProcess.format(directory)) {
      broker.start();
      broker.createTopic("gone");
      Map<String, Object> config = new HashMap<>();
      config.put("bootstrap.servers", broker.bootstrapServers());
      config.put(FrontDoorConfig.TOPIC, "gone");
      config.put(FrontDoorConfig.LISTEN, "127.0.0.1:0");
      config.put(FrontDoorConfig.SHUTDOWN_GRACE_MS, "1000");
      config.put(FrontDoorConfig.KAFKA_CHECK_INTERVAL_MS, Long.toString(CHECK_INTERVAL_MILLIS));
      config.put(FrontDoorConfig.KAFKA_UNANSWERED_MAX_MS, Long.toString(UNANSWERED_MAX_MILLIS));
      config.put("reconnect.backoff.max.ms", "500");
      try (FrontDoorServer server =
          FrontDoorFixture.serving(FrontDoorServer.start(new FrontDoorConfig(config)))) {
        ManagedChannel channel = FrontDoorFixture.plaintextChannel(server);
        try {
          HealthWatch health =
              HealthWatch.of(channel, HealthStatusManager.SERVICE_NAME_ALL_SERVICES);
          assertThat(health.next()).isEqualTo(ServingStatus.SERVING);
          publish(channel, "before");

          long stopping = System.nanoTime();
          broker.stop();
          assertThat(health.next())
              .as("NOT_SERVING while Kafka is gone")
              .isEqualTo(ServingStatus.NOT_SERVING);
          long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);
          // The last answer came about one check interval before the broker stopped answering
          // (after stop() was called); the margin is for a tick that ran late on a loaded machine.
          // A first failed check alone would come within about one interval.
          assertThat(millis)
              .as("not before Kafka was unanswered for the configured time")
              .isGreaterThanOrEqualTo(UNANSWERED_MAX_MILLIS - 4 * CHECK_INTERVAL_MILLIS);
          assertThat(String.valueOf(server.httpHealth().fields().get("reason")))
              .contains("Kafka at " + broker.bootstrapServers())
              .contains("has not answered the front door for");
          assertThat(health.next(2_000)).as("stays NOT_SERVING while gone").isNull();

          broker.start();
          assertThat(health.next())
              .as("SERVING once Kafka answers, without a call")
              .isEqualTo(ServingStatus.SERVING);
          assertThat(server.httpHealth().fields().get("serving")).isEqualTo(true);
          publish(channel, "after");
        } finally {
          FrontDoorFixture.close(channel);
        }
      }
    }
  }

  /**
   * While Kafka is gone, the admin client that asks the check logs Kafka's "Connection to node ...
   * could not be established" WARN about once per check interval, not about once a second (it
   * reconnects at the check's pace, whatever reconnect backoff the producer is given), and the
   * front door still serves within about one interval of Kafka being back. The producer's own lines
   * are not counted: its reconnect backoff is the user's.
   */
  @Test
  void anOutageCostsAboutOneAdminClientWarnPerCheckInterval() throws Exception {
    long interval = 2_000;
    try (CapturedLogs logs = CapturedLogs.capture();
        BrokerProcess broker = BrokerProcess.format(directory)) {
      broker.start();
      broker.createTopic("quiet");
      Map<String, Object> config = new HashMap<>();
      config.put("bootstrap.servers", broker.bootstrapServers());
      config.put(FrontDoorConfig.TOPIC, "quiet");
      config.put(FrontDoorConfig.LISTEN, "127.0.0.1:0");
      config.put(FrontDoorConfig.SHUTDOWN_GRACE_MS, "1000");
      config.put(FrontDoorConfig.KAFKA_CHECK_INTERVAL_MS, Long.toString(interval));
      config.put(FrontDoorConfig.KAFKA_UNANSWERED_MAX_MS, Long.toString(2 * interval));
      // The producer's: it must not make the check's client reconnect faster.
      config.put("reconnect.backoff.max.ms", "500");
      try (FrontDoorServer server =
          FrontDoorFixture.serving(FrontDoorServer.start(new FrontDoorConfig(config)))) {
        ManagedChannel channel = FrontDoorFixture.plaintextChannel(server);
        try {
          HealthWatch health =
              HealthWatch.of(channel, HealthStatusManager.SERVICE_NAME_ALL_SERVICES);
          assertThat(health.next()).isEqualTo(ServingStatus.SERVING);
          publish(channel, "before");
          int before = adminConnectionWarnings(logs).size();

          long stopping = System.nanoTime();
          broker.stop();
          assertThat(health.next()).isEqualTo(ServingStatus.NOT_SERVING);
          Thread.sleep(Math.max(0, 12_000 - millisSince(stopping)));
          broker.start(); // returns once the broker answers
          long outageMillis = millisSince(stopping);
          long back = System.nanoTime();
          assertThat(health.next())
              .as("SERVING once Kafka answers, without a call")
              .isEqualTo(ServingStatus.SERVING);
          long servingAfterMillis = millisSince(back);

          List<String> warnings = adminConnectionWarnings(logs);
          int during = warnings.size() - before;
          System.out.printf(
              "KafkaGoneHealthIT: %d admin-client connection WARN(s) in an outage of %d ms (check"
                  + " interval %d ms); SERVING %d ms after the broker answered again%n",
              during, outageMillis, interval, servingAfterMillis);
          assertThat(during)
              .as(
                  "admin-client connection WARNs in an outage of %d ms, check interval %d ms: %s",
                  outageMillis, interval, warnings.subList(before, warnings.size()))
              .isLessThanOrEqualTo((int) (outageMillis / interval) + 2);
          assertThat(servingAfterMillis)
              .as("SERVING within about one check interval of Kafka answering again")
              .isLessThan(3 * interval);
        } finally {
          FrontDoorFixture.close(channel);
        }
      }
    }
  }

  /**
   * Kafka's WARN for a connection that failed, logged by an admin client other than the broker
   * fixture's: the front door's check's.
   */
  private static List<String> adminConnectionWarnings(CapturedLogs logs) {
    return logs.lines().stream()
        .filter(line -> line.startsWith("WARN"))
        .filter(line -> line.contains("[AdminClient clientId="))
        .filter(line -> !line.contains("clientId=" + BrokerProcess.ADMIN_CLIENT_ID + "]"))
        .filter(line -> line.contains("could not be established"))
        .toList();
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  private static void publish(ManagedChannel channel, String payload) {
    PubSubBasicInterfaceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .publish(event("writer-1", payload).build());
  }
}
