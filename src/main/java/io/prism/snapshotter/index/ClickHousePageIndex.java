package io.prism.snapshotter.index;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
 * 1970..2100 ({@link ClickHouseTables#dateTimeOf}).
 *
 * <p>A companion table {@code <table>_by_offset} holds the same rows ordered by (topic, partition,
 * last offset, page key), for {@link #entriesFromOffset}: on the main table that lookup scans every
 * row (its sort key is writer and time), and a task asks it for every partition it takes over or
 * gives up, while the group's rebalance waits. See {@link ClickHouseTables#fillCompanion}.
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
 *
 * <p>This class is what the index does with its tables; {@link ClickHouseTables} makes (or finds)
 * them, and {@link ClickHouseServer} runs the statements and names what failed.
 */
public final class ClickHousePageIndex implements PageIndex {
  private static final Logger log = LoggerFactory.getLogger(ClickHousePageIndex.class);

  /** Page keys per removal statement, in characters: well under 18.16's 256 KiB max_query_size. */
  static final int REMOVE_SQL_CHARS = 100_000;

  private final ClickHouseSettings settings;
  private final ClickHouseServer server;
  private final ClickHouseTables tables;
  private final String table;

  /** {@code <table>_by_offset}: the same rows, ordered for {@link #entriesFromOffset}. */
  private final String byOffset;

  /**
   * Opened by {@link #openForReading}: no DDL and no INSERT, whatever is missing; what a missing or
   * unfilled table would have answered is read from the main table instead.
   */
  private final boolean readOnly;

  /**
   * Set once the server's version is known and the tables are ready; until then every call tries.
   */
  private volatile boolean ready;

  private ClickHousePageIndex(
      ClickHouseSettings settings, ClickHouseServer server, boolean readOnly) {
    this.settings = settings;
    this.server = server;
    this.readOnly = readOnly;
    this.tables = new ClickHouseTables(settings, server);
    this.table = tables.table();
    this.byOffset = tables.byOffset();
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
    ClickHouseServer server = ClickHouseServer.connect(settings);
    ClickHousePageIndex index = new ClickHousePageIndex(settings, server, readOnly);
    try {
      index.ensureReady();
    } catch (IndexException e) {
      if (!Unreachable.causeOf(e)) {
        server.close();
        throw e;
      }
      Optional<String> certificateProblem =
          server.overHttps() ? server.certificateProblem(e.getMessage()) : Optional.empty();
      if (certificateProblem.isPresent()) {
        // A setting to fix, which no retry heals: fail at start, as a refused server CA does.
        server.close();
        throw new IndexException(
            "Cannot connect to " + index.describe() + ": " + certificateProblem.get(), e);
      }
      log.warn(
          "ClickHouse index {} cannot be reached now; its table is checked on first use: {}",
          index.describe(),
          e.getMessage());
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    server.opened();
    return index;
  }

  /** Reads the server's version and makes (or, reading, finds) the tables, once. */
  private void ensureReady() {
    if (ready) {
      return;
    }
    synchronized (this) {
      if (!ready) {
        tables.prepare(readOnly);
        ready = true;
      }
    }
  }

  /**
   * Whether the server drops old entries itself (a TTL clause); else call {@link #expireBefore} on
   * a schedule. False while the server has not been reached: a scheduled delete is then harmless
   * even if the table turns out to have a TTL.
   */
  public boolean serverExpiresEntries() {
    return ready && tables.tableTtlMatches() && settings.ttlDays() > 0;
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
    server.insert(table, rows, entries.size());
    server.insert(byOffset, rows, entries.size());
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
    for (JsonNode row : server.query(entriesSql(writerId, range), "query the pages of a writer")) {
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
            .append(ClickHouseTables.COLUMNS)
            .append(" FROM ")
            .append(table)
            .append(" FINAL WHERE writer_id = ")
            .append(ClickHouseSql.quote(writerId));
    if (tables.spansKept() && range.fromMillis() != Long.MIN_VALUE) {
      String lowestStart =
          ClickHouseWriterSpans.lowestStart(tables.spans(), writerId, range.fromMillis());
      sql.append(" AND start_time_ms >= ").append(lowestStart);
      if (tables.startTimeClamped()) { // also on the partition key: earlier months are not read
        sql.append(" AND start_time >= ").append(ClickHouseTables.dateTimeOf(lowestStart));
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
    return tables.spansKept();
  }

  /** Whether that bound is put on the partition key too (for tests). */
  boolean startTimeClamped() {
    return tables.startTimeClamped();
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
          server
              .query(
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
              .append(ClickHouseTables.COLUMNS)
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
      for (JsonNode row : server.query(sql.toString(), "query a batch of the pages of a writer")) {
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
            + ClickHouseTables.COLUMNS
            + " FROM "
            + tables.offsetLookupTable()
            + " WHERE topic = "
            + ClickHouseSql.quote(topic)
            + " AND kafka_partition = "
            + partition
            + " AND last_offset >= "
            + fromOffset
            + " ORDER BY last_offset, page_key LIMIT 1 BY page_key LIMIT "
            + limit;
    List<IndexEntry> entries = new ArrayList<>();
    for (JsonNode row : server.query(sql, "query the pages of " + topic + "-" + partition)) {
      entries.add(entryOf(row));
    }
    return entries;
  }

  /**
   * An entry from a row of {@link #ClickHouseTables.COLUMNS} in JSONEachRow (Int64 arrives quoted).
   */
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
        server.query(
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
    mutate(byOffset, settings.table() + ClickHouseTables.BY_OFFSET_SUFFIX, command, what);
    mutate(table, settings.table(), command, what);
  }

  /**
   * Runs {@code ALTER TABLE t <command>} and waits until no mutation of the table is pending (18.16
   * has no {@code mutations_sync}: an ALTER returns as soon as the mutation is queued).
   */
  private void mutate(String qualified, String name, String command, String what) {
    server.execute("ALTER TABLE " + qualified + " " + command);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ClickHouseServer.TIMEOUT_SECONDS);
    String pending =
        "SELECT count() AS pending FROM system.mutations WHERE database = "
            + ClickHouseSql.quote(settings.database())
            + " AND table = "
            + ClickHouseSql.quote(name)
            + " AND is_done = 0";
    while (Long.parseLong(server.queryScalar(pending)) > 0) {
      if (System.nanoTime() > deadline) {
        throw new IndexException(
            "Cannot "
                + what
                + " in "
                + describe()
                + ": the mutation of "
                + qualified
                + " is still running after "
                + ClickHouseServer.TIMEOUT_SECONDS
                + " s");
      }
      ClickHouseServer.sleep(100);
    }
  }

  /** The server answers a query: not a scan of the table, whatever its size. */
  @Override
  public void ping() {
    server.queryScalar("SELECT 1");
  }

  @Override
  public String describe() {
    return server.describe();
  }

  @Override
  public void close() {
    server.close();
  }
}
