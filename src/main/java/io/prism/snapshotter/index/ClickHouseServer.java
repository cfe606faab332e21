package io.prism.snapshotter.index;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.command.CommandSettings;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prism.snapshotter.util.HttpHeaderLogging;
import io.prism.snapshotter.util.TlsFailures;
import io.prism.snapshotter.util.TlsProbe;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The ClickHouse server of an index, as the index talks to it: statements, queries and inserts over
 * clickhouse-java's client-v2, each bounded in time, and failures that say what could not be done
 * where. 18.16's traps (see NOTES-services): compressed responses crash it, so compression is off;
 * errors in the middle of a result arrive with status 200 unless {@code wait_end_of_query=1}.
 */
final class ClickHouseServer implements AutoCloseable {
  /** How long a statement or query may take, unless it says otherwise. */
  static final long TIMEOUT_SECONDS = 60;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HTTPS = "https";

  private final ClickHouseSettings settings;
  private final Client client;

  /**
   * Set once the index is open: from then on a failure over https that may be a refused client
   * certificate is checked by a handshake of the index's own (open checks its first failure
   * itself).
   */
  private volatile boolean opened;

  private ClickHouseServer(ClickHouseSettings settings, Client client) {
    this.settings = settings;
    this.client = client;
  }

  /** A client for the server {@code settings} name; nothing is sent yet. */
  static ClickHouseServer connect(ClickHouseSettings settings) {
    Client.Builder builder =
        new Client.Builder()
            .addEndpoint(settings.url().toString())
            .setUsername(
                settings.user() == null || settings.user().isBlank() ? "default" : settings.user())
            .setPassword(
                settings.password() == null || settings.password().value() == null
                    ? ""
                    : settings.password().value())
            .compressServerResponse(false)
            .compressClientRequest(false)
            .useHttpCompression(false)
            .serverSetting("wait_end_of_query", "1")
            .setConnectTimeout(5, ChronoUnit.SECONDS)
            .setSocketTimeout(TIMEOUT_SECONDS, ChronoUnit.SECONDS);
    if (settings.password() != null && settings.password().value() != null) {
      HttpHeaderLogging.warnIfCredentialsWouldBeLogged(
          "the ClickHouse index", "the user and password (index.clickhouse.password)");
    }
    if (settings.tlsCa() != null) {
      builder.setRootCertificate(settings.tlsCa().path().toString());
    }
    if (settings.tlsClient() != null) {
      builder
          .setClientCertificate(settings.tlsClient().certificateFile().toString())
          .setClientKey(settings.tlsClient().keyFile().toString());
    }
    return new ClickHouseServer(settings, builder.build());
  }

  /** The index is open: see {@link #failure}. */
  void opened() {
    opened = true;
  }

  boolean overHttps() {
    return HTTPS.equals(settings.url().getScheme());
  }

  /** {@code clickhouse <url> <database.table>}. */
  String describe() {
    return "clickhouse " + settings.url() + " " + settings.qualifiedTable();
  }

  void execute(String sql) {
    execute(sql, TIMEOUT_SECONDS);
  }

  /**
   * Runs a statement; {@code seconds} longer than the client's socket timeout raises it for this
   * one.
   */
  void execute(String sql, long seconds) {
    CommandSettings command = new CommandSettings();
    command.setNetworkTimeout(seconds, ChronoUnit.SECONDS);
    try {
      client.execute(sql, command).get(seconds, TimeUnit.SECONDS).close();
    } catch (Exception e) {
      throw failure("run " + firstWords(sql), e, seconds);
    }
  }

  /** The rows {@code sql} answers; {@code what} names the query in a failure. */
  List<JsonNode> query(String sql, String what) {
    QuerySettings querySettings = new QuerySettings().setFormat(ClickHouseFormat.JSONEachRow);
    try (QueryResponse response =
            client
                .query(sql + " FORMAT JSONEachRow", querySettings)
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        MappingIterator<JsonNode> rows =
            JSON.readerFor(JsonNode.class).readValues(response.getInputStream())) {
      return rows.readAll();
    } catch (Exception e) {
      throw failure(what, e);
    }
  }

  /** The one value of the one row {@code sql} answers. */
  String queryScalar(String sql) {
    List<JsonNode> rows = query(sql, "query " + firstWords(sql));
    if (rows.size() != 1 || rows.get(0).size() != 1) {
      throw new IndexException(
          "ClickHouse at " + settings.url() + " answered " + rows + " to " + sql);
    }
    return rows.get(0).elements().next().asText();
  }

  /** Inserts {@code count} rows of JSONEachRow into {@code into}. */
  void insert(String into, byte[] rows, int count) {
    try (InputStream body = new ByteArrayInputStream(rows)) {
      client
          .insert(into, body, ClickHouseFormat.JSONEachRow)
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
          .close();
    } catch (Exception e) {
      throw failure("publish " + count + " entries into " + into, e);
    }
  }

  @Override
  public void close() {
    client.close();
  }

  private IndexException failure(String what, Exception e) {
    return failure(what, e, TIMEOUT_SECONDS);
  }

  /**
   * The index's failure to do {@code what}. Over https, a connection the server closed may be a
   * server restarting or one that now asks for a client certificate this index does not give (or
   * refuses the one it gives: TLS 1.3 closes after the handshake, and the client often says only
   * "Query request failed"); once the index is open, one handshake of its own ({@link TlsProbe})
   * tells them apart, so the failure names the setting to fix instead of reading as an outage. It
   * is retried either way (the server may be changed back).
   */
  private IndexException failure(String what, Exception e, long seconds) {
    IndexException failure = plainFailure(what, e, seconds);
    if (!opened || !overHttps() || !Unreachable.closedByServer(e)) {
      return failure;
    }
    return certificateProblem(failure.getMessage())
        .map(problem -> new IndexException(prefix(what) + problem, failure.getCause()))
        .orElse(failure);
  }

  /**
   * What one handshake of the index's own says of a connection the server closed with {@code
   * closedWith}: a client certificate missing or refused, or nothing.
   */
  Optional<String> certificateProblem(String closedWith) {
    return TlsProbe.clientCertificateProblem(
        settings.url(),
        settings.tlsCa(),
        settings.tlsClient(),
        ClickHouseSettings.TLS_CLIENT_CERT_SETTING,
        ClickHouseSettings.TLS_CLIENT_KEY_SETTING,
        closedWith);
  }

  private IndexException plainFailure(String what, Exception e, long seconds) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    String reason =
        cause instanceof TimeoutException
            ? "no answer in " + seconds + " s"
            : TlsFailures.explain(
                    cause,
                    ClickHouseSettings.TLS_CA_SETTING,
                    ClickHouseSettings.TLS_CLIENT_CERT_SETTING)
                .orElse(String.valueOf(cause.getMessage()));
    return new IndexException(prefix(what) + reason, cause);
  }

  private String prefix(String what) {
    return "Cannot "
        + what
        + " in clickhouse "
        + settings.url()
        + " "
        + settings.qualifiedTable()
        + ": ";
  }

  private static String firstWords(String sql) {
    return sql.length() <= 40 ? sql : sql.substring(0, 40) + "...";
  }

  /** Waits between polls of the server; interrupted, the index call fails. */
  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IndexException("Interrupted while waiting for ClickHouse");
    }
  }
}
