package io.prism.snapshotter.frontdoor;

import io.prism.snapshotter.testing.KafkaJvmLeftovers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** A real single-node KRaft broker in this JVM (Kafka's own test kit), with small helpers. */
public final class InJvmKafka implements AutoCloseable {
  /**
   * Null once closed: tests keep their broker in a static field, and a test class stays loaded
   * until the fork that runs every IT ends; a closed broker must not stay on its heap.
   */
  private KafkaClusterTestKit cluster;

  private final KafkaJvmLeftovers leftovers;

  private InJvmKafka(KafkaClusterTestKit cluster, KafkaJvmLeftovers leftovers) {
    this.cluster = cluster;
    this.leftovers = leftovers;
  }

  public static InJvmKafka start() throws Exception {
    KafkaJvmLeftovers leftovers = KafkaJvmLeftovers.record();
    KafkaClusterTestKit cluster =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("auto.create.topics.enable", "false")
            .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    return new InJvmKafka(cluster, leftovers);
  }

  public String bootstrapServers() {
    return cluster().bootstrapServers();
  }

  /** The broker (to check that it is released at close). */
  public Collection<BrokerServer> brokers() {
    return List.copyOf(cluster().brokers().values());
  }

  private KafkaClusterTestKit cluster() {
    if (cluster == null) {
      throw new IllegalStateException("this in-JVM Kafka broker is closed");
    }
    return cluster;
  }

  /** A fresh topic with a unique name. */
  public String createTopic(int partitions) throws Exception {
    String name = "events-" + UUID.randomUUID();
    try (Admin admin = cluster().admin()) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
    }
    return name;
  }

  /**
   * Reads the topic from the beginning until {@code count} records arrived (or fails after 20 s).
   */
  public List<ConsumerRecord<String, byte[]>> read(String topic, int count) {
    return read(bootstrapServers(), topic, count);
  }

  /**
   * Reads a topic of any cluster from the beginning until {@code count} records arrived (20 s at
   * most).
   */
  public static List<ConsumerRecord<String, byte[]>> read(
      String bootstrapServers, String topic, int count) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG,
                "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName()))) {
      consumer.subscribe(Set.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (records.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      // A short extra poll, so a test also sees records beyond the expected count.
      consumer.poll(Duration.ofMillis(300)).forEach(records::add);
    }
    return records;
  }

  @Override
  public void close() throws Exception {
    if (cluster == null) {
      return;
    }
    try {
      cluster.close();
    } finally {
      cluster = null;
      leftovers.close();
    }
  }
}
