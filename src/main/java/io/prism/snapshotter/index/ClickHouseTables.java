package io.prism.snapshotter.index;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ClickHouse index's tables on its server: the main table, its companion {@code
 * <table>_by_offset} and the writer spans ({@link ClickHouseWriterSpans}). For the sink, made where
 * missing and filled where an older version left them unfilled; for a reader ({@link
 * ClickHousePageIndex#openForReading}), found as they are, and what a missing or unfilled one would
 * have answered read from the main table instead. What was found decides how {@link
 * ClickHousePageIndex} queries them.
 */
final class ClickHouseTables {
  /** Logged as the index's own lines, where they always were. */
  private static final Logger log = LoggerFactory.getLogger(ClickHousePageIndex.class);

  /** The TTL clause this index writes ({@link #tableDdl}), as system.tables shows it. */
  private static final Pattern TTL_DAYS =
      Pattern.compile("TTL\\s+end_time\\s*\\+\\s*toIntervalDay\\((\\d+)\\)");

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
  private final ClickHouseServer server;
  private final String table;

  /**
   * {@code <table>_by_offset}: the same rows, ordered for {@link
   * ClickHousePageIndex#entriesFromOffset}.
   */
  private final String byOffset;

  /** {@code <table>_spans} and the view that feeds it: see {@link ClickHouseWriterSpans}. */
  private final String spans;

  private final String spansFeed;

  private boolean serverTtl;

  /** Whether the main table's own TTL clause expires entries after {@code index.ttl.days}. */
  private volatile boolean tableTtlMatches;

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
   * Whether offset lookups read the companion: false only for a reader whose companion is missing
   * or lacks months of the main table (it cannot create or fill it).
   */
  private volatile boolean companionKept = true;

  ClickHouseTables(ClickHouseSettings settings, ClickHouseServer server) {
    this.settings = settings;
    this.server = server;
    this.table = settings.qualifiedTable();
    this.byOffset = settings.qualifiedTable() + BY_OFFSET_SUFFIX;
    this.spans = settings.qualifiedTable() + ClickHouseWriterSpans.SPANS_SUFFIX;
    this.spansFeed = settings.qualifiedTable() + ClickHouseWriterSpans.VIEW_SUFFIX;
  }

  /**
   * Reads the server's version, then makes and fills what is missing, or, {@code readOnly}, finds
   * what is there (no DDL, no INSERT).
   */
  void prepare(boolean readOnly) {
    String version = server.queryScalar("SELECT version()");
    serverTtl = supportsTtl(version);
    if (readOnly) {
      findTables(version);
    } else {
      createTable(version);
    }
  }

  /** The main table, qualified. */
  String table() {
    return table;
  }

  /** The companion, qualified. */
  String byOffset() {
    return byOffset;
  }

  /** The writer spans' table, qualified. */
  String spans() {
    return spans;
  }

  /** Whether the main table's own TTL clause expires entries after {@code index.ttl.days}. */
  boolean tableTtlMatches() {
    return tableTtlMatches;
  }

  /** Whether time-range queries may be bounded below by the writers' spans. */
  boolean spansKept() {
    return spansKept;
  }

  /** Whether that bound may be put on the main table's partition key too. */
  boolean startTimeClamped() {
    return startTimeClamped;
  }

  /** The table offset lookups read: the companion, or for a reader without one, the main table. */
  String offsetLookupTable() {
    return companionKept ? byOffset : table;
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
      server.execute("CREATE DATABASE IF NOT EXISTS " + settings.database());
      server.execute(
          tableDdl(
              table,
              " PARTITION BY toYYYYMM(start_time)",
              "writer_id, start_time_ms, page_sequence, page_key"));
    }
    if (!existing.contains(settings.table() + BY_OFFSET_SUFFIX)) {
      server.execute(tableDdl(byOffset, "", "topic, kafka_partition, last_offset, page_key"));
    }
    fillCompanion();
    spansKept = keepSpans(existing);
    startTimeClamped = spansKept && tableStartTimeIsClamped();
    log.info(
        "ClickHouse page index {} on server {}{}",
        server.describe(),
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
          server.query(
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
        server.query(
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
   * {@code ReplacingMergeTree} like the main table, with the same TTL, and {@link
   * ClickHousePageIndex#remove} and {@link ClickHousePageIndex#expireBefore} run the same mutations
   * on it, so it keeps the same rows. It is not partitioned: a lookup reads at least one granule
   * (8192 rows) of every part, and monthly partitions would make that one per month kept (20
   * million entries on 18.16: 433 ms when they span 300 months; 5 ms over three months partitioned,
   * 3 ms not).
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
        server.describe(),
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
            server.describe(),
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
      server.execute(
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
        server.describe(),
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
        server.query(
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
        server.execute(ClickHouseWriterSpans.tableDdl(spans));
      }
      long viewCreated = 0;
      if (!existing.contains(settings.table() + ClickHouseWriterSpans.VIEW_SUFFIX)) {
        viewCreated = System.nanoTime();
        server.execute(ClickHouseWriterSpans.viewDdl(spansFeed, spans, table));
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
          server.describe(),
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
          server.query(
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
            server
                .query(ClickHouseWriterSpans.isFilled(spans), "read the span mark")
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
    long deadline = viewCreatedNanos + TimeUnit.SECONDS.toNanos(ClickHouseServer.TIMEOUT_SECONDS);
    while (true) {
      // Milliseconds, rounded down (no exponent, as Double.toString writes for small values).
      String age =
          String.format(
              Locale.ROOT, "%.3f", (System.nanoTime() - viewCreatedNanos) / 1_000_000 / 1000.0);
      if (Long.parseLong(server.queryScalar(running + age)) == 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IndexException(
            "an INSERT into "
                + table
                + " begun before "
                + spansFeed
                + " was created is still running after "
                + ClickHouseServer.TIMEOUT_SECONDS
                + " s");
      }
      ClickHouseServer.sleep(100);
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
        server.query(ClickHouseWriterSpans.filledMonths(spans), "list the months of " + spans)) {
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
      server.execute(ClickHouseWriterSpans.fillMonth(spans, table, month), FILL_TIMEOUT_SECONDS);
    }
    server.execute(ClickHouseWriterSpans.markFilled(spans));
    if (!months.isEmpty()) {
      log.info(
          "ClickHouse page index {}: recorded the longest page span of each writer in {} rows of {}"
              + " (months {}) in {}, in {} ms",
          server.describe(),
          sum(months),
          table,
          months.keySet(),
          spans,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
    return true;
  }

  /**
   * {@link ClickHousePageIndex#openForReading}'s set-up: which tables are there, and what to read
   * where one is missing or not filled. Creates and inserts nothing.
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
        server.describe(),
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
        server.query(
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
}
