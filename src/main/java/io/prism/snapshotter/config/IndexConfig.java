package io.prism.snapshotter.config;

import io.prism.snapshotter.index.ClickHousePageIndex;
import io.prism.snapshotter.index.ClickHouseSettings;
import io.prism.snapshotter.index.FanOutPageIndex;
import io.prism.snapshotter.index.IndexBackend;
import io.prism.snapshotter.index.IndexDecorator;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.PublishMode;
import io.prism.snapshotter.index.PublishPath;
import io.prism.snapshotter.index.QueuedPageIndex;
import io.prism.snapshotter.index.RedisPageIndex;
import io.prism.snapshotter.index.RedisSettings;
import io.prism.snapshotter.index.ReplicaWait;
import io.prism.snapshotter.index.ScheduledExpiry;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.util.TlsCaFile;
import io.prism.snapshotter.util.TlsClientIdentity;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** {@code index.*}: where page metadata is published once a page is durable. */
public final class IndexConfig {
  public static final String GROUP = "Index";
  public static final String GROUP_CLICKHOUSE = "Index: ClickHouse";
  public static final String GROUP_REDIS = "Index: Redis";
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

  public static final String CLICKHOUSE_URL = "index.clickhouse.url";
  static final String CLICKHOUSE_URL_DOC =
      "ClickHouse's HTTP interface, http://host:8123 or https://host:8443.";
  public static final String CLICKHOUSE_DATABASE = "index.clickhouse.database";
  static final String CLICKHOUSE_DATABASE_DOC =
      "Database of the index table (created when missing).";
  public static final String CLICKHOUSE_TABLE = "index.clickhouse.table";
  static final String CLICKHOUSE_TABLE_DOC =
      "The index table (created when missing), and beside it the same name plus _by_offset: the same rows, sorted for the lookup by topic, partition and offset; plus _spans, each writer's longest page, fed by the materialized view _spans_feed, which bounds time-range queries. Commands that only read create none of them.";
  public static final String CLICKHOUSE_USER = "index.clickhouse.user";
  static final String CLICKHOUSE_USER_DOC = "ClickHouse user.";
  public static final String CLICKHOUSE_PASSWORD = "index.clickhouse.password";
  static final String CLICKHOUSE_PASSWORD_DOC = "ClickHouse password (never logged).";

  public static final String CLICKHOUSE_TLS_CA_FILE = ClickHouseSettings.TLS_CA_SETTING;
  static final String CLICKHOUSE_TLS_CA_FILE_DOC =
      "A PEM file of the CA certificates that an https:// ClickHouse's server certificate must be"
          + " signed by, instead of the JVM's trust store (for a private CA, without making the whole"
          + " Connect worker trust it). Read when the connector starts: a missing file or one without"
          + " a certificate is a configuration error. The server's certificate must also name the"
          + " URL's host. Empty: the JVM's trust store.";

  public static final String REDIS_URL = "index.redis.url";
  static final String REDIS_URL_DOC =
      "redis://host:6379/0, or rediss:// for TLS: the primary's address, one that follows a"
          + " failover (such as a DNS name or VIP). Or its sentinels:"
          + " redis-sentinel://host:26379[,host:26379...]/0#master (rediss-sentinel:// for TLS),"
          + " which name the primary and lead the index to the new one after a failover (their own"
          + " credentials: index.redis.sentinel.password and .user). Redis Cluster is not. At a"
          + " read-only"
          + " replica, publishes fail (-READONLY) and are retried.";
  public static final String REDIS_TLS_CA_FILE = RedisSettings.TLS_CA_SETTING;
  static final String REDIS_TLS_CA_FILE_DOC =
      "A PEM file of the CA certificates that a rediss:// server's certificate must be signed by,"
          + " instead of the JVM's trust store (for a private CA, without making the whole Connect"
          + " worker trust it). Read when the connector starts: a missing file or one without a"
          + " certificate is a configuration error. The server's certificate must also name the"
          + " URL's host. Empty: the JVM's trust store.";

  public static final String CLICKHOUSE_TLS_CLIENT_CERT_FILE =
      ClickHouseSettings.TLS_CLIENT_CERT_SETTING;
  static final String CLICKHOUSE_TLS_CLIENT_CERT_FILE_DOC =
      "A PEM certificate (chain) the index presents when an https:// ClickHouse asks for one"
          + " (verificationMode relaxed or strict in its openSSL server settings, or a proxy in"
          + " front of it that requires client certificates). With"
          + " index.clickhouse.tls.client.key.file. Read when the connector starts. Empty: none.";
  public static final String CLICKHOUSE_TLS_CLIENT_KEY_FILE =
      ClickHouseSettings.TLS_CLIENT_KEY_SETTING;
  static final String CLICKHOUSE_TLS_CLIENT_KEY_FILE_DOC =
      "The private key of index.clickhouse.tls.client.cert.file: an unencrypted PKCS#8 PEM file"
          + " (BEGIN PRIVATE KEY). A PKCS#1 key is refused with the openssl command that converts"
          + " it. Keep it readable by the worker alone.";

  public static final String REDIS_TLS_CLIENT_CERT_FILE = RedisSettings.TLS_CLIENT_CERT_SETTING;
  static final String REDIS_TLS_CLIENT_CERT_FILE_DOC =
      "A PEM certificate (chain) the index presents when a rediss:// server asks for one: Redis's"
          + " TLS does by default (tls-auth-clients yes). With index.redis.tls.client.key.file. Read"
          + " when the connector starts. Empty: none.";
  public static final String REDIS_TLS_CLIENT_KEY_FILE = RedisSettings.TLS_CLIENT_KEY_SETTING;
  static final String REDIS_TLS_CLIENT_KEY_FILE_DOC =
      "The private key of index.redis.tls.client.cert.file: an unencrypted PKCS#8 PEM file (BEGIN"
          + " PRIVATE KEY; RSA, EC or Ed25519). A PKCS#1 key is refused with the openssl command that"
          + " converts it. Keep it readable by the worker alone.";

  public static final String REDIS_WAIT_REPLICAS = RedisSettings.WAIT_REPLICAS_SETTING;
  static final String REDIS_WAIT_REPLICAS_DOC =
      "How many replicas must have a page's index entries before the sink counts the page as"
          + " indexed (and commits its records): after each publish the sink asks the primary"
          + " (Redis's WAIT) and, with fewer acknowledgements within "
          + RedisSettings.WAIT_TIMEOUT_SETTING
          + ", retries the publish. Redis replicates asynchronously, so without it a failover can"
          + " lose entries the sink took as indexed (reindex brings them back). Removals"
          + " (compaction, expiry, pages verify --repair) wait the same way, so a failover cannot"
          + " bring back entries of pages a compaction deleted. 0: do not wait.";
  public static final String REDIS_WAIT_TIMEOUT_MS = RedisSettings.WAIT_TIMEOUT_SETTING;
  static final String REDIS_WAIT_TIMEOUT_MS_DOC =
      "How long a publish (or removal) waits for the replicas of "
          + RedisSettings.WAIT_REPLICAS_SETTING
          + " to acknowledge it, in ms; at most 20000 (the client's socket timeout is 30 s).";
  public static final int REDIS_WAIT_TIMEOUT_MS_LIMIT = 20_000;

  public static final String REDIS_SENTINEL_PASSWORD = RedisSettings.SENTINEL_PASSWORD_SETTING;
  static final String REDIS_SENTINEL_PASSWORD_DOC =
      "The password of the sentinels of a redis-sentinel:// index.redis.url, when they ask for one"
          + " (requirepass in their configuration, or the password of "
          + RedisSettings.SENTINEL_USER_SETTING
          + "). The data nodes' credentials are the URL's or index.redis.password.";

  public static final String REDIS_SENTINEL_USER = RedisSettings.SENTINEL_USER_SETTING;
  static final String REDIS_SENTINEL_USER_DOC =
      "The ACL user the index signs in to the sentinels of a redis-sentinel:// index.redis.url as,"
          + " with index.redis.sentinel.password; empty: their default user.";

  public static final String REDIS_KEY_PREFIX = "index.redis.key.prefix";
  static final String REDIS_KEY_PREFIX_DOC =
      "First segment of every key: entries are {prefix}:{writer_id}:{start_time}:{sequence}:{partition}:{topic}.";
  public static final String REDIS_PASSWORD = "index.redis.password";
  static final String REDIS_PASSWORD_DOC =
      "Redis password (never logged); empty: the URL's, if any.";

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
    order = 0;
    def.define(
        CLICKHOUSE_URL,
        Type.STRING,
        null,
        Importance.HIGH,
        CLICKHOUSE_URL_DOC,
        GROUP_CLICKHOUSE,
        ++order,
        Width.LONG,
        "ClickHouse URL");
    def.define(
        CLICKHOUSE_DATABASE,
        Type.STRING,
        "prism",
        Importance.MEDIUM,
        CLICKHOUSE_DATABASE_DOC,
        GROUP_CLICKHOUSE,
        ++order,
        Width.SHORT,
        "ClickHouse database");
    def.define(
        CLICKHOUSE_TABLE,
        Type.STRING,
        "pages",
        Importance.MEDIUM,
        CLICKHOUSE_TABLE_DOC,
        GROUP_CLICKHOUSE,
        ++order,
        Width.SHORT,
        "ClickHouse table");
    def.define(
        CLICKHOUSE_USER,
        Type.STRING,
        "default",
        Importance.MEDIUM,
        CLICKHOUSE_USER_DOC,
        GROUP_CLICKHOUSE,
        ++order,
        Width.SHORT,
        "ClickHouse user");
    def.define(
        CLICKHOUSE_PASSWORD,
        Type.PASSWORD,
        null,
        Importance.MEDIUM,
        CLICKHOUSE_PASSWORD_DOC,
        GROUP_CLICKHOUSE,
        ++order,
        Width.SHORT,
        "ClickHouse password");
    def.define(
        CLICKHOUSE_TLS_CA_FILE,
        Type.STRING,
        null,
        Importance.LOW,
        CLICKHOUSE_TLS_CA_FILE_DOC,
        GROUP_CLICKHOUSE,
        ++order,
        Width.LONG,
        "ClickHouse TLS CA file");
    def.define(
        CLICKHOUSE_TLS_CLIENT_CERT_FILE,
        Type.STRING,
        null,
        Importance.LOW,
        CLICKHOUSE_TLS_CLIENT_CERT_FILE_DOC,
        GROUP_CLICKHOUSE,
        ++order,
        Width.LONG,
        "ClickHouse TLS client certificate file");
    def.define(
        CLICKHOUSE_TLS_CLIENT_KEY_FILE,
        Type.STRING,
        null,
        Importance.LOW,
        CLICKHOUSE_TLS_CLIENT_KEY_FILE_DOC,
        GROUP_CLICKHOUSE,
        ++order,
        Width.LONG,
        "ClickHouse TLS client key file");
    order = 0;
    def.define(
        REDIS_URL,
        Type.STRING,
        null,
        Importance.HIGH,
        REDIS_URL_DOC,
        GROUP_REDIS,
        ++order,
        Width.LONG,
        "Redis URL");
    def.define(
        REDIS_KEY_PREFIX,
        Type.STRING,
        "snapshot",
        Importance.LOW,
        REDIS_KEY_PREFIX_DOC,
        GROUP_REDIS,
        ++order,
        Width.SHORT,
        "Redis key prefix");
    def.define(
        REDIS_PASSWORD,
        Type.PASSWORD,
        null,
        Importance.MEDIUM,
        REDIS_PASSWORD_DOC,
        GROUP_REDIS,
        ++order,
        Width.SHORT,
        "Redis password");
    def.define(
        REDIS_SENTINEL_PASSWORD,
        Type.PASSWORD,
        null,
        Importance.LOW,
        REDIS_SENTINEL_PASSWORD_DOC,
        GROUP_REDIS,
        ++order,
        Width.SHORT,
        "Redis sentinels' password");
    def.define(
        REDIS_SENTINEL_USER,
        Type.STRING,
        null,
        Importance.LOW,
        REDIS_SENTINEL_USER_DOC,
        GROUP_REDIS,
        ++order,
        Width.SHORT,
        "Redis sentinels' user");
    def.define(
        REDIS_TLS_CA_FILE,
        Type.STRING,
        null,
        Importance.LOW,
        REDIS_TLS_CA_FILE_DOC,
        GROUP_REDIS,
        ++order,
        Width.LONG,
        "Redis TLS CA file");
    def.define(
        REDIS_TLS_CLIENT_CERT_FILE,
        Type.STRING,
        null,
        Importance.LOW,
        REDIS_TLS_CLIENT_CERT_FILE_DOC,
        GROUP_REDIS,
        ++order,
        Width.LONG,
        "Redis TLS client certificate file");
    def.define(
        REDIS_TLS_CLIENT_KEY_FILE,
        Type.STRING,
        null,
        Importance.LOW,
        REDIS_TLS_CLIENT_KEY_FILE_DOC,
        GROUP_REDIS,
        ++order,
        Width.LONG,
        "Redis TLS client key file");
    def.define(
        REDIS_WAIT_REPLICAS,
        Type.INT,
        0,
        ConfigDef.Range.atLeast(0),
        Importance.LOW,
        REDIS_WAIT_REPLICAS_DOC,
        GROUP_REDIS,
        ++order,
        Width.SHORT,
        "Redis replicas to wait for");
    def.define(
        REDIS_WAIT_TIMEOUT_MS,
        Type.INT,
        5_000,
        ConfigDef.Range.between(1, REDIS_WAIT_TIMEOUT_MS_LIMIT),
        Importance.LOW,
        REDIS_WAIT_TIMEOUT_MS_DOC,
        GROUP_REDIS,
        ++order,
        Width.SHORT,
        "Redis replica wait (ms)");
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
    String url =
        values
            .optional(CLICKHOUSE_URL)
            .orElseThrow(
                () ->
                    new ConfigException(
                        CLICKHOUSE_URL,
                        null,
                        "must be set when clickhouse is the index backend or a secondary"));
    try {
      return new ClickHouseSettings(
          URI.create(url),
          config.getString(CLICKHOUSE_DATABASE),
          config.getString(CLICKHOUSE_TABLE),
          config.getString(CLICKHOUSE_USER),
          password(CLICKHOUSE_PASSWORD),
          ttlDays(),
          tlsCa(CLICKHOUSE_TLS_CA_FILE),
          tlsClient(CLICKHOUSE_TLS_CLIENT_CERT_FILE, CLICKHOUSE_TLS_CLIENT_KEY_FILE));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "Invalid ClickHouse index settings ("
              + CLICKHOUSE_URL
              + ", "
              + CLICKHOUSE_TLS_CA_FILE
              + ", "
              + CLICKHOUSE_DATABASE
              + ", "
              + CLICKHOUSE_TABLE
              + "): "
              + e.getMessage());
    }
  }

  /** The CA file a key names, read now; null when the key is empty. */
  private TlsCaFile tlsCa(String key) {
    Optional<String> file = values.optional(key);
    if (file.isEmpty()) {
      return null;
    }
    try {
      return TlsCaFile.load(Path.of(file.get()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, file.get(), e.getMessage());
    }
  }

  /** The client certificate and key two keys name, read now; null when neither is set. */
  private TlsClientIdentity tlsClient(String certKey, String keyKey) {
    Optional<String> cert = values.optional(certKey);
    Optional<String> key = values.optional(keyKey);
    if (cert.isEmpty() && key.isEmpty()) {
      return null;
    }
    if (cert.isEmpty() || key.isEmpty()) {
      throw new ConfigException(
          cert.isEmpty() ? certKey : keyKey,
          null,
          certKey + " and " + keyKey + " go together: set both, or neither");
    }
    try {
      return TlsClientIdentity.load(Path.of(cert.get()), Path.of(key.get()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(certKey + ", " + keyKey, cert.get(), e.getMessage());
    }
  }

  public RedisSettings redis() {
    String url =
        values
            .optional(REDIS_URL)
            .orElseThrow(
                () ->
                    new ConfigException(
                        REDIS_URL,
                        null,
                        "must be set when redis is the index backend or a secondary"));
    try {
      return new RedisSettings(
          URI.create(url),
          config.getString(REDIS_KEY_PREFIX),
          password(REDIS_PASSWORD),
          ttlDays(),
          tlsCa(REDIS_TLS_CA_FILE),
          tlsClient(REDIS_TLS_CLIENT_CERT_FILE, REDIS_TLS_CLIENT_KEY_FILE),
          new ReplicaWait(
              config.getInt(REDIS_WAIT_REPLICAS),
              Duration.ofMillis(config.getInt(REDIS_WAIT_TIMEOUT_MS))),
          password(REDIS_SENTINEL_PASSWORD),
          values.optional(REDIS_SENTINEL_USER).orElse(null));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "Invalid Redis index settings ("
              + REDIS_URL
              + ", "
              + REDIS_TLS_CA_FILE
              + ", "
              + REDIS_KEY_PREFIX
              + "): "
              + e.getMessage());
    }
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
    if (all.contains(IndexBackend.CLICKHOUSE) && values.optional(CLICKHOUSE_URL).isEmpty()) {
      KeyErrors.add(
          errors,
          "clickhouse is an index but " + CLICKHOUSE_URL + " is not set",
          BACKEND,
          SECONDARY,
          CLICKHOUSE_URL);
    }
    if (all.contains(IndexBackend.REDIS) && values.optional(REDIS_URL).isEmpty()) {
      KeyErrors.add(
          errors,
          "redis is an index but " + REDIS_URL + " is not set",
          BACKEND,
          SECONDARY,
          REDIS_URL);
    }
    if (all.contains(IndexBackend.CLICKHOUSE)) {
      TlsSettingChecks.checkCaFile(
          errors,
          CLICKHOUSE_TLS_CA_FILE,
          values.optional(CLICKHOUSE_TLS_CA_FILE),
          CLICKHOUSE_URL,
          values.optional(CLICKHOUSE_URL),
          "https");
      checkTlsClient(
          errors,
          CLICKHOUSE_TLS_CLIENT_CERT_FILE,
          CLICKHOUSE_TLS_CLIENT_KEY_FILE,
          CLICKHOUSE_URL,
          "https");
    }
    if (all.contains(IndexBackend.REDIS)) {
      TlsSettingChecks.checkCaFile(
          errors,
          REDIS_TLS_CA_FILE,
          values.optional(REDIS_TLS_CA_FILE),
          REDIS_URL,
          values.optional(REDIS_URL),
          "rediss");
      checkTlsClient(
          errors,
          REDIS_TLS_CLIENT_CERT_FILE,
          REDIS_TLS_CLIENT_KEY_FILE,
          REDIS_URL,
          "rediss",
          "rediss-sentinel");
      checkSentinelCredentials(errors);
    }
    return errors;
  }

  /** The sentinels' credentials need a sentinel URL, and a user needs its password. */
  private void checkSentinelCredentials(Map<String, List<String>> errors) {
    boolean password = password(REDIS_SENTINEL_PASSWORD) != null;
    boolean user = values.optional(REDIS_SENTINEL_USER).isPresent();
    Optional<String> url = values.optional(REDIS_URL);
    if ((password || user)
        && url.isPresent()
        && !url.get().startsWith("redis-sentinel://")
        && !url.get().startsWith("rediss-sentinel://")) {
      String key = password ? REDIS_SENTINEL_PASSWORD : REDIS_SENTINEL_USER;
      KeyErrors.add(
          errors,
          key
              + " is set but "
              + REDIS_URL
              + " does not start with redis-sentinel:// or rediss-sentinel://",
          key,
          REDIS_URL);
    }
    if (user && !password) {
      KeyErrors.add(
          errors,
          REDIS_SENTINEL_USER + " needs the user's password in " + REDIS_SENTINEL_PASSWORD,
          REDIS_SENTINEL_USER,
          REDIS_SENTINEL_PASSWORD);
    }
  }

  /** A client certificate needs its key, both readable, and a TLS URL (one of {@code schemes}). */
  private void checkTlsClient(
      Map<String, List<String>> errors,
      String certKey,
      String keyKey,
      String urlKey,
      String... schemes) {
    Optional<String> cert = values.optional(certKey);
    Optional<String> key = values.optional(keyKey);
    if (cert.isEmpty() && key.isEmpty()) {
      return;
    }
    if (cert.isEmpty() || key.isEmpty()) {
      KeyErrors.add(
          errors,
          certKey + " and " + keyKey + " go together: set both, or neither",
          certKey,
          keyKey);
      return;
    }
    try {
      TlsClientIdentity.load(Path.of(cert.get()), Path.of(key.get()));
    } catch (IllegalArgumentException e) {
      KeyErrors.add(errors, e.getMessage(), certKey, keyKey);
    }
    Optional<String> url = values.optional(urlKey);
    if (url.isPresent() && !TlsSettingChecks.isTls(url.get(), schemes)) {
      KeyErrors.add(
          errors,
          certKey
              + " is set but "
              + urlKey
              + " ("
              + url.get()
              + ") does not start with "
              + schemes[0]
              + "://",
          certKey,
          urlKey);
    }
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
    return open(mode, IndexDecorator.NONE, true);
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
    throwFirstCrossKeyError();
    return openBackend(backend, Use.READING);
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
    return open(mode, decorator, false);
  }

  private PageIndex open(PublishMode mode, IndexDecorator decorator, boolean existing) {
    throwFirstCrossKeyError();
    List<PageIndex> opened = new ArrayList<>();
    try {
      Use use = existing ? Use.EXISTING : Use.CREATING;
      PageIndex primary = openBackend(backend, use);
      opened.add(primary);
      List<PageIndex> secondaries = new ArrayList<>();
      for (IndexBackend secondary : secondaries()) {
        PageIndex index = openBackend(secondary, use);
        opened.add(index);
        secondaries.add(decorator.decorate(index, PublishPath.BACKGROUND_TO_SECONDARY));
      }
      PageIndex index =
          secondaries.isEmpty()
              ? primary
              : new FanOutPageIndex(primary, secondaries, publishQueueMaxEntries());
      if (mode == PublishMode.ASYNC) {
        PageIndex queued =
            new QueuedPageIndex(
                decorator.decorate(index, PublishPath.BACKGROUND_TO_PRIMARY),
                publishQueueMaxEntries());
        return decorator.decorate(queued, PublishPath.TASK_TO_QUEUE);
      }
      return decorator.decorate(index, PublishPath.TASK_TO_INDEX);
    } catch (RuntimeException e) {
      opened.forEach(PageIndex::close);
      throw e;
    }
  }

  private void throwFirstCrossKeyError() {
    Map<String, List<String>> errors = crossKeyErrors();
    if (!errors.isEmpty()) {
      Map.Entry<String, List<String>> first = errors.entrySet().iterator().next();
      throw new ConfigException(
          first.getKey(),
          config.originals().get(first.getKey()),
          String.join("; ", first.getValue()));
    }
  }

  /** What a backend is opened for. */
  private enum Use {
    /** Publishing, a SQLite file created where missing (the sink, reindex). */
    CREATING,
    /** Publishing or removing, in a SQLite file that must be there (compact, pages verify). */
    EXISTING,
    /** Reading only: nothing written, no expiry (replay, pages list, check --read-only). */
    READING
  }

  /**
   * Opens one backend for {@code use}, with a scheduled expiry where the backend does not expire
   * entries itself (unless only read).
   */
  private PageIndex openBackend(IndexBackend which, Use use) {
    PageIndex index;
    boolean expiresByItself = false;
    switch (which) {
      case SQLITE ->
          index =
              switch (use) {
                case CREATING -> SqlitePageIndex.open(sqlitePath());
                case EXISTING -> SqlitePageIndex.openExisting(sqlitePath());
                case READING -> SqlitePageIndex.openForReading(sqlitePath());
              };
      case CLICKHOUSE -> {
        ClickHousePageIndex clickHouse =
            use == Use.READING
                ? ClickHousePageIndex.openForReading(clickHouse())
                : ClickHousePageIndex.open(clickHouse());
        expiresByItself = clickHouse.serverExpiresEntries();
        index = clickHouse;
      }
      case REDIS ->
          index = RedisPageIndex.open(redis()); // keys expire; the scheduled pass tidies the sets
      case NONE -> {
        return PageIndex.none();
      }
      default -> throw new IllegalStateException("unknown index backend " + which);
    }
    if (use != Use.READING && ttlDays() > 0 && !expiresByItself) {
      return new ScheduledExpiry(index, Duration.ofDays(ttlDays()), Clock.systemUTC());
    }
    return index;
  }

  private Password password(String key) {
    Password password = config.getPassword(key);
    return password == null || password.value() == null || password.value().isEmpty()
        ? null
        : password;
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
