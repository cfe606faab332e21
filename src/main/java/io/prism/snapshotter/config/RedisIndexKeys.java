package io.prism.snapshotter.config;

import io.prism.snapshotter.index.RedisSettings;
import io.prism.snapshotter.index.ReplicaWait;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/**
 * The {@code index.redis.*} keys (Redis the index or a secondary): their definitions, the rules
 * between them, and the {@link RedisSettings} they make. Part of {@link IndexConfig}.
 */
public final class RedisIndexKeys {
  public static final String GROUP = "Index: Redis";

  public static final String URL = "index.redis.url";
  static final String URL_DOC =
      "redis://host:6379/0, or rediss:// for TLS: the primary's address, one that follows a"
          + " failover (such as a DNS name or VIP). Or its sentinels:"
          + " redis-sentinel://host:26379[,host:26379...]/0#master (rediss-sentinel:// for TLS),"
          + " which name the primary and lead the index to the new one after a failover (their own"
          + " credentials: index.redis.sentinel.password and .user). Redis Cluster is not. At a"
          + " read-only"
          + " replica, publishes fail (-READONLY) and are retried.";

  public static final String TLS_CA_FILE = RedisSettings.TLS_CA_SETTING;
  static final String TLS_CA_FILE_DOC =
      "A PEM file of the CA certificates that a rediss:// server's certificate must be signed by,"
          + " instead of the JVM's trust store (for a private CA, without making the whole Connect"
          + " worker trust it). Read when the connector starts: a missing file or one without a"
          + " certificate is a configuration error. The server's certificate must also name the"
          + " URL's host. Empty: the JVM's trust store.";

  public static final String TLS_CLIENT_CERT_FILE = RedisSettings.TLS_CLIENT_CERT_SETTING;
  static final String TLS_CLIENT_CERT_FILE_DOC =
      "A PEM certificate (chain) the index presents when a rediss:// server asks for one: Redis's"
          + " TLS does by default (tls-auth-clients yes). With index.redis.tls.client.key.file. Read"
          + " when the connector starts. Empty: none.";

  public static final String TLS_CLIENT_KEY_FILE = RedisSettings.TLS_CLIENT_KEY_SETTING;
  static final String TLS_CLIENT_KEY_FILE_DOC =
      "The private key of index.redis.tls.client.cert.file: an unencrypted PKCS#8 PEM file (BEGIN"
          + " PRIVATE KEY; RSA, EC or Ed25519). A PKCS#1 key is refused with the openssl command that"
          + " converts it. Keep it readable by the worker alone.";

  public static final String WAIT_REPLICAS = RedisSettings.WAIT_REPLICAS_SETTING;
  static final String WAIT_REPLICAS_DOC =
      "How many replicas must have a page's index entries before the sink counts the page as"
          + " indexed (and commits its records): after each publish the sink asks the primary"
          + " (Redis's WAIT) and, with fewer acknowledgements within "
          + RedisSettings.WAIT_TIMEOUT_SETTING
          + ", retries the publish. Redis replicates asynchronously, so without it a failover can"
          + " lose entries the sink took as indexed (reindex brings them back). Removals"
          + " (compaction, expiry, pages verify --repair) wait the same way, so a failover cannot"
          + " bring back entries of pages a compaction deleted. 0: do not wait.";

  public static final String WAIT_TIMEOUT_MS = RedisSettings.WAIT_TIMEOUT_SETTING;
  static final String WAIT_TIMEOUT_MS_DOC =
      "How long a publish (or removal) waits for the replicas of "
          + RedisSettings.WAIT_REPLICAS_SETTING
          + " to acknowledge it, in ms; at most 20000 (the client's socket timeout is 30 s).";

  public static final int WAIT_TIMEOUT_MS_LIMIT = 20_000;

  public static final String SENTINEL_PASSWORD = RedisSettings.SENTINEL_PASSWORD_SETTING;
  static final String SENTINEL_PASSWORD_DOC =
      "The password of the sentinels of a redis-sentinel:// index.redis.url, when they ask for one"
          + " (requirepass in their configuration, or the password of "
          + RedisSettings.SENTINEL_USER_SETTING
          + "). The data nodes' credentials are the URL's or index.redis.password.";

  public static final String SENTINEL_USER = RedisSettings.SENTINEL_USER_SETTING;
  static final String SENTINEL_USER_DOC =
      "The ACL user the index signs in to the sentinels of a redis-sentinel:// index.redis.url as,"
          + " with index.redis.sentinel.password; empty: their default user.";

  public static final String KEY_PREFIX = "index.redis.key.prefix";
  static final String KEY_PREFIX_DOC =
      "First segment of every key: entries are {prefix}:{writer_id}:{start_time}:{sequence}:{partition}:{topic}.";

  public static final String PASSWORD = "index.redis.password";
  static final String PASSWORD_DOC = "Redis password (never logged); empty: the URL's, if any.";

  private RedisIndexKeys() {}

  static void define(ConfigDef def) {
    int order = 0;
    def.define(
        URL, Type.STRING, null, Importance.HIGH, URL_DOC, GROUP, ++order, Width.LONG, "Redis URL");
    def.define(
        KEY_PREFIX,
        Type.STRING,
        "snapshot",
        Importance.LOW,
        KEY_PREFIX_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Redis key prefix");
    def.define(
        PASSWORD,
        Type.PASSWORD,
        null,
        Importance.MEDIUM,
        PASSWORD_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Redis password");
    def.define(
        SENTINEL_PASSWORD,
        Type.PASSWORD,
        null,
        Importance.LOW,
        SENTINEL_PASSWORD_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Redis sentinels' password");
    def.define(
        SENTINEL_USER,
        Type.STRING,
        null,
        Importance.LOW,
        SENTINEL_USER_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Redis sentinels' user");
    def.define(
        TLS_CA_FILE,
        Type.STRING,
        null,
        Importance.LOW,
        TLS_CA_FILE_DOC,
        GROUP,
        ++order,
        Width.LONG,
        "Redis TLS CA file");
    def.define(
        TLS_CLIENT_CERT_FILE,
        Type.STRING,
        null,
        Importance.LOW,
        TLS_CLIENT_CERT_FILE_DOC,
        GROUP,
        ++order,
        Width.LONG,
        "Redis TLS client certificate file");
    def.define(
        TLS_CLIENT_KEY_FILE,
        Type.STRING,
        null,
        Importance.LOW,
        TLS_CLIENT_KEY_FILE_DOC,
        GROUP,
        ++order,
        Width.LONG,
        "Redis TLS client key file");
    def.define(
        WAIT_REPLICAS,
        Type.INT,
        0,
        ConfigDef.Range.atLeast(0),
        Importance.LOW,
        WAIT_REPLICAS_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Redis replicas to wait for");
    def.define(
        WAIT_TIMEOUT_MS,
        Type.INT,
        5_000,
        ConfigDef.Range.between(1, WAIT_TIMEOUT_MS_LIMIT),
        Importance.LOW,
        WAIT_TIMEOUT_MS_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Redis replica wait (ms)");
  }

  /** The Redis settings of {@code values}, entries kept {@code ttlDays} (0: forever). */
  static RedisSettings settings(ConfigValues values, int ttlDays) {
    String url =
        values
            .optional(URL)
            .orElseThrow(
                () ->
                    new ConfigException(
                        URL, null, "must be set when redis is the index backend or a secondary"));
    try {
      return new RedisSettings(
          URI.create(url),
          values.config().getString(KEY_PREFIX),
          values.password(PASSWORD).orElse(null),
          ttlDays,
          TlsFiles.caFile(values, TLS_CA_FILE),
          TlsFiles.clientIdentity(values, TLS_CLIENT_CERT_FILE, TLS_CLIENT_KEY_FILE),
          new ReplicaWait(
              values.config().getInt(WAIT_REPLICAS),
              Duration.ofMillis(values.config().getInt(WAIT_TIMEOUT_MS))),
          values.password(SENTINEL_PASSWORD).orElse(null),
          values.optional(SENTINEL_USER).orElse(null));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "Invalid Redis index settings ("
              + URL
              + ", "
              + TLS_CA_FILE
              + ", "
              + KEY_PREFIX
              + "): "
              + e.getMessage());
    }
  }

  /** Adds the problems between the Redis keys, Redis being an index, to {@code errors}. */
  static void addCrossKeyErrors(ConfigValues values, Map<String, List<String>> errors) {
    if (values.optional(URL).isEmpty()) {
      KeyErrors.add(
          errors,
          "redis is an index but " + URL + " is not set",
          IndexConfig.BACKEND,
          IndexConfig.SECONDARY,
          URL);
    }
    TlsSettingChecks.checkCaFile(
        errors, TLS_CA_FILE, values.optional(TLS_CA_FILE), URL, values.optional(URL), "rediss");
    TlsSettingChecks.checkClientFiles(
        errors,
        values,
        TLS_CLIENT_CERT_FILE,
        TLS_CLIENT_KEY_FILE,
        URL,
        "rediss",
        "rediss-sentinel");
    addSentinelCredentialErrors(values, errors);
  }

  /** The sentinels' credentials need a sentinel URL, and a user needs its password. */
  private static void addSentinelCredentialErrors(
      ConfigValues values, Map<String, List<String>> errors) {
    boolean password = values.password(SENTINEL_PASSWORD).isPresent();
    boolean user = values.optional(SENTINEL_USER).isPresent();
    Optional<String> url = values.optional(URL);
    if ((password || user)
        && url.isPresent()
        && !url.get().startsWith("redis-sentinel://")
        && !url.get().startsWith("rediss-sentinel://")) {
      String key = password ? SENTINEL_PASSWORD : SENTINEL_USER;
      KeyErrors.add(
          errors,
          key
              + " is set but "
              + URL
              + " does not start with redis-sentinel:// or rediss-sentinel://",
          key,
          URL);
    }
    if (user && !password) {
      KeyErrors.add(
          errors,
          SENTINEL_USER + " needs the user's password in " + SENTINEL_PASSWORD,
          SENTINEL_USER,
          SENTINEL_PASSWORD);
    }
  }
}
