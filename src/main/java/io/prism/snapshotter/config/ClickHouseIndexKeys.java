package io.prism.snapshotter.config;

import io.prism.snapshotter.index.ClickHouseSettings;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/**
 * The {@code index.clickhouse.*} keys (ClickHouse the index or a secondary): their definitions, the
 * rules between them, and the {@link ClickHouseSettings} they make. Part of {@link IndexConfig}.
 */
public final class ClickHouseIndexKeys {
  public static final String GROUP = "Index: ClickHouse";

  public static final String URL = "index.clickhouse.url";
  static final String URL_DOC =
      "ClickHouse's HTTP interface, http://host:8123 or https://host:8443.";

  public static final String DATABASE = "index.clickhouse.database";
  static final String DATABASE_DOC = "Database of the index table (created when missing).";

  public static final String TABLE = "index.clickhouse.table";
  static final String TABLE_DOC =
      "The index table (created when missing), and beside it the same name plus _by_offset: the same rows, sorted for the lookup by topic, partition and offset; plus _spans, each writer's longest page, fed by the materialized view _spans_feed, which bounds time-range queries. Commands that only read create none of them.";

  public static final String USER = "index.clickhouse.user";
  static final String USER_DOC = "ClickHouse user.";

  public static final String PASSWORD = "index.clickhouse.password";
  static final String PASSWORD_DOC = "ClickHouse password (never logged).";

  public static final String TLS_CA_FILE = ClickHouseSettings.TLS_CA_SETTING;
  static final String TLS_CA_FILE_DOC =
      "A PEM file of the CA certificates that an https:// ClickHouse's server certificate must be"
          + " signed by, instead of the JVM's trust store (for a private CA, without making the whole"
          + " Connect worker trust it). Read when the connector starts: a missing file or one without"
          + " a certificate is a configuration error. The server's certificate must also name the"
          + " URL's host. Empty: the JVM's trust store.";

  public static final String TLS_CLIENT_CERT_FILE = ClickHouseSettings.TLS_CLIENT_CERT_SETTING;
  static final String TLS_CLIENT_CERT_FILE_DOC =
      "A PEM certificate (chain) the index presents when an https:// ClickHouse asks for one"
          + " (verificationMode relaxed or strict in its openSSL server settings, or a proxy in"
          + " front of it that requires client certificates). With"
          + " index.clickhouse.tls.client.key.file. Read when the connector starts. Empty: none.";

  public static final String TLS_CLIENT_KEY_FILE = ClickHouseSettings.TLS_CLIENT_KEY_SETTING;
  static final String TLS_CLIENT_KEY_FILE_DOC =
      "The private key of index.clickhouse.tls.client.cert.file: an unencrypted PKCS#8 PEM file"
          + " (BEGIN PRIVATE KEY). A PKCS#1 key is refused with the openssl command that converts"
          + " it. Keep it readable by the worker alone.";

  private ClickHouseIndexKeys() {}

  static void define(ConfigDef def) {
    int order = 0;
    def.define(
        URL,
        Type.STRING,
        null,
        Importance.HIGH,
        URL_DOC,
        GROUP,
        ++order,
        Width.LONG,
        "ClickHouse URL");
    def.define(
        DATABASE,
        Type.STRING,
        "prism",
        Importance.MEDIUM,
        DATABASE_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "ClickHouse database");
    def.define(
        TABLE,
        Type.STRING,
        "pages",
        Importance.MEDIUM,
        TABLE_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "ClickHouse table");
    def.define(
        USER,
        Type.STRING,
        "default",
        Importance.MEDIUM,
        USER_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "ClickHouse user");
    def.define(
        PASSWORD,
        Type.PASSWORD,
        null,
        Importance.MEDIUM,
        PASSWORD_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "ClickHouse password");
    def.define(
        TLS_CA_FILE,
        Type.STRING,
        null,
        Importance.LOW,
        TLS_CA_FILE_DOC,
        GROUP,
        ++order,
        Width.LONG,
        "ClickHouse TLS CA file");
    def.define(
        TLS_CLIENT_CERT_FILE,
        Type.STRING,
        null,
        Importance.LOW,
        TLS_CLIENT_CERT_FILE_DOC,
        GROUP,
        ++order,
        Width.LONG,
        "ClickHouse TLS client certificate file");
    def.define(
        TLS_CLIENT_KEY_FILE,
        Type.STRING,
        null,
        Importance.LOW,
        TLS_CLIENT_KEY_FILE_DOC,
        GROUP,
        ++order,
        Width.LONG,
        "ClickHouse TLS client key file");
  }

  /** The ClickHouse settings of {@code values}, entries kept {@code ttlDays} (0: forever). */
  static ClickHouseSettings settings(ConfigValues values, int ttlDays) {
    String url =
        values
            .optional(URL)
            .orElseThrow(
                () ->
                    new ConfigException(
                        URL,
                        null,
                        "must be set when clickhouse is the index backend or a secondary"));
    try {
      return new ClickHouseSettings(
          URI.create(url),
          values.config().getString(DATABASE),
          values.config().getString(TABLE),
          values.config().getString(USER),
          values.password(PASSWORD).orElse(null),
          ttlDays,
          TlsFiles.caFile(values, TLS_CA_FILE),
          TlsFiles.clientIdentity(values, TLS_CLIENT_CERT_FILE, TLS_CLIENT_KEY_FILE));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "Invalid ClickHouse index settings ("
              + URL
              + ", "
              + TLS_CA_FILE
              + ", "
              + DATABASE
              + ", "
              + TABLE
              + "): "
              + e.getMessage());
    }
  }

  /**
   * Adds the problems between the ClickHouse keys, ClickHouse being an index, to {@code errors}.
   */
  static void addCrossKeyErrors(ConfigValues values, Map<String, List<String>> errors) {
    if (values.optional(URL).isEmpty()) {
      KeyErrors.add(
          errors,
          "clickhouse is an index but " + URL + " is not set",
          IndexConfig.BACKEND,
          IndexConfig.SECONDARY,
          URL);
    }
    TlsSettingChecks.checkCaFile(
        errors, TLS_CA_FILE, values.optional(TLS_CA_FILE), URL, values.optional(URL), "https");
    TlsSettingChecks.checkClientFiles(
        errors, values, TLS_CLIENT_CERT_FILE, TLS_CLIENT_KEY_FILE, URL, "https");
  }
}
