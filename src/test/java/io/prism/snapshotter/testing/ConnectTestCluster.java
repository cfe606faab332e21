package io.prism.snapshotter.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.rest.errors.ConnectRestException;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * A real KRaft broker and real Connect workers in this JVM (Kafka's own test kit), with the
 * settings the snapshotter's integration tests share: offsets committed every second, plugins found
 * through ServiceLoader (as in a production worker with the plugin's manifest).
 */
public final class ConnectTestCluster implements AutoCloseable {
  public static final String CONNECTOR = "snapshotter";

  /**
   * Null once closed. Tests keep their cluster in a static field, and a test class stays loaded
   * until the fork ends (all ITs share one): a stopped cluster still referenced here would keep its
   * broker, workers, clients and their buffers (some 7 MB) on the heap for the rest of the run.
   */
  private EmbeddedConnectCluster connect;

  private final KafkaJvmLeftovers leftovers;
  private Admin admin;

  private ConnectTestCluster(EmbeddedConnectCluster connect, KafkaJvmLeftovers leftovers) {
    this.connect = connect;
    this.leftovers = leftovers;
  }

  public static ConnectTestCluster start(int workers) {
    return start(workers, Map.of());
  }

  /** As {@link #start(int)}, with worker settings added or replaced. */
  public static ConnectTestCluster start(int workers, Map<String, String> extraWorkerProps) {
    Map<String, String> workerProps = new HashMap<>();
    workerProps.put("offset.flush.interval.ms", "1000");
    workerProps.put("plugin.discovery", "service_load");
    workerProps.put("scheduled.rebalance.max.delay.ms", "2000");
    workerProps.put("task.shutdown.graceful.timeout.ms", "20000");
    workerProps.putAll(extraWorkerProps);
    Properties brokerProps = new Properties();
    brokerProps.put("group.initial.rebalance.delay.ms", "0");
    brokerProps.put("auto.create.topics.enable", "false");
    KafkaJvmLeftovers leftovers = KafkaJvmLeftovers.record();
    EmbeddedConnectCluster connect =
        new EmbeddedConnectCluster.Builder()
            .name("prism-it")
            .numWorkers(workers)
            .numBrokers(1)
            .workerProps(workerProps)
            .brokerProps(brokerProps)
            .build();
    connect.start();
    return new ConnectTestCluster(connect, leftovers);
  }

  public EmbeddedConnectCluster connect() {
    if (connect == null) {
      throw new IllegalStateException("this Connect test cluster is closed");
    }
    return connect;
  }

  public String bootstrapServers() {
    return connect().kafka().bootstrapServers();
  }

  public void createTopic(String topic, int partitions) {
    connect().kafka().createTopic(topic, partitions);
  }

  /**
   * A producer that keeps each partition's order. Not idempotent: with Kafka 4.3.1's in-JVM test
   * broker, idempotent producers were seen to share a producer id with the worker's own producers
   * and to fail with OUT_OF_ORDER_SEQUENCE_NUMBER; one request in flight keeps order. Tests check
   * with {@link #assertTopicHolds} that every record they sent is in the topic.
   */
  public KafkaProducer<byte[], byte[]> producer() {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    return connect().kafka().createProducer(props);
  }

  /** The topic holds exactly {@code records} records: every send landed, none twice. */
  public void assertTopicHolds(String topic, int partitions, long records) {
    long total = endOffsets(topic, partitions).values().stream().mapToLong(Long::longValue).sum();
    if (total != records) {
      throw new AssertionError(
          "the test's producer sent "
              + records
              + " records but "
              + topic
              + " holds "
              + total
              + ": the test's input is wrong, not the sink");
    }
  }

  public void startConnector(Map<String, String> config) {
    connect().configureConnector(CONNECTOR, config);
  }

  /**
   * Waits until the connector's consumer group is stable with {@code members} members that together
   * own {@code partitions} partitions: a steady state to start a stream in.
   */
  public void awaitGroupAssigned(int members, int partitions, Duration timeout) {
    await(
        members + " tasks owning " + partitions + " partitions",
        timeout,
        () -> {
          try {
            if (admin == null) {
              admin = connect().kafka().createAdminClient();
            }
            var group =
                admin
                    .describeConsumerGroups(List.of("connect-" + CONNECTOR))
                    .all()
                    .get()
                    .get("connect-" + CONNECTOR);
            int owned =
                group.members().stream()
                    .mapToInt(member -> member.assignment().topicPartitions().size())
                    .sum();
            return group.members().size() == members && owned == partitions;
          } catch (Exception notYet) {
            return false;
          }
        });
  }

  /** The offsets the connector's consumer group has committed. */
  public Map<TopicPartition, Long> committedOffsets() {
    return committedOffsetsOf(CONNECTOR);
  }

  /** The offsets a named connector's consumer group has committed. */
  public Map<TopicPartition, Long> committedOffsetsOf(String connector) {
    try {
      if (admin == null) {
        admin = connect().kafka().createAdminClient();
      }
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin
              .listConsumerGroupOffsets("connect-" + connector)
              .partitionsToOffsetAndMetadata()
              .get();
      Map<TopicPartition, Long> result = new HashMap<>();
      offsets.forEach(
          (tp, om) -> {
            if (om != null) {
              result.put(tp, om.offset());
            }
          });
      return result;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read committed offsets", e);
    }
  }

  public Map<TopicPartition, Long> endOffsets(String topic, int partitions) {
    Map<TopicPartition, Long> ends = new HashMap<>();
    try {
      for (int p = 0; p < partitions; p++) {
        TopicPartition tp = new TopicPartition(topic, p);
        ends.put(tp, connect().kafka().endOffset(tp));
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot read end offsets", e);
    }
    return ends;
  }

  /** Waits until the connector has committed every partition of the topic up to its end. */
  public void awaitAllCommitted(String topic, int partitions, Duration timeout) {
    awaitAllCommitted(CONNECTOR, topic, partitions, timeout);
  }

  /** Waits until the named connector has committed every partition of the topic up to its end. */
  public void awaitAllCommitted(String connector, String topic, int partitions, Duration timeout) {
    Map<TopicPartition, Long> ends = endOffsets(topic, partitions);
    await(
        connector + ": all of " + topic + " committed: " + ends,
        timeout,
        () -> {
          Map<TopicPartition, Long> committed = committedOffsetsOf(connector);
          return ends.entrySet().stream()
              .allMatch(e -> committed.getOrDefault(e.getKey(), -1L) >= e.getValue());
        });
  }

  public static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out after " + timeout + " waiting for: " + what);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }

  public List<String> taskStates() {
    return taskStates(CONNECTOR);
  }

  /**
   * The state of each task of the named connector, with its stack trace when it has one; none while
   * the worker has not yet written the connector's status (a just-created connector).
   */
  public List<String> taskStates(String connector) {
    List<String> states = new ArrayList<>();
    ConnectorStateInfo status;
    try {
      status = connect().connectorStatus(connector);
    } catch (ConnectRestException e) {
      if (e.statusCode() == 404) {
        return states;
      }
      throw e;
    }
    status
        .tasks()
        .forEach(
            task -> states.add(task.state() + (task.trace() == null ? "" : ": " + task.trace())));
    return states;
  }

  /** Stops the workers and the broker, and lets go of them (see {@link #connect}). */
  @Override
  public void close() {
    if (connect == null) {
      return;
    }
    try {
      if (admin != null) {
        admin.close(Duration.ofSeconds(5));
      }
      connect.stop();
    } finally {
      admin = null;
      connect = null;
      leftovers.close();
    }
  }
}
