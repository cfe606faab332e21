package io.prism.snapshotter.index;

import io.prism.snapshotter.util.TlsCaFile;
import io.prism.snapshotter.util.TlsClientIdentity;
import java.net.URI;
import java.util.Objects;
import org.apache.kafka.common.config.types.Password;

/**
 * Where the ClickHouse index lives.
 *
 * @param url {@code http://host:8123} or {@code https://host:8443}
 * @param password {@code null} for none; never logged
 * @param ttlDays entries are dropped this many days after their page ended; 0 keeps them
 * @param tlsCa the CAs an {@code https://} URL's server certificate must be signed by; {@code
 *     null}: the JVM's trust store
 * @param tlsClient the certificate presented when the server asks for one (ClickHouse's {@code
 *     verificationMode} relaxed or strict), or {@code null}
 */
public record ClickHouseSettings(
    URI url,
    String database,
    String table,
    String user,
    Password password,
    int ttlDays,
    TlsCaFile tlsCa,
    TlsClientIdentity tlsClient) {
  /** The setting that names {@link #tlsCa}: error messages point at it. */
  public static final String TLS_CA_SETTING = "index.clickhouse.tls.ca.file";

  /** The settings that name {@link #tlsClient}'s certificate and key. */
  public static final String TLS_CLIENT_CERT_SETTING = "index.clickhouse.tls.client.cert.file";

  public static final String TLS_CLIENT_KEY_SETTING = "index.clickhouse.tls.client.key.file";

  public ClickHouseSettings {
    Objects.requireNonNull(url, "url");
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
      throw new IllegalArgumentException("ClickHouse URL " + url + " must be http:// or https://");
    }
    if ((tlsCa != null || tlsClient != null) && !"https".equals(url.getScheme())) {
      throw new IllegalArgumentException(
          "a TLS "
              + (tlsCa != null ? "CA file (" + tlsCa : "client certificate (" + tlsClient)
              + ") is given but ClickHouse URL "
              + url
              + " is not https://: use https:// (ClickHouse's https_port, 8443 by default)");
    }
    ClickHouseSql.identifier("ClickHouse database", database);
    ClickHouseSql.identifier("ClickHouse table", table);
    if (ttlDays < 0) {
      throw new IllegalArgumentException("TTL days must be 0 (keep) or more, not " + ttlDays);
    }
  }

  /** Settings that trust the JVM's default CAs. */
  public ClickHouseSettings(
      URI url, String database, String table, String user, Password password, int ttlDays) {
    this(url, database, table, user, password, ttlDays, null, null);
  }

  /** Settings without a client certificate. */
  public ClickHouseSettings(
      URI url,
      String database,
      String table,
      String user,
      Password password,
      int ttlDays,
      TlsCaFile tlsCa) {
    this(url, database, table, user, password, ttlDays, tlsCa, null);
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
        + (tlsCa == null ? "" : " tlsCa=" + tlsCa)
        + (tlsClient == null ? "" : " tlsClient=" + tlsClient)
        + "]";
  }
}
