package io.prism.snapshotter.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;

/**
 * Every setting of the snapshotter, assembled from one fragment per concern. The connector, the CLI
 * and the local run all read their settings through this class.
 */
public final class SnapshotterConfig extends AbstractConfig {
  private static final ConfigDef DEFINITION = define();
  private static final UnknownSettings UNKNOWN = new UnknownSettings(DEFINITION.names());

  private final WriterConfig writer;
  private final BufferConfig buffer;
  private final PageConfig page;
  private final StorageConfig storage;
  private final IndexConfig index;
  private final MetricsConfig metrics;

  public SnapshotterConfig(Map<?, ?> originals) {
    super(DEFINITION, originals, false);
    this.writer = new WriterConfig(this);
    this.buffer = new BufferConfig(this);
    this.page = new PageConfig(this);
    this.storage = new StorageConfig(this);
    this.index = new IndexConfig(this);
    this.metrics = new MetricsConfig(this);
  }

  private static ConfigDef define() {
    ConfigDef def = new ConfigDef();
    WriterConfig.addTo(def);
    BufferConfig.addTo(def);
    PageConfig.addTo(def);
    StorageConfig.addTo(def);
    IndexConfig.addTo(def);
    MetricsConfig.addTo(def);
    return def;
  }

  /**
   * Problems that involve more than one key (key → messages), each message under every key
   * involved: what the connector's {@code validate()} attaches and {@code snapshotter check}
   * prints.
   */
  public Map<String, List<String>> crossKeyErrors() {
    Map<String, List<String>> errors = new LinkedHashMap<>();
    for (Map<String, List<String>> part :
        List.of(storage.crossKeyErrors(), page.crossKeyErrors(), index.crossKeyErrors())) {
      part.forEach(
          (key, messages) -> errors.computeIfAbsent(key, k -> new ArrayList<>()).addAll(messages));
    }
    keyTemplateProblems()
        .forEach(
            message ->
                errors
                    .computeIfAbsent(StorageConfig.KEY_TEMPLATE, k -> new ArrayList<>())
                    .add(message));
    long memory = buffer.memoryMaxBytes();
    long pageBytes = buffer.limits().maxBytes();
    if (memory < pageBytes) {
      String message =
          BufferConfig.MEMORY_MAX_BYTES
              + " ("
              + memory
              + ") must be at least "
              + BufferConfig.MAX_SIZE_BYTES
              + " ("
              + pageBytes
              + "): one full page must fit in the task's budget";
      for (String key : List.of(BufferConfig.MEMORY_MAX_BYTES, BufferConfig.MAX_SIZE_BYTES)) {
        errors.computeIfAbsent(key, k -> new ArrayList<>()).add(message);
      }
    }
    return errors;
  }

  /**
   * Keys too long (or, on Azure, not storable) for every writer of a topic the sink reads: known as
   * soon as the template, the format, the backend and Connect's {@code topics} are, so said here
   * rather than by sending every record to the dead letter queue. A writer id that makes a key too
   * long is only known per record: that record is refused then ({@code PageKeys}).
   */
  private List<String> keyTemplateProblems() {
    List<String> topics = new ArrayList<>();
    Object listed = originals().get(TOPICS);
    if (listed != null) {
      for (String topic : listed.toString().split(",")) {
        if (!topic.isBlank()) {
          topics.add(topic.trim());
        }
      }
    }
    if (topics.isEmpty()) {
      topics.add("t"); // topics.regex: the template's own parts can still be too long
    }
    List<String> problems = new ArrayList<>();
    for (String topic : topics) {
      storage
          .keyTemplate()
          .problemForEveryWriter(
              topic,
              page.format().configName(),
              page.format().extension() + page.compression().extension(),
              page.compression().configName(),
              storage.backend())
          .ifPresent(
              problem ->
                  problems.add(
                      StorageConfig.KEY_TEMPLATE
                          + " cannot store any page of topic '"
                          + topic
                          + "' on "
                          + StorageConfig.BACKEND
                          + "="
                          + storage.backend().configName()
                          + ", whatever the writer id (a 10-digit partition, a present-day time): "
                          + problem
                          + "; shorten the template's text around the long placeholder, or give"
                          + " it a segment of its own"));
    }
    return problems;
  }

  /**
   * Each key validated on its own, as {@code ConfigDef.validate} does, less the follow-on error it
   * adds to a value that did not parse: "5m" for a number gets "Not a number of type INT", and then
   * its validator, run on null, adds "Invalid value null ...: Value must be non-null", which says
   * nothing true of what was given. A number that did not parse is told the unit its key's name
   * gives.
   */
  public static List<ConfigValue> validateEachKey(Map<String, String> settings) {
    List<ConfigValue> values = new ArrayList<>();
    for (ConfigValue value : DEFINITION.validate(settings)) {
      List<String> errors = value.errorMessages();
      String followOn = "Invalid value null for configuration " + value.name() + ":";
      if (!errors.isEmpty() && settings.get(value.name()) != null) {
        ConfigValue kept =
            new ConfigValue(
                value.name(),
                value.value(),
                value.recommendedValues(),
                // Mutable, as ConfigDef's: validate() adds the cross-key errors to the values.
                new ArrayList<>(
                    errors.stream()
                        .filter(error -> !error.startsWith(followOn))
                        .map(error -> withUnit(value.name(), error))
                        .toList()));
        kept.visible(value.visible());
        values.add(kept);
      } else {
        values.add(value);
      }
    }
    return values;
  }

  /** The unit a number key's name ends with, in words: "5m" was meant as a duration. */
  private static final Map<String, String> UNITS =
      Map.of(
          ".seconds", "seconds",
          ".ms", "milliseconds",
          ".bytes", "bytes",
          ".mb", "MiB",
          ".days", "days");

  /** "Not a number of type INT" says what, not in what: the unit the key's name gives. */
  private static String withUnit(String name, String error) {
    if (error.contains("Not a number of type")) {
      for (Map.Entry<String, String> unit : UNITS.entrySet()) {
        if (name.endsWith(unit.getKey())) {
          return error + " (a whole number of " + unit.getValue() + ", without a unit)";
        }
      }
    }
    return error;
  }

  /**
   * Settings under this connector's name spaces ({@code storage.}, {@code index.}, ...) that it
   * does not have: misspelt, or of another version. Connect's own keys and the converters' are not.
   */
  public static List<UnknownSettings.Unknown> unknownSettings(Map<String, ?> settings) {
    return UNKNOWN.in(settings.keySet());
  }

  /** Connect's list of topics a sink reads (not this connector's own key). */
  private static final String TOPICS = "topics";

  /** The whole definition, e.g. for {@code Connector.config()} and the generated docs. */
  public static ConfigDef configDef() {
    return new ConfigDef(DEFINITION);
  }

  public WriterConfig writer() {
    return writer;
  }

  public BufferConfig buffer() {
    return buffer;
  }

  public PageConfig page() {
    return page;
  }

  public StorageConfig storage() {
    return storage;
  }

  public IndexConfig index() {
    return index;
  }

  public MetricsConfig metrics() {
    return metrics;
  }
}
