package io.prism.snapshotter.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.testing.CapturedLogs;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class QuietKafkaLogTest {
  @Test
  void kafkaLoggersAreSilentWhileQuietAndBackAfterwards() {
    try (CapturedLogs logs = CapturedLogs.capture()) {
      try (QuietKafkaLog quiet = QuietKafkaLog.unless(false)) {
        logEverywhere("while quiet");
      }
      logEverywhere("after");
      assertThat(logs.lines())
          .containsExactly(
              "ERROR io.prism.snapshotter.local.X - while quiet",
              "ERROR kafka.server.BrokerServer - after",
              "ERROR org.apache.kafka.controller.QuorumController - after",
              "ERROR io.prism.snapshotter.local.X - after");
    }
  }

  @Test
  void debugLoggingKeepsKafkasLog() {
    try (CapturedLogs logs = CapturedLogs.capture()) {
      try (QuietKafkaLog quiet = QuietKafkaLog.unless(true)) {
        LoggerFactory.getLogger("kafka.server.BrokerServer").error("asked for");
      }
      assertThat(logs.lines()).containsExactly("ERROR kafka.server.BrokerServer - asked for");
    }
  }

  private static void logEverywhere(String message) {
    LoggerFactory.getLogger("kafka.server.BrokerServer").error(message);
    LoggerFactory.getLogger("org.apache.kafka.controller.QuorumController").error(message);
    LoggerFactory.getLogger("io.prism.snapshotter.local.X").error(message);
  }
}
