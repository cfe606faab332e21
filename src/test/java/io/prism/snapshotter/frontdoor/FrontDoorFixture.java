package io.prism.snapshotter.frontdoor;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Starting a front door against a test broker, and reading what it wrote. */
final class FrontDoorFixture {
  private FrontDoorFixture() {}

  static Map<String, Object> config(InJvmKafka kafka, String topic) {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", kafka.bootstrapServers());
    config.put(FrontDoorConfig.TOPIC, topic);
    config.put(FrontDoorConfig.LISTEN, "127.0.0.1:0");
    config.put(FrontDoorConfig.SHUTDOWN_GRACE_MS, "5000");
    return config;
  }

  /** Starts a front door and waits until it serves (Kafka answered it). */
  static FrontDoorServer start(Map<String, Object> config) throws Exception {
    return serving(FrontDoorServer.start(new FrontDoorConfig(config)));
  }

  /** Waits until {@code server} serves: it refuses calls before Kafka has answered it. */
  static FrontDoorServer serving(FrontDoorServer server) throws InterruptedException {
    if (!server.awaitServing(Duration.ofSeconds(30))) {
      server.close();
      throw new AssertionError("the front door did not reach Kafka within 30 s");
    }
    return server;
  }

  static ManagedChannel plaintextChannel(FrontDoorServer server) {
    return Grpc.newChannelBuilderForAddress(
            "127.0.0.1", server.port(), InsecureChannelCredentials.create())
        .build();
  }

  static void close(ManagedChannel channel) throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  static String header(ConsumerRecord<String, byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  static String value(ConsumerRecord<String, byte[]> record) {
    return new String(record.value(), StandardCharsets.UTF_8);
  }

  static String coordinates(ConsumerRecord<String, byte[]> record) {
    return record.topic() + "-" + record.partition() + "-" + record.offset();
  }
}
