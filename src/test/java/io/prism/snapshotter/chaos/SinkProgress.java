package io.prism.snapshotter.chaos;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far the connector is: the end offsets of the topic against the offsets its consumer group
 * committed. The sink commits an offset only once every record before it is in a stored (and, with
 * {@code index.publish.mode=sync}, indexed) page, so "committed reached the end offsets of time T"
 * means "everything written before T is durable".
 */
final class SinkProgress {
  static final String GROUP = "connect-" + ChaosDeployment.CONNECTOR;

  private final ChaosDeployment deployment;

  SinkProgress(ChaosDeployment deployment) {
    this.deployment = deployment;
  }

  /** The topic's end offsets now; empty if the broker does not answer. */
  Map<TopicPartition, Long> endOffsets() {
    try (Admin admin = deployment.admin()) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < ChaosDeployment.PARTITIONS; p++) {
        latest.put(new TopicPartition(ChaosDeployment.TOPIC, p), OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    } catch (Exception e) {
      return Map.of();
    }
  }

  /** True once the group's committed offsets reach {@code target} on every partition. */
  boolean reached(Map<TopicPartition, Long> target) {
    try (Admin admin = deployment.admin()) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(GROUP)
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS);
      return target.entrySet().stream()
          .allMatch(
              e -> {
                OffsetAndMetadata c = committed.get(e.getKey());
                return e.getValue() == 0 || (c != null && c.offset() >= e.getValue());
              });
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * Seconds from now until everything in Kafka now is committed; empty if not within {@code limit}.
   */
  OptionalDouble secondsToCatchUp(Duration limit) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + limit.toNanos();
    Map<TopicPartition, Long> target = Map.of();
    while (target.isEmpty() && System.nanoTime() < deadline) {
      target = endOffsets();
      if (target.isEmpty()) {
        Thread.sleep(500);
      }
    }
    while (System.nanoTime() < deadline) {
      if (reached(target)) {
        return OptionalDouble.of((System.nanoTime() - start) / 1e9);
      }
      Thread.sleep(500);
    }
    return OptionalDouble.empty();
  }
}
