package io.prism.snapshotter.index;

import java.net.URI;
import java.util.Objects;
import org.apache.kafka.common.config.types.Password;

/**
 * Where the ClickHouse index lives.
 *
 * @param url {@code http://host:8123} or {@code https://host:8443}
 * @param password {@code null} for none; never logged
 * @param ttlDays entries are dropped this many days after their page ended; 0 keeps them
 */
public record ClickHouseSettings(
    URI url, String database, String table, String user, Password password, int ttlDays) {
  public ClickHouseSettings {
    Objects.requireNonNull(url, "url");
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
      throw new IllegalArgumentException("ClickHouse URL " + url + " must be http:// or https://");
    }
    ClickHouseSql.identifier("ClickHouse database", database);
    ClickHouseSql.identifier("ClickHouse table", table);
    if (ttlDays < 0) {
      throw new IllegalArgumentException("TTL days must be 0 (keep) or more, not " + ttlDays);
    }
  }

  public String qualifiedTable() {
    return database + "." + table;
  }

  @Override
  public String toString() {
    return "ClickHouseSettings["
        + url
        + " "
        + qualifiedTable()
        + " user="
        + user
        + " ttlDays="
        + ttlDays
        + "]";
  }
}
