package io.prism.snapshotter.connect;

import io.prism.snapshotter.util.Printable;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * Checks a request to move the connector's offsets (Connect 3.6+: {@code PATCH
 * /connectors/<name>/offsets}) before the worker writes them to the connector's consumer group.
 *
 * <p>The connector keeps no offsets of its own: the group's offsets are where its tasks resume, and
 * on resuming a task recognises from the page index the records already in stored pages. So any
 * offset of a topic the connector reads is accepted. An offset for a topic it does not read is
 * refused: the worker would write it to the group, where it does nothing but hide a misspelt topic
 * from the user who meant to move the real one. Resets (a null offset, and {@code DELETE}) are
 * accepted for any topic: that is how an old topic's offsets leave the group.
 */
final class OffsetRequestCheck {
  private OffsetRequestCheck() {}

  /**
   * Throws a {@link ConnectException} naming each topic of {@code offsets} given an offset although
   * the connector described by {@code connectorConfig} does not read it.
   */
  static void check(Map<String, String> connectorConfig, Map<TopicPartition, Long> offsets) {
    Predicate<String> reads = topicsReadBy(connectorConfig);
    Set<String> foreign = new TreeSet<>();
    offsets.forEach(
        (partition, offset) -> {
          if (offset != null && !reads.test(partition.topic())) {
            foreign.add(Printable.quote(partition.topic()));
          }
        });
    if (!foreign.isEmpty()) {
      String name = connectorConfig.getOrDefault("name", "");
      throw new ConnectException(
          "Connector "
              + Printable.quote(name)
              + " does not read topic "
              + String.join(", ", foreign)
              + " ("
              + describeTopics(connectorConfig)
              + "), so no offset was moved: check the topic's name. To remove the offsets of a"
              + " topic it no longer reads, give them as null (or reset them all: DELETE"
              + " /connectors/"
              + name
              + "/offsets).");
    }
  }

  /**
   * Whether a topic is among the connector's {@code topics} or matches its {@code topics.regex}.
   */
  private static Predicate<String> topicsReadBy(Map<String, String> connectorConfig) {
    String list = connectorConfig.getOrDefault("topics", "").trim();
    String regex = connectorConfig.getOrDefault("topics.regex", "").trim();
    if (!list.isEmpty()) {
      Set<String> topics =
          Arrays.stream(list.split(","))
              .map(String::trim)
              .filter(topic -> !topic.isEmpty())
              .collect(Collectors.toSet());
      return topics::contains;
    }
    if (!regex.isEmpty()) {
      try {
        Pattern pattern = Pattern.compile(regex);
        return topic -> pattern.matcher(topic).matches();
      } catch (PatternSyntaxException e) {
        return topic -> true; // the worker refuses such a connector; nothing to check against
      }
    }
    return topic -> true; // neither set: the worker refuses the connector itself
  }

  private static String describeTopics(Map<String, String> connectorConfig) {
    String list = connectorConfig.getOrDefault("topics", "").trim();
    return list.isEmpty()
        ? "topics.regex=" + Printable.quote(connectorConfig.getOrDefault("topics.regex", "").trim())
        : "topics=" + Printable.quote(list);
  }
}
