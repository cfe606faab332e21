package io.prism.snapshotter.index;

import java.net.URI;
import java.util.Objects;
import org.apache.kafka.common.config.types.Password;

/**
 * Where the Redis index lives.
 *
 * @param url {@code redis://host:6379/0} or {@code rediss://} (TLS); a password in the URL works
 *     too
 * @param keyPrefix the first segment of every key, {@code snapshot} as in the RFC
 * @param password {@code null}: the URL's, if any; never logged
 * @param ttlDays entries expire this many days after their page ended; 0 keeps them
 */
public record RedisSettings(URI url, String keyPrefix, Password password, int ttlDays) {
  public RedisSettings {
    Objects.requireNonNull(url, "url");
    if (!"redis".equals(url.getScheme()) && !"rediss".equals(url.getScheme())) {
      throw new IllegalArgumentException(
          "Redis URL " + redacted(url) + " must be redis:// or rediss://");
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

  /** The URL without any user info, for logs. */
  public static String redacted(URI url) {
    return url.getScheme()
        + "://"
        + url.getHost()
        + (url.getPort() < 0 ? "" : ":" + url.getPort())
        + (url.getPath() == null ? "" : url.getPath());
  }

  @Override
  public String toString() {
    return "RedisSettings[" + redacted(url) + " prefix=" + keyPrefix + " ttlDays=" + ttlDays + "]";
  }
}
