package io.prism.snapshotter.index;

import io.prism.snapshotter.util.TlsCaFile;
import io.prism.snapshotter.util.TlsClientIdentity;
import java.net.URI;
import java.util.Objects;
import org.apache.kafka.common.config.types.Password;

/**
 * Where the Redis index lives.
 *
 * @param url {@code redis://host:6379/0} or {@code rediss://} (TLS); a password in the URL works
 *     too; or the sentinels that find the primary: {@code redis-sentinel://host:26379/0#master}
 *     ({@link RedisSentinels})
 * @param keyPrefix the first segment of every key, {@code snapshot} as in the RFC
 * @param password {@code null}: the URL's, if any; never logged
 * @param ttlDays entries expire this many days after their page ended; 0 keeps them
 * @param tlsCa the CAs a {@code rediss://} server's certificate must be signed by; {@code null}:
 *     the JVM's trust store
 * @param tlsClient the certificate presented when the server asks for one (Redis's {@code
 *     tls-auth-clients yes}, its default), or {@code null}
 * @param replicaWait how many replicas must acknowledge a publish ({@link ReplicaWait#NONE}: none)
 * @param sentinelPassword what the sentinels of a {@code redis-sentinel://} URL ask for (their
 *     {@code requirepass}, or an ACL user's password), or {@code null}; never logged
 * @param sentinelUser the ACL user of the sentinels (with {@code sentinelPassword}), or {@code
 *     null} for their default user
 */
public record RedisSettings(
    URI url,
    String keyPrefix,
    Password password,
    int ttlDays,
    TlsCaFile tlsCa,
    TlsClientIdentity tlsClient,
    ReplicaWait replicaWait,
    Password sentinelPassword,
    String sentinelUser) {
  /** The setting that names {@link #tlsCa}: error messages point at it. */
  public static final String TLS_CA_SETTING = "index.redis.tls.ca.file";

  /** The settings that name {@link #tlsClient}'s certificate and key. */
  public static final String TLS_CLIENT_CERT_SETTING = "index.redis.tls.client.cert.file";

  public static final String TLS_CLIENT_KEY_SETTING = "index.redis.tls.client.key.file";

  /** The settings of {@link #replicaWait}. */
  public static final String WAIT_REPLICAS_SETTING = "index.redis.wait.replicas";

  public static final String WAIT_TIMEOUT_SETTING = "index.redis.wait.timeout.ms";

  /** The setting of {@link #sentinelPassword}. */
  public static final String SENTINEL_PASSWORD_SETTING = "index.redis.sentinel.password";

  /** The setting of {@link #sentinelUser}. */
  public static final String SENTINEL_USER_SETTING = "index.redis.sentinel.user";

  public RedisSettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(replicaWait, "replicaWait");
    boolean sentinel = RedisSentinels.isSentinelUrl(url);
    if (!"redis".equals(url.getScheme()) && !"rediss".equals(url.getScheme()) && !sentinel) {
      throw new IllegalArgumentException(
          "Redis URL "
              + redacted(url)
              + " must be redis://, rediss://, redis-sentinel:// or rediss-sentinel://");
    }
    if (sentinel) {
      RedisSentinels.parse(url); // its own errors
    }
    if ((tlsCa != null || tlsClient != null)
        && !"rediss".equals(url.getScheme())
        && !RedisSentinels.TLS_SCHEME.equals(url.getScheme())) {
      throw new IllegalArgumentException(
          "a TLS "
              + (tlsCa != null ? "CA file (" + tlsCa : "client certificate (" + tlsClient)
              + ") is given but Redis URL "
              + redacted(url)
              + " is not rediss://");
    }
    if ((sentinelPassword != null || sentinelUser != null) && !sentinel) {
      throw new IllegalArgumentException(
          (sentinelPassword != null ? SENTINEL_PASSWORD_SETTING : SENTINEL_USER_SETTING)
              + " is given but Redis URL "
              + redacted(url)
              + " is not redis-sentinel:// or rediss-sentinel://");
    }
    if (sentinelUser != null && (sentinelUser.isEmpty() || sentinelPassword == null)) {
      throw new IllegalArgumentException(
          SENTINEL_USER_SETTING
              + " needs the user's password in "
              + SENTINEL_PASSWORD_SETTING
              + (sentinelUser.isEmpty() ? " and a name" : ""));
    }
    if (keyPrefix == null
        || keyPrefix.isEmpty()
        || keyPrefix.contains(":")
        || keyPrefix.contains(".")) {
      throw new IllegalArgumentException(
          "Redis key prefix '" + keyPrefix + "' must be non-empty, without ':' or '.'");
    }
    if (ttlDays < 0) {
      throw new IllegalArgumentException("TTL days must be 0 (keep) or more, not " + ttlDays);
    }
  }

  /** Settings that trust the JVM's default CAs. */
  public RedisSettings(URI url, String keyPrefix, Password password, int ttlDays) {
    this(url, keyPrefix, password, ttlDays, null, null);
  }

  /** Settings whose publishes wait for no replica. */
  public RedisSettings(
      URI url,
      String keyPrefix,
      Password password,
      int ttlDays,
      TlsCaFile tlsCa,
      TlsClientIdentity tlsClient) {
    this(url, keyPrefix, password, ttlDays, tlsCa, tlsClient, ReplicaWait.NONE, null, null);
  }

  /** These settings, with publishes waiting for {@code wait}. */
  public RedisSettings withReplicaWait(ReplicaWait wait) {
    return new RedisSettings(
        url, keyPrefix, password, ttlDays, tlsCa, tlsClient, wait, sentinelPassword, sentinelUser);
  }

  /** These settings, with the password of the sentinels' default user. */
  public RedisSettings withSentinelPassword(Password password) {
    return withSentinelCredentials(null, password);
  }

  /** These settings, with the sentinels' ACL user ({@code null}: their default) and password. */
  public RedisSettings withSentinelCredentials(String user, Password password) {
    return new RedisSettings(
        url, keyPrefix, this.password, ttlDays, tlsCa, tlsClient, replicaWait, password, user);
  }

  /** The URL without any user info, for logs. */
  public static String redacted(URI url) {
    if (RedisSentinels.isSentinelUrl(url)) {
      return RedisSentinels.redacted(url);
    }
    return url.getScheme()
        + "://"
        + url.getHost()
        + (url.getPort() < 0 ? "" : ":" + url.getPort())
        + (url.getPath() == null ? "" : url.getPath());
  }

  @Override
  public String toString() {
    return "RedisSettings["
        + redacted(url)
        + " prefix="
        + keyPrefix
        + " ttlDays="
        + ttlDays
        + (tlsCa == null ? "" : " tlsCa=" + tlsCa)
        + (tlsClient == null ? "" : " tlsClient=" + tlsClient)
        + (replicaWait.waits()
            ? " waitReplicas="
                + replicaWait.replicas()
                + "/"
                + replicaWait.timeout().toMillis()
                + "ms"
            : "")
        + "]";
  }
}
