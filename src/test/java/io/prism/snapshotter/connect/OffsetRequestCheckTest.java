package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.testing.CapturedLogs;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;

/**
 * A request to move the connector's offsets is refused for a topic it does not read, and only so.
 */
class OffsetRequestCheckTest {
  private static Map<String, String> reading(String key, String value) {
    return Map.of("name", "lake", key, value);
  }

  private static Map<TopicPartition, Long> offsets(Object... topicPartitionOffset) {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    for (int i = 0; i < topicPartitionOffset.length; i += 3) {
      offsets.put(
          new TopicPartition(
              (String) topicPartitionOffset[i], (Integer) topicPartitionOffset[i + 1]),
          (Long) topicPartitionOffset[i + 2]);
    }
    return offsets;
  }

  @Test
  void offsetsOfTheTopicsListedAreAccepted() {
    assertThatCode(
            () ->
                OffsetRequestCheck.check(
                    reading("topics", "orders, events"),
                    offsets("events", 0, 15L, "orders", 3, 0L)))
        .doesNotThrowAnyException();
  }

  @Test
  void offsetsOfTopicsMatchingTheRegexAreAccepted() {
    assertThatCode(
            () ->
                OffsetRequestCheck.check(
                    reading("topics.regex", "events\\..*"), offsets("events.eu", 0, 7L)))
        .doesNotThrowAnyException();
  }

  @Test
  void anOffsetForATopicNotReadIsRefusedNamingTheTopicAndTheTopicsRead() {
    assertThatThrownBy(
            () ->
                OffsetRequestCheck.check(
                    reading("topics", "events"),
                    offsets("events", 0, 1L, "evnets", 0, 5L, "evnets", 1, 5L)))
        .isInstanceOf(ConnectException.class)
        .hasMessageStartingWith(
            "Connector 'lake' does not read topic 'evnets' (topics='events'), so no offset was"
                + " moved")
        .hasMessageContaining("DELETE /connectors/lake/offsets");
  }

  @Test
  void aTopicThatOnlyContainsARegexMatchIsNotRead() {
    // Connect matches topics.regex against the whole name, so must this check.
    assertThatThrownBy(
            () ->
                OffsetRequestCheck.check(
                    reading("topics.regex", "events"), offsets("old-events-2024", 0, 0L)))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("topic 'old-events-2024' (topics.regex='events')");
  }

  @Test
  void resetsAreAcceptedForAnyTopicSoAnOldTopicsOffsetsCanLeaveTheGroup() {
    assertThatCode(
            () ->
                OffsetRequestCheck.check(
                    reading("topics", "events"), offsets("events", 0, null, "retired", 0, null)))
        .doesNotThrowAnyException();
  }

  @Test
  void withoutAPageIndexTheConnectorWarnsThatRecordsReadAgainAreStoredAgain() {
    Map<String, String> config = new HashMap<>(reading("topics", "events"));
    try (CapturedLogs logs = CapturedLogs.capture()) {
      new SnapshotterSinkConnector().alterOffsets(config, offsets("events", 0, 3L));
      config.put("index.backend", "None ");
      new SnapshotterSinkConnector().alterOffsets(config, offsets("events", 0, 3L));
      assertThat(logs.lines())
          .filteredOn(line -> line.contains("Offsets of connector 'lake'"))
          .satisfiesExactly(
              withIndex -> assertThat(withIndex).startsWith("INFO").contains("per the page index"),
              withoutIndex ->
                  assertThat(withoutIndex)
                      .startsWith("WARN")
                      .contains("index.backend=none", "records read again are stored again"));
    }
  }

  @Test
  void theConnectorAcceptsAValidRequestAndTellsTheWorkerNothingOutsideKafkaNeedsChanging() {
    assertThat(
            new SnapshotterSinkConnector()
                .alterOffsets(reading("topics", "events"), offsets("events", 0, 3L)))
        .isTrue();
    assertThatThrownBy(
            () ->
                new SnapshotterSinkConnector()
                    .alterOffsets(reading("topics", "events"), offsets("other", 0, 3L)))
        .isInstanceOf(ConnectException.class);
  }
}
