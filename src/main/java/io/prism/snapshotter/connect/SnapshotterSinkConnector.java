package io.prism.snapshotter.connect;

import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.config.UnknownSettings;
import io.prism.snapshotter.index.IndexBackend;
import io.prism.snapshotter.util.Printable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prism Snapshotter sink connector: lands a topic's events as per-writer pages in object storage
 * and indexes them. Every task gets the same configuration; Kafka spreads the partitions.
 */
public class SnapshotterSinkConnector extends SinkConnector {
  private static final Logger log = LoggerFactory.getLogger(SnapshotterSinkConnector.class);

  /** What an unknown setting is not a setting of: a version's, another may have it. */
  private static final String OWNER = "the Prism Snapshotter connector " + Version.current();

  private Map<String, String> props;

  @Override
  public String version() {
    return Version.current();
  }

  @Override
  public void start(Map<String, String> props) {
    this.props = Map.copyOf(props);
    new SnapshotterConfig(props); // fail fast on a config that validate() would refuse
    warnIfTheDeadLetterQueueIsUnused(props);
    warnOfUnknownSettings(props);
  }

  /**
   * validate() refuses a setting this connector does not have, but a worker starts a connector
   * whose config it stored before (another version of the plugin, a config written to the config
   * topic directly): it runs, and says once per start what it ignores.
   */
  private static void warnOfUnknownSettings(Map<String, String> props) {
    for (UnknownSettings.Unknown unknown : SnapshotterConfig.unknownSettings(props)) {
      log.warn("{} (ignored)", unknown.describe(OWNER));
    }
  }

  /**
   * A dead letter queue with {@code errors.tolerance=none} (Connect's default) takes no record: the
   * first bad record stops the task. Connect accepts the pair silently, so it is said here, once
   * per start, before a bad record comes (the task's error says it again).
   */
  private static void warnIfTheDeadLetterQueueIsUnused(Map<String, String> props) {
    String deadLetterQueue = props.getOrDefault("errors.deadletterqueue.topic.name", "").trim();
    String tolerance = props.getOrDefault("errors.tolerance", "none").trim();
    if (!deadLetterQueue.isEmpty() && !"all".equalsIgnoreCase(tolerance)) {
      log.warn(
          "errors.deadletterqueue.topic.name={} is set but errors.tolerance={}: Connect sends bad"
              + " records to the dead letter queue only with errors.tolerance=all; as it is, the"
              + " first bad record (no writer id, a value that cannot be stored) stops the task",
          Printable.quote(deadLetterQueue),
          tolerance);
    }
  }

  @Override
  public Class<? extends Task> taskClass() {
    return SnapshotterSinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> configs = new ArrayList<>(maxTasks);
    for (int i = 0; i < maxTasks; i++) {
      Map<String, String> task = new HashMap<>(props);
      task.put(TaskTelemetry.TASK_ID, Integer.toString(i)); // the task's label in metrics
      configs.add(task);
    }
    return configs;
  }

  @Override
  public void stop() {}

  /**
   * Connect 3.6+ ({@code PATCH} and {@code DELETE /connectors/<name>/offsets}, connector stopped):
   * the consumer group's offsets are the only offsets this connector keeps, so moving them is all
   * there is to do, once the topics are checked ({@link OffsetRequestCheck}). Where a task then
   * resumes, it recognises from the page index the records already in stored pages and does not
   * store them again; records it skips past are never stored. Returning {@code true} tells the
   * worker (and its REST answer) that nothing outside Kafka needs changing. Called on an instance
   * that need not have been started.
   */
  @Override
  public boolean alterOffsets(
      Map<String, String> connectorConfig, Map<TopicPartition, Long> offsets) {
    OffsetRequestCheck.check(connectorConfig, offsets);
    String name = Printable.quote(connectorConfig.getOrDefault("name", ""));
    long reset = offsets.values().stream().filter(Objects::isNull).count();
    if (IndexBackend.fromName(connectorConfig.get(IndexConfig.BACKEND)).orElse(null)
        == IndexBackend.NONE) {
      log.warn(
          "Offsets of connector {} to be moved for {} partitions and reset for {}: with"
              + " index.backend=none nothing tells its tasks which records are already in stored"
              + " pages, so records read again are stored again, in pages of other boundaries"
              + " (replay shows each event once, by its id)",
          name,
          offsets.size() - reset,
          reset);
    } else {
      log.info(
          "Offsets of connector {} to be moved for {} partitions and reset for {}: where its tasks"
              + " resume, records already in stored pages (per the page index) are not stored"
              + " again",
          name,
          offsets.size() - reset,
          reset);
    }
    return true;
  }

  @Override
  public ConfigDef config() {
    return SnapshotterConfig.configDef();
  }

  /**
   * Per-key validation first, then the checks that involve several keys; a setting under this
   * connector's name spaces that it does not have is an error of its own (Connect counts it, so the
   * worker refuses the config), naming the setting most likely meant.
   */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config config = new Config(SnapshotterConfig.validateEachKey(connectorConfigs));
    boolean singleKeyErrors =
        config.configValues().stream().anyMatch(value -> !value.errorMessages().isEmpty());
    if (!singleKeyErrors) {
      CrossKeyValidation.addErrors(connectorConfigs, config.configValues());
    }
    List<ConfigValue> values = new ArrayList<>(config.configValues());
    for (UnknownSettings.Unknown unknown : SnapshotterConfig.unknownSettings(connectorConfigs)) {
      values.add(
          // No value: a misspelt secret key would be shown in the REST answer, not [hidden].
          new ConfigValue(
              unknown.name(),
              null,
              new ArrayList<>(),
              new ArrayList<>(List.of(unknown.describe(OWNER)))));
    }
    return new Config(values);
  }

  static ConfigValue valueOf(List<ConfigValue> values, String name) {
    return values.stream().filter(value -> value.name().equals(name)).findFirst().orElse(null);
  }
}
