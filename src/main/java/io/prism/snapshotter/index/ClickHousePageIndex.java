package io.prism.snapshotter.index;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.command.CommandSettings;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prism.snapshotter.util.HttpHeaderLogging;
import io.prism.snapshotter.util.TlsFailures;
import io.prism.snapshotter.util.TlsProbe;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ClickHouse index (the RFC's {@code timeseries_basic}), over HTTP with clickhouse-java's
 * client-v2, in SQL that both Debian's ClickHouse 18.16 and current servers accept.
 *
 * <p>The table is a {@code ReplacingMergeTree} ordered by (writer, start time, sequence, page key)
 * and partitioned by month: a re-published page is a duplicate row until a merge, so queries read
 * {@code FINAL}. Times are kept in milliseconds ({@code *_ms}, Int64) with second-precision {@code
 * DateTime} columns materialized beside them for partitioning, TTL and people's SQL, clamped to
 * 1970..2100 ({@link #dateTimeOf}).
 *
 * <p>A companion table {@code <table>_by_offset} holds the same rows ordered by (topic, partition,
 * last offset, page key), for {@link #entriesFromOffset}: on the main table that lookup scans every
 * row (its sort key is writer and time), and a task asks it for every partition it takes over or
 * gives up, while the group's rebalance waits. See {@link #fillCompanion}.
 *
 * <p>The writer spans {@code <table>_spans}, fed by a materialized view, bound a time-range query
 * below by {@code from - the writer's longest page}: see {@link ClickHouseWriterSpans}, {@link
 * #keepSpans} and {@link #entriesSql}.
 *
 * <p>{@link #openForReading} (replay, pages list, check --read-only) sends no DDL and no INSERT, so
 * a user of ClickHouse's {@code readonly=1} can read a table whose companion or spans an older
 * version left missing.
 *
 * <p>18.16's traps (see NOTES-services): compressed responses crash it, so compression is off; it
 * has no query parameters, so values are literals from {@link ClickHouseSql}; errors in the middle
 * of a result arrive with status 200 unless {@code wait_end_of_query=1}.
 */
public final class ClickHousePageIndex implements PageIndex {
  private static final Logger log = LoggerFactory.getLogger(ClickHousePageIndex.class);

  /** The TTL clause this index writes ({@link #tableDdl}), as system.tables shows it. */
  private static final Pattern TTL_DAYS =
      Pattern.compile("TTL\\s+end_time\\s*\\+\\s*toIntervalDay\\((\\d+)\\)");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_SECONDS = 60;
  private static final String HTTPS = "https";

  /** Page keys per removal statement, in characters: well under 18.16's 256 KiB max_query_size. */
  static final int REMOVE_SQL_CHARS = 100_000;

  /** 1970-01-01T00:00:00Z, where DateTime starts. */
  static final long DATE_TIME_MIN_SECONDS = 0;

  /**
   * 2100-01-01T00:00:00Z: DateTime ends in 2106 (UInt32 seconds), and 18.16's date tables in 2105
   * (a later time prints and partitions as 1970); the years left keep {@code end_time + TTL} from
   * wrapping for a TTL of up to five years.
   */
  static final long DATE_TIME_MAX_SECONDS = 4_102_444_800L;

  /** The companion table's name is the main table's plus this. */
  static final String BY_OFFSET_SUFFIX = "_by_offset";

  /** How long copying one month of the main table into the companion may take. */
  private static final long FILL_TIMEOUT_SECONDS = 600;

  static final String COLUMNS =
      "page_key, writer_id, page_sequence, start_time_ms, end_time_ms, event_count, page_size_bytes, "
          + "storage_size_bytes, format, compression, topic, kafka_partition, first_offset, last_offset";

  private final ClickHouseSettings settings;
  private final Client client;
  private final String table;

  /** {@code <table>_by_offset}: the same rows, ordered for {@link #entriesFromOffset}. */
  private final String byOffset;

  /** {@code <table>_spans} and the view that feeds it: see {@link ClickHouseWriterSpans}. */
  private final String spans;

  private final String spansFeed;

  /**
   * Opened by {@link #openForReading}: no DDL and no INSERT, whatever is missing; what a missing or
   * unfilled table would have answered is read from the main table instead.
   */
  private final boolean readOnly;

  /** Whether time-range queries are bounded below by the writer's longest span. */
  private volatile boolean spansKept;

  /**
   * Whether the main table's {@code start_time} is {@link #dateTimeOf} its milliseconds, clamped
   * (tables made since 2026-11-27), so that the span's bound can be put on it too and the server
   * skips the months before it by their partitions' min/max. Unclamped, a far time wrapped round
   * and could sit below the bound.
   */
  private volatile boolean startTimeClamped;

  /**
   * Whether {@link #entriesFromOffset} reads the companion: false only for a reader whose companion
   * is missing or lacks months of the main table (it cannot create or fill it).
   */
  private volatile boolean companionKept = true;

  /** Set once the server's version is known and the table exists; until then every call tries. */
  private volatile boolean ready;

  private boolean serverTtl;

  /**
   * Set once {@link #open} returns: from then on a failure over https that may be a refused client
   * certificate is checked by a handshake of the index's own (open checks its first failure
   * itself).
   */
  private volatile boolean opened;

  /** Whether the main table's own TTL clause expires entries after {@code index.ttl.days}. */
  private boolean tableTtlMatches;

  private ClickHousePageIndex(ClickHouseSettings settings, Client client, boolean readOnly) {
    this.settings = settings;
    this.client = client;
    this.readOnly = readOnly;
    this.table = settings.qualifiedTable();
    this.byOffset = settings.qualifiedTable() + BY_OFFSET_SUFFIX;
    this.spans = settings.qualifiedTable() + ClickHouseWriterSpans.SPANS_SUFFIX;
    this.spansFeed = settings.qualifiedTable() + ClickHouseWriterSpans.VIEW_SUFFIX;
  }

  /**
   * Connects, and creates the database and table when missing. A server that cannot be reached now
   * is not an error here: a Connect task must not stay FAILED because ClickHouse was down when it
   * started (the chaos run saw exactly that). The set-up is then done by the first call that
   * reaches the server, and until then each call fails with an {@link IndexException} that the sink
   * retries like any index outage. Any other failure (a wrong password, a bad table name) is still
   * thrown at once.
   */
  public static ClickHousePageIndex open(ClickHouseSettings settings) {
    return open(settings, false);
  }

  /**
   * Opens an index the sink created, for a command that only reads it (replay, {@code pages list},
   * {@code check --read-only}), as a user that may only read ({@code readonly=1}): no DDL and no
   * INSERT, not even for tables that are missing. The main table must exist (else an {@link
   * IndexException} saying so); a missing or incomplete companion is replaced by a scan of the main
   * table, missing writer spans by time-range queries unbounded below.
   */
  public static ClickHousePageIndex openForReading(ClickHouseSettings settings) {
    return open(settings, true);
  }

  private static ClickHousePageIndex open(ClickHouseSettings settings, boolean readOnly) {
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
    Client client = builder.build();
    ClickHousePageIndex index = new ClickHousePageIndex(settings, client, readOnly);
    try {
      index.ensureReady();
    } catch (IndexException e) {
      if (!Unreachable.causeOf(e)) {
        client.close();
        throw e;
      }
      Optional<String> certificateProblem =
          HTTPS.equals(settings.url().getScheme())
              ? index.certificateProblem(e.getMessage())
              : Optional.empty();
      if (certificateProblem.isPresent()) {
        // A setting to fix, which no retry heals: fail at start, as a refused server CA does.
        client.close();
        throw new IndexException(
            "Cannot connect to " + index.describe() + ": " + certificateProblem.get(), e);
      }
      log.warn(
          "ClickHouse index {} cannot be reached now; its table is checked on first use: {}",
          index.describe(),
          e.getMessage());
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    index.opened = true;
    return index;
  }

  /** Reads the server's version and creates the table, once. */
  private void ensureReady() {
    if (ready) {
      return;
    }
    synchronized (this) {
      if (!ready) {
        String version = queryScalar("SELECT version()");
        serverTtl = supportsTtl(version);
        if (readOnly) {
          findTables(version);
        } else {
          createTable(version);
        }
        ready = true;
      }
    }
  }

  /** TTL clauses arrived in ClickHouse 19.6. */
  static boolean supportsTtl(String version) {
    String[] parts = version.trim().split("\\.");
    try {
      int major = Integer.parseInt(parts[0]);
      int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      return major > 19 || (major == 19 && minor >= 6);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Whether the server drops old entries itself (a TTL clause); else call {@link #expireBefore} on
   * a schedule. False while the server has not been reached: a scheduled delete is then harmless
   * even if the table turns out to have a TTL.
   */
  public boolean serverExpiresEntries() {
    return ready && tableTtlMatches && settings.ttlDays() > 0;
  }

  private void createTable(String version) {
    // Only what is missing: a reading user (replay months later, readonly=1 or 2) may not run any
    // DDL, not even CREATE ... IF NOT EXISTS on tables that exist.
    Set<String> existing = existingTables();
    boolean tableExisted = existing.contains(settings.table());
    tableTtlMatches =
        serverTtl
            && settings.ttlDays() > 0
            && (!tableExisted || existingTableExpiresAsConfigured());
    if (!tableExisted) {
      execute("CREATE DATABASE IF NOT EXISTS " + settings.database());
      execute(
          tableDdl(
              table,
              " PARTITION BY toYYYYMM(start_time)",
              "writer_id, start_time_ms, page_sequence, page_key"));
    }
    if (!existing.contains(settings.table() + BY_OFFSET_SUFFIX)) {
      execute(tableDdl(byOffset, "", "topic, kafka_partition, last_offset, page_key"));
    }
    fillCompanion();
    spansKept = keepSpans(existing);
    startTimeClamped = spansKept && tableStartTimeIsClamped();
    log.info(
        "ClickHouse page index {} on server {}{}",
        describe(),
        version,
        settings.ttlDays() == 0
            ? ""
            : tableTtlMatches
                ? " (TTL " + settings.ttlDays() + " days)"
                : " (TTL by scheduled delete)");
  }

  /**
   * Whether the main table, made before this start, has the TTL clause {@code index.ttl.days} asks
   * for: tables are created once, so setting or changing it later changes no table. When it does
   * not, the task's scheduled delete expires entries instead, and the log says how to let the
   * server do it.
   */
  private boolean existingTableExpiresAsConfigured() {
    OptionalInt days;
    try {
      List<JsonNode> rows =
          query(
              "SELECT engine_full FROM system.tables WHERE database = '"
                  + settings.database()
                  + "' AND name = '"
                  + settings.table()
                  + "'",
              "read the index table's TTL");
      days =
          rows.isEmpty() ? OptionalInt.empty() : ttlDaysOf(rows.get(0).get("engine_full").asText());
    } catch (IndexException e) {
      days = OptionalInt.empty();
    }
    if (days.isPresent() && days.getAsInt() == settings.ttlDays()) {
      return true;
    }
    log.warn(
        "ClickHouse index table {} {}, not index.ttl.days={}: the task deletes older entries itself "
            + "(an hourly DELETE). To let the server expire them: ALTER TABLE {} MODIFY TTL end_time + "
            + "toIntervalDay({}), and the same for {}",
        table,
        days.isPresent()
            ? "expires entries " + days.getAsInt() + " days after their page ended"
            : "has no TTL clause of its own (created before index.ttl.days was set, or on a server before 19.6)",
        settings.ttlDays(),
        table,
        settings.ttlDays(),
        byOffset);
    return false;
  }

  /** The days of a {@code TTL end_time + toIntervalDay(N)} clause in a table's engine_full. */
  static OptionalInt ttlDaysOf(String engineFull) {
    Matcher matcher = TTL_DAYS.matcher(engineFull);
    return matcher.find()
        ? OptionalInt.of(Integer.parseInt(matcher.group(1)))
        : OptionalInt.empty();
  }

  /**
   * {@code CREATE TABLE IF NOT EXISTS} for the main table or its companion: the same columns,
   * engine and TTL, partitioned and ordered as given.
   */
  private String tableDdl(String name, String partitionBy, String orderBy) {
    String ttl =
        serverTtl && settings.ttlDays() > 0
            ? " TTL end_time + toIntervalDay(" + settings.ttlDays() + ")"
            : "";
    return "CREATE TABLE IF NOT EXISTS "
        + name
        + " ("
        + "page_key String, writer_id String, page_sequence Int64, start_time_ms Int64, end_time_ms Int64, "
        + "event_count Int64, page_size_bytes Int64, storage_size_bytes Int64, format String, compression String, "
        + "topic String, kafka_partition Int32, first_offset Int64, last_offset Int64, "
        + "start_time DateTime('UTC') MATERIALIZED "
        + dateTimeOf("start_time_ms")
        + ", end_time DateTime('UTC') MATERIALIZED "
        + dateTimeOf("end_time_ms")
        + ") ENGINE = ReplacingMergeTree()"
        + partitionBy
        + " ORDER BY ("
        + orderBy
        + ")"
        + ttl;
  }

  /**
   * The DateTime of a millisecond column, clamped to {@link #DATE_TIME_MIN_SECONDS}..{@link
   * #DATE_TIME_MAX_SECONDS}. Unclamped, a time outside DateTime's range wrapped round (UInt32
   * seconds): microseconds sent as milliseconds became a plausible date in 2080, a time before 1970
   * one in 2106, so the row landed in the wrong month, a server TTL ({@code end_time + N days})
   * could delete it at once, and people's SQL on these columns found it at the wrong time. The
   * index's own queries use the exact {@code *_ms} columns.
   */
  static String dateTimeOf(String millisColumn) {
    return "toDateTime(greatest("
        + DATE_TIME_MIN_SECONDS
        + ", least(intDiv("
        + millisColumn
        + ", 1000), "
        + DATE_TIME_MAX_SECONDS
        + ")), 'UTC')";
  }

  /**
   * Which of the index's tables (main, companion, spans and the view feeding them) exist (names
   * validated by ClickHouseSettings: no quoting needed).
   */
  private Set<String> existingTables() {
    Set<String> names = new HashSet<>();
    String name = settings.table();
    for (JsonNode row :
        query(
            "SELECT name FROM system.tables WHERE database = '"
                + settings.database()
                + "' AND name IN ('"
                + String.join(
                    "', '",
                    name,
                    name + BY_OFFSET_SUFFIX,
                    name + ClickHouseWriterSpans.SPANS_SUFFIX,
                    name + ClickHouseWriterSpans.VIEW_SUFFIX)
                + "')",
            "look for the index tables")) {
      names.add(row.get("name").asText());
    }
    return names;
  }

  /**
   * Creates {@code <table>_by_offset}, and copies into it each month of the main table it holds no
   * row of: all of them for a deployment whose table predates the companion, none after that
   * (checked only when the companion holds under 99% of the main table's rows).
   *
   * <p>It holds whole rows, not just keys: the lookup is then one range of one sorted table. Keys
   * only, then the rows from the main table by its sort key ({@code (writer_id, start_time_ms,
   * page_sequence, page_key) IN (...)}), took 160 to 730 ms over 20 million entries on 18.16, whose
   * {@code IN} does not narrow the read to the keys' granules; whole rows 4 to 14 ms. It is a
   * {@code ReplacingMergeTree} like the main table, with the same TTL, and {@link #remove} and
   * {@link #expireBefore} run the same mutations on it, so it keeps the same rows. It is not
   * partitioned: a lookup reads at least one granule (8192 rows) of every part, and monthly
   * partitions would make that one per month kept (20 million entries on 18.16: 433 ms when they
   * span 300 months; 5 ms over three months partitioned, 3 ms not).
   *
   * <p>A page published twice is two rows until a merge; the lookup drops the copies itself ({@code
   * LIMIT 1 BY page_key}, as the scan of the main table did) rather than reading {@code FINAL},
   * which on 18.16 merges in one thread every part the range touches. That is also why a copy made
   * twice (two tasks opening at once, or a publish landing between the check and the copy) is
   * harmless: its rows are such duplicates. Copying by month rather than only when the companion is
   * empty also picks up again after a copy that failed part way (a timeout, a crash) at the next
   * open, from the first month it had not reached.
   */
  private void fillCompanion() {
    Map<String, Long> mainMonths = monthsMissingFromCompanion();
    if (mainMonths.isEmpty()) {
      return;
    }
    long rows = sum(mainMonths);
    log.info(
        "ClickHouse page index {}: copying {} rows of {} (months {}) into {}, which holds none of them",
        describe(),
        rows,
        table,
        mainMonths.keySet(),
        byOffset);
    long started = System.nanoTime();
    for (String month : mainMonths.keySet()) {
      if (!month.matches("[0-9]{6}")) { // a table partitioned by hand otherwise
        log.warn(
            "ClickHouse page index {}: cannot copy partition '{}' of {} into {}: it is not a month; until it"
                + " is copied by hand (INSERT INTO {} ({}) SELECT {} FROM {}), lookups by offset miss its pages and"
                + " records of them may be stored twice",
            describe(),
            month,
            table,
            byOffset,
            byOffset,
            COLUMNS,
            COLUMNS,
            table);
        continue;
      }
      // Month by month (the main table's partitions): each statement has a bounded amount of work.
      execute(
          "INSERT INTO "
              + byOffset
              + " ("
              + COLUMNS
              + ") SELECT "
              + COLUMNS
              + " FROM "
              + table
              + " WHERE toYYYYMM(start_time) = "
              + month,
          FILL_TIMEOUT_SECONDS);
    }
    log.info(
        "ClickHouse page index {}: copied {} rows into {} in {} ms",
        describe(),
        rows,
        byOffset,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  /**
   * The months of the main table (partitions, with their rows) of which the companion holds no row:
   * all of them for a table that predates the companion, none once it is filled.
   */
  private Map<String, Long> monthsMissingFromCompanion() {
    // Row counts and the main table's months come from the parts' metadata (no scan); the
    // companion's months need a scan of its start_time column (0.15 to 0.3 s over 20 million rows),
    // as it is not partitioned, so they are read only when the companion holds clearly fewer rows.
    // Both tables get the same inserts and deletes; their counts differ by the copies of pages
    // published twice that a merge has not yet replaced, in one table or the other.
    Map<String, Long> mainMonths = partRows(settings.table());
    long mainRows = sum(mainMonths);
    long companionRows = sum(partRows(settings.table() + BY_OFFSET_SUFFIX));
    if (mainRows == 0 || companionRows >= mainRows * 0.99) {
      return new TreeMap<>();
    }
    for (JsonNode row :
        query(
            "SELECT DISTINCT toString(toYYYYMM(start_time)) AS month FROM " + byOffset,
            "list the months of " + byOffset)) {
      mainMonths.remove(row.get("month").asText());
    }
    return mainMonths;
  }

  /**
   * Makes the writer spans ({@link ClickHouseWriterSpans}) where missing, and fills them from the
   * rows inserted before the view existed. They only make queries read fewer rows: where they
   * cannot be made or filled (a user without CREATE, a partition that is not a month, a timeout)
   * the index still opens, with one WARN, and its time-range queries read each writer's pages from
   * the first, as before the spans; the next open tries again. Only an unreachable server fails the
   * set-up, to be retried by the next call.
   */
  private boolean keepSpans(Set<String> existing) {
    try {
      if (!existing.contains(settings.table() + ClickHouseWriterSpans.SPANS_SUFFIX)) {
        execute(ClickHouseWriterSpans.tableDdl(spans));
      }
      long viewCreated = 0;
      if (!existing.contains(settings.table() + ClickHouseWriterSpans.VIEW_SUFFIX)) {
        viewCreated = System.nanoTime();
        execute(ClickHouseWriterSpans.viewDdl(spansFeed, spans, table));
      }
      if (spansFilled()) {
        return true;
      }
      if (viewCreated != 0) {
        awaitInsertsStartedBefore(viewCreated);
      }
      return fillSpans();
    } catch (IndexException e) {
      if (Unreachable.causeOf(e)) {
        throw e;
      }
      log.warn(
          "ClickHouse page index {}: cannot keep the writer spans ({} fed by {}): {}. Its time-range"
              + " queries read each writer's pages from the first, until it is opened again and"
              + " they are made and filled",
          describe(),
          spans,
          spansFeed,
          e.getMessage());
      return false;
    }
  }

  /** Whether the main table's start_time is the clamped expression this version creates. */
  private boolean tableStartTimeIsClamped() {
    List<JsonNode> rows;
    try {
      rows =
          query(
              "SELECT default_expression FROM system.columns WHERE database = "
                  + ClickHouseSql.quote(settings.database())
                  + " AND table = "
                  + ClickHouseSql.quote(settings.table())
                  + " AND name = 'start_time'",
              "read the expression of " + table + ".start_time");
    } catch (IndexException e) {
      if (Unreachable.causeOf(e)) {
        throw e;
      }
      return false; // only an optimisation
    }
    return rows.size() == 1
        && rows.get(0)
            .get("default_expression")
            .asText()
            .replace(" ", "")
            .equals(dateTimeOf("start_time_ms").replace(" ", ""));
  }

  private boolean spansFilled() {
    return "1"
        .equals(
            queryRows(ClickHouseWriterSpans.isFilled(spans), "read the span mark")
                .get(0)
                .get("filled")
                .asText());
  }

  /**
   * Waits until no INSERT into the main table that may have started before the view is running.
   * ClickHouse fixes the views of an INSERT when it starts: such an insert's rows reach no view,
   * and, committed after the fill has read their month, not the fill either (a task of an older
   * version publishing during the upgrade). Bounded by the time a publish may take.
   */
  private void awaitInsertsStartedBefore(long viewCreatedNanos) {
    String running =
        "SELECT count() AS running FROM system.processes WHERE positionCaseInsensitive(query,"
            + " 'INSERT INTO') > 0 AND position(query, "
            + ClickHouseSql.quote(table)
            + ") > 0 AND positionCaseInsensitive(query, 'system.processes') = 0 AND elapsed >= ";
    long deadline = viewCreatedNanos + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (true) {
      // Milliseconds, rounded down (no exponent, as Double.toString writes for small values).
      String age =
          String.format(
              Locale.ROOT, "%.3f", (System.nanoTime() - viewCreatedNanos) / 1_000_000 / 1000.0);
      if (Long.parseLong(queryScalar(running + age)) == 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IndexException(
            "an INSERT into "
                + table
                + " begun before "
                + spansFeed
                + " was created is still running after "
                + TIMEOUT_SECONDS
                + " s");
      }
      sleep(100);
    }
  }

  /**
   * Records the spans of each month of the main table not filled yet (all of them, the first time;
   * after a fill that failed part way, those it had not reached), then the mark that the fill is
   * complete. The view already runs, so a page inserted meanwhile is in the view's rows, the fill's
   * or both; a row recorded twice changes no maximum.
   */
  private boolean fillSpans() {
    Map<String, Long> months = partRows(settings.table());
    for (JsonNode row :
        query(ClickHouseWriterSpans.filledMonths(spans), "list the months of " + spans)) {
      months.remove(row.get("month").asText());
    }
    for (String month : months.keySet()) {
      if (!month.matches("[0-9]{6}")) { // a table partitioned by hand otherwise
        throw new IndexException(
            "partition '" + month + "' of " + table + " is not a month, to be filled one by one");
      }
    }
    long started = System.nanoTime();
    for (String month : months.keySet()) {
      execute(ClickHouseWriterSpans.fillMonth(spans, table, month), FILL_TIMEOUT_SECONDS);
    }
    execute(ClickHouseWriterSpans.markFilled(spans));
    if (!months.isEmpty()) {
      log.info(
          "ClickHouse page index {}: recorded the longest page span of each writer in {} rows of {}"
              + " (months {}) in {}, in {} ms",
          describe(),
          sum(months),
          table,
          months.keySet(),
          spans,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
    return true;
  }

  /**
   * {@link #openForReading}'s set-up: which tables are there, and what to read where one is missing
   * or not filled. Creates and inserts nothing.
   */
  private void findTables(String version) {
    Set<String> existing = existingTables();
    if (!existing.contains(settings.table())) {
      throw new IndexException(
          "Cannot read clickhouse "
              + settings.url()
              + " "
              + table
              + ": the table does not exist (no page was ever indexed there; check"
              + " index.clickhouse.database and index.clickhouse.table, or give the --config the"
              + " connector runs with)");
    }
    companionKept =
        existing.contains(settings.table() + BY_OFFSET_SUFFIX)
            && monthsMissingFromCompanion().isEmpty();
    spansKept =
        existing.contains(settings.table() + ClickHouseWriterSpans.SPANS_SUFFIX)
            && existing.contains(settings.table() + ClickHouseWriterSpans.VIEW_SUFFIX)
            && spansFilled();
    startTimeClamped = spansKept && tableStartTimeIsClamped();
    log.info(
        "ClickHouse page index {} on server {}, read only{}{}",
        describe(),
        version,
        companionKept
            ? ""
            : "; offset lookups scan " + table + ", as " + byOffset + " is missing or not filled",
        spansKept
            ? ""
            : "; time-range queries read each writer's pages from the first, as "
                + spans
                + " is missing or not filled (the sink's next start makes them)");
  }

  private static long sum(Map<String, Long> rows) {
    return rows.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Rows per partition of a table of the index's database, from its active parts; none if it is
   * empty.
   */
  private Map<String, Long> partRows(String name) {
    Map<String, Long> rows = new TreeMap<>();
    for (JsonNode row :
        query(
            "SELECT partition, sum(rows) AS n FROM system.parts WHERE database = "
                + ClickHouseSql.quote(settings.database())
                + " AND table = "
                + ClickHouseSql.quote(name)
                + " AND active GROUP BY partition HAVING n > 0",
            "list the parts of " + settings.database() + "." + name)) {
      rows.put(row.get("partition").asText(), row.get("n").asLong());
    }
    return rows;
  }

  /**
   * Writes the main table, then the companion: if the second insert fails, the publish fails and is
   * retried, and meanwhile the companion lacks the entry, which costs at most records stored twice;
   * never the other way round (a page the lookup lists but the index does not).
   */
  @Override
  public void publish(List<IndexEntry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    ensureReady();
    byte[] rows = jsonEachRow(entries);
    insert(table, rows, entries.size());
    insert(byOffset, rows, entries.size());
  }

  private void insert(String into, byte[] rows, int count) {
    try (InputStream body = new ByteArrayInputStream(rows)) {
      client
          .insert(into, body, ClickHouseFormat.JSONEachRow)
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
          .close();
    } catch (Exception e) {
      throw failure("publish " + count + " entries into " + into, e);
    }
  }

  private static byte[] jsonEachRow(List<IndexEntry> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(entries.size() * 300);
    try (JsonGenerator gen = new JsonFactory().createGenerator(out)) {
      for (IndexEntry e : entries) {
        gen.writeStartObject();
        gen.writeStringField("page_key", e.pageKey());
        gen.writeStringField("writer_id", e.writerId());
        gen.writeNumberField("page_sequence", e.pageSequence());
        gen.writeNumberField("start_time_ms", e.startTime());
        gen.writeNumberField("end_time_ms", e.endTime());
        gen.writeNumberField("event_count", e.eventCount());
        gen.writeNumberField("page_size_bytes", e.pageSizeBytes());
        gen.writeNumberField("storage_size_bytes", e.storageSizeBytes());
        gen.writeStringField("format", e.format());
        gen.writeStringField("compression", e.compression());
        gen.writeStringField("topic", e.topic());
        gen.writeNumberField("kafka_partition", e.partition());
        gen.writeNumberField("first_offset", e.firstOffset());
        gen.writeNumberField("last_offset", e.lastOffset());
        gen.writeEndObject();
        gen.writeRaw('\n');
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON rows", e);
    }
    return out.toByteArray();
  }

  @Override
  public List<IndexEntry> entries(String writerId, TimeRange range) {
    ensureReady();
    List<IndexEntry> entries = new ArrayList<>();
    for (JsonNode row : query(entriesSql(writerId, range), "query the pages of a writer")) {
      entries.add(entryOf(row));
    }
    return entries;
  }

  /**
   * The query of {@link #entries}: the writer's rows from {@code from - its longest span} (where
   * the spans are kept) to the range's end, so a recent range reads the recent granules, not the
   * writer's whole history.
   */
  String entriesSql(String writerId, TimeRange range) {
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(COLUMNS)
            .append(" FROM ")
            .append(table)
            .append(" FINAL WHERE writer_id = ")
            .append(ClickHouseSql.quote(writerId));
    if (spansKept && range.fromMillis() != Long.MIN_VALUE) {
      String lowestStart = ClickHouseWriterSpans.lowestStart(spans, writerId, range.fromMillis());
      sql.append(" AND start_time_ms >= ").append(lowestStart);
      if (startTimeClamped) { // also on the partition key: earlier months are not read at all
        sql.append(" AND start_time >= ").append(dateTimeOf(lowestStart));
      }
    }
    // Open ends are left out: Int64's minimum is not a literal ClickHouse reads as Int64.
    if (!range.openEnded()) {
      sql.append(" AND start_time_ms < ").append(range.toMillis());
    }
    if (range.fromMillis() != Long.MIN_VALUE) {
      sql.append(" AND end_time_ms >= ").append(range.fromMillis());
    }
    return sql.append(" ORDER BY start_time_ms, page_sequence, page_key").toString();
  }

  /** Whether time-range queries are bounded below by the writers' spans (for tests). */
  boolean spansKept() {
    return spansKept;
  }

  /** Whether that bound is put on the partition key too (for tests). */
  boolean startTimeClamped() {
    return startTimeClamped;
  }

  /**
   * Reads one time window of the writer's rows per query: 18.16 cannot stop a {@code FINAL} read
   * early, so a keyset query with only a lower bound would read the writer's whole remaining
   * history for every batch (a walk over N entries would read N^2 / limit rows). The first batch
   * asks the writer's first and last start time and its row count (one column, once), and guesses a
   * window of about {@code limit} rows; the cursor keeps the window. A window that fills a batch at
   * once is halved for the next; one that does not is followed, in the same call, by the next one,
   * twice as wide, until the batch is full or the window passes the writer's last start time (that
   * last window has no upper bound, so entries published since the walk began are met too).
   */
  @Override
  public EntryPage entryPage(String writerId, EntryCursor from, int limit) {
    EntryPage.requirePositive(limit);
    ensureReady();
    IndexEntry after = from.lastEntry();
    long lo;
    long window;
    long lastStart;
    if (after == null || from.windowMillis() <= 0) {
      JsonNode span =
          query(
                  "SELECT min(start_time_ms) AS first, max(start_time_ms) AS last, count() AS n FROM "
                      + table
                      + " WHERE writer_id = "
                      + ClickHouseSql.quote(writerId)
                      + (after == null ? "" : " AND start_time_ms >= " + int64(after.startTime())),
                  "query the time span of a writer's pages")
              .get(0);
      long rows = span.get("n").asLong();
      if (rows == 0) {
        return new EntryPage(List.of(), null);
      }
      lo = after == null ? span.get("first").asLong() : after.startTime();
      lastStart = span.get("last").asLong();
      double width = ((double) lastStart - (double) lo + 1) * limit / rows;
      window = width >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(1, (long) width);
    } else {
      lo = after.startTime();
      window = from.windowMillis();
      lastStart = from.lastStartMillis();
    }
    List<IndexEntry> batch = new ArrayList<>();
    boolean firstWindow = true;
    while (true) {
      long hi = SaturatingMillis.plus(lo, window);
      boolean lastWindow = hi == Long.MAX_VALUE || hi > lastStart;
      StringBuilder sql =
          new StringBuilder("SELECT ")
              .append(COLUMNS)
              .append(" FROM ")
              .append(table)
              .append(" FINAL WHERE writer_id = ")
              .append(ClickHouseSql.quote(writerId))
              .append(" AND start_time_ms >= ")
              .append(int64(lo));
      if (!lastWindow) {
        sql.append(" AND start_time_ms < ").append(int64(hi));
      }
      if (firstWindow && after != null) {
        sql.append(" AND (start_time_ms > ")
            .append(int64(after.startTime()))
            .append(" OR page_sequence > ")
            .append(int64(after.pageSequence()))
            .append(" OR (page_sequence = ")
            .append(int64(after.pageSequence()))
            .append(" AND page_key > ")
            .append(ClickHouseSql.quote(after.pageKey()))
            .append("))");
      }
      sql.append(" ORDER BY start_time_ms, page_sequence, page_key LIMIT ")
          .append(limit - batch.size());
      for (JsonNode row : query(sql.toString(), "query a batch of the pages of a writer")) {
        batch.add(entryOf(row));
      }
      if (batch.size() == limit) {
        long next = firstWindow ? Math.max(1, window / 2) : window;
        return new EntryPage(
            batch, EntryCursor.after(batch.get(limit - 1), next, Math.max(lastStart, lo)));
      }
      if (lastWindow) {
        return new EntryPage(batch, null);
      }
      lo = hi;
      window = SaturatingMillis.plus(window, window);
      firstWindow = false;
    }
  }

  /**
   * An Int64 literal: Int64's minimum is not one ClickHouse reads as Int64 (its digits are out of
   * range before the sign applies).
   */
  static String int64(long value) {
    return value == Long.MIN_VALUE ? "toInt64('" + value + "')" : Long.toString(value);
  }

  /**
   * Reads the companion table, whose sort key starts with the filter's columns, so only the
   * partition's range from {@code fromOffset} on is read. Without {@code FINAL}: the copies a
   * re-publish left in unmerged parts are dropped by {@code LIMIT 1 BY page_key}. A reader whose
   * companion is missing or not filled scans the main table instead, with the same answer.
   */
  @Override
  public List<IndexEntry> entriesFromOffset(
      String topic, int partition, long fromOffset, int limit) {
    ensureReady();
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM "
            + (companionKept ? byOffset : table)
            + " WHERE topic = "
            + ClickHouseSql.quote(topic)
            + " AND kafka_partition = "
            + partition
            + " AND last_offset >= "
            + fromOffset
            + " ORDER BY last_offset, page_key LIMIT 1 BY page_key LIMIT "
            + limit;
    List<IndexEntry> entries = new ArrayList<>();
    for (JsonNode row : query(sql, "query the pages of " + topic + "-" + partition)) {
      entries.add(entryOf(row));
    }
    return entries;
  }

  /** An entry from a row of {@link #COLUMNS} in JSONEachRow (Int64 arrives quoted). */
  static IndexEntry entryOf(JsonNode row) {
    return new IndexEntry(
        row.get("page_key").asText(),
        row.get("writer_id").asText(),
        row.get("page_sequence").asLong(),
        row.get("start_time_ms").asLong(),
        row.get("end_time_ms").asLong(),
        row.get("event_count").asLong(),
        row.get("page_size_bytes").asLong(),
        row.get("storage_size_bytes").asLong(),
        row.get("format").asText(),
        row.get("compression").asText(),
        row.get("topic").asText(),
        row.get("kafka_partition").asInt(),
        row.get("first_offset").asLong(),
        row.get("last_offset").asLong());
  }

  @Override
  public WriterPage writers(String after, int limit) {
    ensureReady();
    String where = after == null ? "" : " WHERE writer_id > " + ClickHouseSql.quote(after);
    List<String> writers = new ArrayList<>();
    for (JsonNode row :
        query(
            "SELECT DISTINCT writer_id FROM "
                + table
                + where
                + " ORDER BY writer_id LIMIT "
                + limit,
            "list writers")) {
      writers.add(row.get("writer_id").asText());
    }
    return WriterPage.of(writers, limit);
  }

  /**
   * Deletes with {@code ALTER TABLE ... DELETE WHERE page_key IN (...)}, in statements of at most
   * {@link #REMOVE_SQL_CHARS} characters (18.16 refuses queries over {@code max_query_size}, 256
   * KiB), and waits for each mutation, so the entries are gone when this returns. On 18.16 a
   * mutation is asynchronous and rewrites only the parts that exist when it is submitted: a page
   * published again afterwards (a re-delivery) would be back, which is what publishing means. The
   * companion first, so that it never lists a page the main table no longer holds.
   */
  @Override
  public void remove(List<IndexEntry> entries) {
    ensureReady();
    StringBuilder keys = new StringBuilder();
    for (IndexEntry e : entries) {
      String quoted = ClickHouseSql.quote(e.pageKey());
      if (keys.length() > 0 && keys.length() + quoted.length() > REMOVE_SQL_CHARS) {
        mutateBoth("DELETE WHERE page_key IN (" + keys + ")", "remove entries");
        keys.setLength(0);
      }
      keys.append(keys.length() == 0 ? "" : ", ").append(quoted);
    }
    if (keys.length() > 0) {
      mutateBoth("DELETE WHERE page_key IN (" + keys + ")", "remove entries");
    }
    log.debug("Removed the entries of {} pages from {}", entries.size(), describe());
  }

  /**
   * Deletes with {@code ALTER TABLE ... DELETE} (a mutation, on every version) and waits until the
   * server has applied it, so the entries are gone when this returns.
   */
  @Override
  public void expireBefore(long cutoffMillis) {
    ensureReady();
    mutateBoth("DELETE WHERE end_time_ms < " + cutoffMillis, "expire entries");
    log.info("Expired entries of pages that ended before {} from {}", cutoffMillis, describe());
  }

  /** Runs the mutation on the companion, then on the main table. */
  private void mutateBoth(String command, String what) {
    mutate(byOffset, settings.table() + BY_OFFSET_SUFFIX, command, what);
    mutate(table, settings.table(), command, what);
  }

  /**
   * Runs {@code ALTER TABLE t <command>} and waits until no mutation of the table is pending (18.16
   * has no {@code mutations_sync}: an ALTER returns as soon as the mutation is queued).
   */
  private void mutate(String qualified, String name, String command, String what) {
    execute("ALTER TABLE " + qualified + " " + command);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    String pending =
        "SELECT count() AS pending FROM system.mutations WHERE database = "
            + ClickHouseSql.quote(settings.database())
            + " AND table = "
            + ClickHouseSql.quote(name)
            + " AND is_done = 0";
    while (Long.parseLong(queryScalar(pending)) > 0) {
      if (System.nanoTime() > deadline) {
        throw new IndexException(
            "Cannot "
                + what
                + " in "
                + describe()
                + ": the mutation of "
                + qualified
                + " is still running after "
                + TIMEOUT_SECONDS
                + " s");
      }
      sleep(100);
    }
  }

  /** The server answers a query: not a scan of the table, whatever its size. */
  @Override
  public void ping() {
    queryScalar("SELECT 1");
  }

  @Override
  public String describe() {
    return "clickhouse " + settings.url() + " " + table;
  }

  @Override
  public void close() {
    client.close();
  }

  private void execute(String sql) {
    execute(sql, TIMEOUT_SECONDS);
  }

  /**
   * Runs a statement; {@code seconds} longer than the client's socket timeout raises it for this
   * one.
   */
  private void execute(String sql, long seconds) {
    CommandSettings command = new CommandSettings();
    command.setNetworkTimeout(seconds, ChronoUnit.SECONDS);
    try {
      client.execute(sql, command).get(seconds, TimeUnit.SECONDS).close();
    } catch (Exception e) {
      throw failure("run " + firstWords(sql), e, seconds);
    }
  }

  private List<JsonNode> query(String sql, String what) {
    return queryRows(sql, what);
  }

  private List<JsonNode> queryRows(String sql, String what) {
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

  private String queryScalar(String sql) {
    List<JsonNode> rows = queryRows(sql, "query " + firstWords(sql));
    if (rows.size() != 1 || rows.get(0).size() != 1) {
      throw new IndexException(
          "ClickHouse at " + settings.url() + " answered " + rows + " to " + sql);
    }
    return rows.get(0).elements().next().asText();
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
    IndexException failure = failure(what, e, settings, seconds);
    if (!opened || !HTTPS.equals(settings.url().getScheme()) || !Unreachable.closedByServer(e)) {
      return failure;
    }
    return certificateProblem(failure.getMessage())
        .map(problem -> new IndexException(prefix(what) + problem, failure.getCause()))
        .orElse(failure);
  }

  private Optional<String> certificateProblem(String closedWith) {
    return TlsProbe.clientCertificateProblem(
        settings.url(),
        settings.tlsCa(),
        settings.tlsClient(),
        ClickHouseSettings.TLS_CLIENT_CERT_SETTING,
        ClickHouseSettings.TLS_CLIENT_KEY_SETTING,
        closedWith);
  }

  private static IndexException failure(
      String what, Exception e, ClickHouseSettings settings, long seconds) {
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
    return new IndexException(prefix(what, settings) + reason, cause);
  }

  private String prefix(String what) {
    return prefix(what, settings);
  }

  private static String prefix(String what, ClickHouseSettings settings) {
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

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IndexException("Interrupted while waiting for ClickHouse");
    }
  }
}
