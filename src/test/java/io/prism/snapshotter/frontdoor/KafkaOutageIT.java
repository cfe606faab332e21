package io.prism.snapshotter.frontdoor;

import static io.prism.snapshotter.frontdoor.FrontDoorIT.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.prism.snapshotter.proto.pubsub.PubSubBasicInterfaceGrpc;
import io.prism.snapshotter.proto.pubsub.PublishResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka stopped for 20 s under a steady stream of publishes: every publish either fails with
 * UNAVAILABLE or DEADLINE_EXCEEDED, or succeeds; and every success is in Kafka afterwards.
 */
class KafkaOutageIT {
  private static final Logger log = LoggerFactory.getLogger(KafkaOutageIT.class);
  private static final Duration OUTAGE = Duration.ofSeconds(20);
  private static final Set<Status.Code> NOT_STORED_CODES =
      EnumSet.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);

  @TempDir Path directory;

  @Test
  void publishesDuringAnOutageFailRetriablyOrSucceedAndNoAcknowledgedEventIsLost()
      throws Exception {
    try (BrokerProcess broker = BrokerProcess.format(directory)) {
      broker.start();
      broker.createTopic("outage");
      Map<String, Object> config = new HashMap<>();
      config.put("bootstrap.servers", broker.bootstrapServers());
      config.put(FrontDoorConfig.TOPIC, "outage");
      config.put(FrontDoorConfig.LISTEN, "127.0.0.1:0");
      config.put("max.block.ms", "4000");
      config.put("request.timeout.ms", "3000");
      config.put("delivery.timeout.ms", "8000");
      config.put("reconnect.backoff.max.ms", "500");

      Map<String, PublishResponse> acknowledged = new ConcurrentHashMap<>();
      Map<Status.Code, Integer> failures = new ConcurrentHashMap<>();
      AtomicBoolean running = new AtomicBoolean(true);
      try (FrontDoorServer server =
          FrontDoorFixture.serving(FrontDoorServer.start(new FrontDoorConfig(config)))) {
        ManagedChannel channel = FrontDoorFixture.plaintextChannel(server);
        List<Thread> publishers =
            List.of(0, 1).stream()
                .map(
                    n ->
                        startThread(
                            () -> {
                              PubSubBasicInterfaceGrpc.PubSubBasicInterfaceBlockingStub stub =
                                  PubSubBasicInterfaceGrpc.newBlockingStub(channel);
                              for (int i = 0; running.get(); i++) {
                                String eventId = "p" + n + "-" + i;
                                try {
                                  PublishResponse response =
                                      stub.withDeadlineAfter(6, TimeUnit.SECONDS)
                                          .publish(
                                              event("writer-" + n, eventId)
                                                  .putAttributes(FrontDoorHeaders.EVENT_ID, eventId)
                                                  .build());
                                  acknowledged.put(eventId, response);
                                } catch (StatusRuntimeException e) {
                                  failures.merge(e.getStatus().getCode(), 1, Integer::sum);
                                }
                                sleep(Duration.ofMillis(50));
                              }
                            }))
                .toList();

        sleep(Duration.ofSeconds(2));
        int beforeOutage = acknowledged.size();
        broker.stop();
        sleep(OUTAGE);
        broker.start();
        long restarted = System.nanoTime();
        while (acknowledged.size() < beforeOutage + 20
            && System.nanoTime() - restarted < Duration.ofSeconds(30).toNanos()) {
          sleep(Duration.ofMillis(200));
        }
        running.set(false);
        for (Thread publisher : publishers) {
          publisher.join();
        }
        FrontDoorFixture.close(channel);

        log.info(
            "Outage of {}: {} acknowledged ({} before it), failures {}",
            OUTAGE,
            acknowledged.size(),
            beforeOutage,
            failures);
        assertThat(beforeOutage).as("publishes before the outage").isPositive();
        assertThat(failures).as("failures during the outage").isNotEmpty();
        assertThat(failures.keySet()).isSubsetOf(NOT_STORED_CODES);
        assertThat(acknowledged.size())
            .as("publishes after recovery")
            .isGreaterThanOrEqualTo(beforeOutage + 20);
      }

      List<ConsumerRecord<String, byte[]>> records =
          InJvmKafka.read(broker.bootstrapServers(), "outage", acknowledged.size());
      Map<String, String> coordinatesById = new HashMap<>();
      records.forEach(
          r ->
              coordinatesById.put(
                  FrontDoorFixture.header(r, FrontDoorHeaders.EVENT_ID),
                  FrontDoorFixture.coordinates(r)));
      acknowledged.forEach(
          (eventId, response) ->
              assertThat(coordinatesById.get(eventId))
                  .as("acknowledged event %s", eventId)
                  .isEqualTo(response.getMessageId()));
    }
  }

  private static Thread startThread(Runnable body) {
    Thread thread = new Thread(body, "publisher");
    thread.start();
    return thread;
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
