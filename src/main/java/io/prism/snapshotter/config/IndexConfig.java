package io.prism.snapshotter.config;

import io.prism.snapshotter.index.ClickHousePageIndex;
import io.prism.snapshotter.index.ClickHouseSettings;
import io.prism.snapshotter.index.IndexBackend;
import io.prism.snapshotter.index.IndexDecorator;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.PublishMode;
import io.prism.snapshotter.index.RedisSettings;
import io.prism.snapshotter.index.SqlitePageIndex;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/** {@code index.*}: where page metadata is published once a page is durable. */
public final class IndexConfig {
  public static final String GROUP = "Index";
  public static final NamedValues<IndexBackend> BACKENDS =
      NamedValues.of(IndexBackend.class, IndexBackend::configName);
  public static final NamedValues<PublishMode> PUBLISH_MODES =
      NamedValues.of(PublishMode.class, PublishMode::configName);

  public static final String BACKEND = "index.backend";
  static final String BACKEND_DOC =
      "The page index: " + BACKENDS + ". Queries are answered by this one.";

  public static final String SECONDARY = "index.secondary";
  static final String SECONDARY_DOC =
      "More indexes that get every entry too (a list of "
          + BACKENDS
          + ", other than index.backend, which must not be none). Each has its own retried queue: a secondary's failure never blocks the primary.";

  public static final String TTL_DAYS = "index.ttl.days";
  static final String TTL_DAYS_DOC =
      "Entries are removed this many days after their page ended (0: kept). "
          + "ClickHouse 19.6+ uses a TTL clause, Redis key expiry; the rest a scheduled delete.";

  public static final String PUBLISH_MODE = "index.publish.mode";
  static final String PUBLISH_MODE_DOC =
      "sync: a partition's offset passes a page only once its entry is indexed "
          + "(a crash never leaves a stored page unindexed). async: entries are published in the background with "
          + "retries; offsets follow durable pages; a full queue holds the sink back.";

  public static final String PUBLISH_QUEUE_MAX_ENTRIES = "index.publish.queue.max.entries";
  static final String PUBLISH_QUEUE_MAX_ENTRIES_DOC =
      "Bound of the async publish queue and of each secondary's " + "retry queue, in entries.";

  public static final String SQLITE_PATH = "index.sqlite.path";
  public static final String SQLITE_PATH_DEFAULT = "./data/index.db";
  static final String SQLITE_PATH_DOC =
      "The SQLite index file (created with its directories when missing by the connector and"
          + " reindex; the commands that read it fail on a missing one).";

  private final AbstractConfig config;
  private final ConfigValues values;
  private final IndexBackend backend;

  public IndexConfig(AbstractConfig config) {
    this.config = config;
    this.values = new ConfigValues(config);
    this.backend = BACKENDS.parse(BACKEND, config.getString(BACKEND));
  }

  /** Parses {@code props} with only the index keys, e.g. for the CLI. */
  public IndexConfig(Map<?, ?> props) {
    this(new AbstractConfig(addTo(new ConfigDef()), props, false));
  }

  public static ConfigDef addTo(ConfigDef def) {
    int order = 0;
    def.define(
        BACKEND,
        Type.STRING,
        IndexBackend.SQLITE.configName(),
        BACKENDS,
        Importance.HIGH,
        BACKEND_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Index backend",
        BACKENDS);
    def.define(
        SECONDARY,
        Type.LIST,
        "",
        new SecondaryValidator(),
        Importance.LOW,
        SECONDARY_DOC,
        GROUP,
        ++order,
        Width.MEDIUM,
        "Secondary indexes");
    def.define(
        TTL_DAYS,
        Type.INT,
        0,
        ConfigDef.Range.atLeast(0),
        Importance.MEDIUM,
        TTL_DAYS_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Entry TTL (days)");
    def.define(
        PUBLISH_MODE,
        Type.STRING,
        PublishMode.SYNC.configName(),
        PUBLISH_MODES,
        Importance.MEDIUM,
        PUBLISH_MODE_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Publish mode",
        PUBLISH_MODES);
    def.define(
        PUBLISH_QUEUE_MAX_ENTRIES,
        Type.INT,
        100_000,
        ConfigDef.Range.atLeast(1),
        Importance.LOW,
        PUBLISH_QUEUE_MAX_ENTRIES_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Publish queue bound");
    def.define(
        SQLITE_PATH,
        Type.STRING,
        SQLITE_PATH_DEFAULT,
        Importance.MEDIUM,
        SQLITE_PATH_DOC,
        GROUP,
        ++order,
        Width.LONG,
        "SQLite file");
    ClickHouseIndexKeys.define(def);
    RedisIndexKeys.define(def);
    return def;
  }

  public IndexBackend backend() {
    return backend;
  }

  public List<IndexBackend> secondaries() {
    return config.getList(SECONDARY).stream().map(name -> BACKENDS.parse(SECONDARY, name)).toList();
  }

  /**
   * These settings with {@code secondary} taken out of {@value #SECONDARY}: what {@code check}
   * opens when opening a secondary would create what the sink should (a SQLite file not there yet).
   */
  public IndexConfig withoutSecondary(IndexBackend secondary) {
    Map<String, Object> props = new HashMap<>(config.originals());
    props.put(
        SECONDARY,
        secondaries().stream()
            .filter(which -> which != secondary)
            .map(IndexBackend::configName)
            .collect(Collectors.joining(",")));
    return new IndexConfig(props);
  }

  public int ttlDays() {
    return config.getInt(TTL_DAYS);
  }

  public PublishMode publishMode() {
    return PUBLISH_MODES.parse(PUBLISH_MODE, config.getString(PUBLISH_MODE));
  }

  public int publishQueueMaxEntries() {
    return config.getInt(PUBLISH_QUEUE_MAX_ENTRIES);
  }

  public Path sqlitePath() {
    return Path.of(config.getString(SQLITE_PATH));
  }

  public ClickHouseSettings clickHouse() {
    return ClickHouseIndexKeys.settings(values, ttlDays());
  }

  public RedisSettings redis() {
    return RedisIndexKeys.settings(values, ttlDays());
  }

  /**
   * Problems that involve more than one key, each attached to every key involved, for the
   * connector's {@code validate()}. Empty when the index config is usable.
   */
  public Map<String, List<String>> crossKeyErrors() {
    Map<String, List<String>> errors = new LinkedHashMap<>();
    List<IndexBackend> all = new ArrayList<>(secondaries());
    all.add(0, backend);
    if (secondaries().contains(backend)
        || secondaries().stream().distinct().count() != secondaries().size()) {
      KeyErrors.add(
          errors,
          "each index may appear once: "
              + BACKEND
              + " is "
              + backend.configName()
              + ", "
              + SECONDARY
              + " is "
              + config.getList(SECONDARY),
          BACKEND,
          SECONDARY);
    }
    if (secondaries().contains(IndexBackend.NONE)) {
      KeyErrors.add(errors, SECONDARY + " cannot name none", SECONDARY);
    }
    if (backend == IndexBackend.NONE && !secondaries().isEmpty()) {
      // Reading commands ask the primary alone: entries only a secondary held would be found by
      // nothing of ours (replay and check would say pages are not indexed).
      KeyErrors.add(
          errors,
          SECONDARY
              + " copies the primary index's entries, but "
              + BACKEND
              + " is none: make "
              + config.getList(SECONDARY).get(0)
              + " the "
              + BACKEND,
          BACKEND,
          SECONDARY);
    }
    if (all.contains(IndexBackend.CLICKHOUSE)) {
      ClickHouseIndexKeys.addCrossKeyErrors(values, errors);
    }
    if (all.contains(IndexBackend.REDIS)) {
      RedisIndexKeys.addCrossKeyErrors(values, errors);
    }
    return errors;
  }

  /** Opens the configured index: the primary, its secondaries, expiry, and the publish mode. */
  public PageIndex open() {
    return open(publishMode());
  }

  /** Opens the configured index in {@code mode} (tools such as reindex publish synchronously). */
  public PageIndex open(PublishMode mode) {
    return open(mode, IndexDecorator.NONE);
  }

  /**
   * Opens the configured index in {@code mode} for a command that reads (or repairs) an index the
   * sink wrote: as {@link #open(PublishMode)}, but a SQLite index (primary or secondary) whose file
   * is not there is a ConfigException naming {@value #SQLITE_PATH} and the path (see {@link
   * #requireExisting()}), and no file or directory is created.
   */
  public PageIndex openExisting(PublishMode mode) {
    requireExisting();
    requireNoCrossKeyErrors();
    return new IndexOpener(this).open(mode, IndexDecorator.NONE, IndexOpener.Use.EXISTING);
  }

  /**
   * Opens the primary index for a command that only reads it (replay, pages list): as {@link
   * #openExisting}, but only the primary, which holds every entry the secondaries do, and nothing
   * that writes: no publish queue and its thread ({@code index.publish.mode=async}), no scheduled
   * expiry ({@code index.ttl.days}), which in a replay running past a minute would delete entries
   * (refused outright for a user allowed only to read), a SQLite file opened read-only, its schema
   * left as it is ({@link SqlitePageIndex#openForReading}), and ClickHouse opened without any DDL
   * or INSERT ({@link ClickHousePageIndex#openForReading}), so a user with ClickHouse's {@code
   * readonly=1} can read an index whose tables an older version made.
   */
  public PageIndex openForReading() {
    requirePrimaryExisting();
    requireNoCrossKeyErrors();
    return new IndexOpener(this).openBackend(backend, IndexOpener.Use.READING);
  }

  /**
   * A ConfigException naming {@value #SQLITE_PATH} and the path when the settings name a SQLite
   * index (primary or secondary) whose file is not there: read, it would be an empty new index, and
   * "no pages" the answer to a mistyped path.
   */
  public void requireExisting() {
    requireSqliteFileWhen(
        backend == IndexBackend.SQLITE || secondaries().contains(IndexBackend.SQLITE));
  }

  /**
   * As {@link #requireExisting()}, for the primary index alone: what a command that only reads
   * (replay, pages list, check --read-only) opens. A SQLite secondary's missing file does not stop
   * it: the primary holds every entry the secondaries do.
   */
  public void requirePrimaryExisting() {
    requireSqliteFileWhen(backend == IndexBackend.SQLITE);
  }

  private void requireSqliteFileWhen(boolean sqliteIsOpened) {
    if (sqliteIsOpened) {
      ExistingLocation.requireFile(
          SQLITE_PATH,
          sqlitePath(),
          "no page was ever indexed there; check the path, or give the --config the connector"
              + " runs with");
    }
  }

  /**
   * Opens the configured index in {@code mode}, each part wrapped by {@code decorator} as it is put
   * together: every secondary before its queue, in async mode the primary (with the fan-out) before
   * the queue, and last what the caller publishes to. So the sink task's metrics see a publish
   * where it reaches a backend, not only where it enters a queue.
   */
  public PageIndex open(PublishMode mode, IndexDecorator decorator) {
    requireNoCrossKeyErrors();
    return new IndexOpener(this).open(mode, decorator, IndexOpener.Use.CREATING);
  }

  /**
   * @throws ConfigException saying every cross-key problem, naming the first key with one
   */
  private void requireNoCrossKeyErrors() {
    Map<String, List<String>> errors = crossKeyErrors();
    if (!errors.isEmpty()) {
      throw KeyErrors.asException("index", errors);
    }
  }

  /** Each listed name must be a backend. */
  private static final class SecondaryValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      if (value instanceof List<?> list) {
        for (Object item : list) {
          BACKENDS.parse(name, String.valueOf(item));
        }
      }
    }

    @Override
    public String toString() {
      return "a list of " + BACKENDS;
    }
  }
}
