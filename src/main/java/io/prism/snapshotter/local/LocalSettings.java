package io.prism.snapshotter.local;

import io.prism.snapshotter.config.ConfigFile;
import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.config.StorageConfig;
import io.prism.snapshotter.config.UnknownSettings;
import io.prism.snapshotter.frontdoor.FrontDoorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * The local stack's settings, from three layers (later wins): the connector's example {@code
 * config/connector.properties} (or {@code --config FILE}), then each {@code --set key=value}. Keys
 * are routed by name: {@code local.*} configure the stack itself (ports, partitions), {@code
 * frontdoor.*} the front door, everything else the connector (the header names {@code
 * writer.session.header} and {@code writer.event.id.header} the front door too). The stack then
 * forces what makes it local: storage and index under the data directory, the topic {@value
 * #TOPIC}.
 */
public final class LocalSettings {
  public static final String TOPIC = "events";
  public static final String CONNECTOR_NAME = "prism-snapshotter";

  public static final String KAFKA_PORT = "local.kafka.port";
  public static final String CONTROLLER_PORT = "local.controller.port";
  public static final String CONNECT_PORT = "local.connect.port";
  public static final String PARTITIONS = "local.topic.partitions";

  private static final String INDEX_SQLITE_PATH = "index.sqlite.path";

  private final Map<String, String> connector = new LinkedHashMap<>();
  private final Map<String, String> frontDoor = new LinkedHashMap<>();
  private final Map<String, String> local = new LinkedHashMap<>();
  private final LocalPaths paths;

  private LocalSettings(LocalPaths paths) {
    this.paths = paths;
  }

  /**
   * @param configFile the connector settings; empty: {@code config/connector.properties} of the
   *     installation, if there is one
   */
  public static LocalSettings assemble(
      Optional<Path> configFile, Map<String, String> sets, LocalPaths paths) {
    LocalSettings s = new LocalSettings(paths);
    s.frontDoor.put(FrontDoorConfig.LISTEN, "127.0.0.1:50051");
    s.local.put(KAFKA_PORT, "9092");
    s.local.put(CONTROLLER_PORT, "9093");
    s.local.put(CONNECT_PORT, "8083");
    s.local.put(PARTITIONS, "4");
    if (configFile.isPresent()) {
      s.route(ConfigFile.load(configFile.get()));
    } else {
      installedConnectorConfig().ifPresent(f -> s.route(ConfigFile.load(f)));
      // Locally the index is SQLite under the data directory, whatever the installed example file
      // says, so pages list and replay find pages without listing storage. --set
      // index.backend=none turns it off.
      if (SnapshotterConfig.configDef().names().contains(INDEX_SQLITE_PATH)) {
        s.connector.put("index.backend", "sqlite");
      }
    }
    refuseMovingForcedPaths(sets, paths);
    s.route(sets);
    s.refuseUnknownStackSettings();
    s.forceLocal();
    return s;
  }

  /**
   * The store's and the index's paths are forced under the data directory ({@link #forceLocal}), so
   * that it holds all the stack's state and {@code --fresh} can start from nothing. A value from
   * {@code --config} (the production connector's file, say) is overridden as documented; an
   * explicit {@code --set} of either would be silently ignored, so it is refused, naming {@code
   * --data}.
   */
  private static void refuseMovingForcedPaths(Map<String, String> sets, LocalPaths paths) {
    Map<String, Path> forced =
        Map.of(StorageConfig.FILESYSTEM_PATH, paths.pages(), INDEX_SQLITE_PATH, paths.indexDb());
    for (Map.Entry<String, Path> key : forced.entrySet()) {
      String value = sets.get(key.getKey());
      if (value != null && !Path.of(value).toAbsolutePath().normalize().equals(key.getValue())) {
        throw new ConfigException(
            key.getKey(),
            value,
            "the local stack keeps it at "
                + key.getValue()
                + ", under its data directory, so that --fresh can delete all its state; give"
                + " --data DIR to move the pages, the index and the broker's data together");
      }
    }
  }

  /**
   * A misspelt {@code local.*} or {@code frontdoor.*} key would leave its port, partition count or
   * limit at the default with, at most, a log line among the stack's. (The connector's keys are
   * checked with the rest of its settings when the stack starts.)
   */
  private void refuseUnknownStackSettings() {
    for (UnknownSettings.Unknown unknown : STACK_SETTINGS.in(local.keySet())) {
      throw new ConfigException(unknown.describe("the local stack"));
    }
    for (UnknownSettings.Unknown unknown : FrontDoorConfig.unknownSettings(frontDoor)) {
      throw new ConfigException(unknown.describe("the front door"));
    }
  }

  private static final UnknownSettings STACK_SETTINGS =
      new UnknownSettings(List.of(KAFKA_PORT, CONTROLLER_PORT, CONNECT_PORT, PARTITIONS));

  private void route(Map<String, String> settings) {
    settings.forEach(
        (key, value) -> {
          if (key.startsWith("local.")) {
            local.put(key, value);
          } else if (key.startsWith(FrontDoorConfig.PREFIX)
              || key.equals(FrontDoorConfig.HTTP_LISTEN)) {
            frontDoor.put(key, value);
          } else {
            connector.put(key, value);
            if (key.equals(FrontDoorConfig.SESSION_HEADER)
                || key.equals(FrontDoorConfig.EVENT_ID_HEADER)) {
              // Read by the connector, written by the front door: both need the same name.
              frontDoor.put(key, value);
            }
          }
        });
  }

  private void forceLocal() {
    connector.put("name", CONNECTOR_NAME);
    connector.putIfAbsent(
        "connector.class", "io.prism.snapshotter.connect.SnapshotterSinkConnector");
    connector.putIfAbsent("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    connector.putIfAbsent(
        "value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    connector.putIfAbsent("header.converter", "org.apache.kafka.connect.storage.StringConverter");
    connector.putIfAbsent("writer.key.source", "key");
    connector.putIfAbsent("tasks.max", "1");
    // Every buffer is stored when the worker stops (Ctrl-C): nothing waits for a restart.
    connector.putIfAbsent("buffer.flush.on.disconnect", "true");
    connector.put("topics", TOPIC);
    connector.put(StorageConfig.FILESYSTEM_PATH, paths.pages().toString());
    // The SQLite index (when this build has it) lives with the rest of the data.
    if (SnapshotterConfig.configDef().names().contains(INDEX_SQLITE_PATH)) {
      connector.put(INDEX_SQLITE_PATH, paths.indexDb().toString());
    }
    // One broker: a dead letter queue can have one replica only.
    if (connector.containsKey("errors.deadletterqueue.topic.name")) {
      connector.put("errors.deadletterqueue.topic.replication.factor", "1");
    }
    frontDoor.put(FrontDoorConfig.TOPIC, TOPIC);
  }

  /** {@code config/connector.properties} next to the installation's {@code target/} directory. */
  private static Optional<Path> installedConnectorConfig() {
    try {
      Path jar =
          Path.of(LocalSettings.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path root = jar.getParent() == null ? null : jar.getParent().getParent();
      if (root != null) {
        Path file = root.resolve("config").resolve("connector.properties");
        if (Files.isRegularFile(file)) {
          return Optional.of(file);
        }
      }
    } catch (Exception e) {
      // Not run from an installation: the built-in defaults above suffice.
    }
    return Optional.empty();
  }

  public Map<String, String> connector() {
    return Map.copyOf(connector);
  }

  /** The front door's settings, {@code bootstrap.servers} aside. */
  public Map<String, String> frontDoor() {
    return Map.copyOf(frontDoor);
  }

  public int port(String key) {
    String value = local.get(key);
    try {
      int port = Integer.parseInt(value.trim());
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new ConfigException(key, value, "a port number from 0 (any free port) to 65535");
    }
  }

  public int partitions() {
    String value = local.get(PARTITIONS);
    try {
      int n = Integer.parseInt(value.trim());
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(PARTITIONS, value, "a positive number of partitions");
    }
  }

  public LocalPaths paths() {
    return paths;
  }
}
