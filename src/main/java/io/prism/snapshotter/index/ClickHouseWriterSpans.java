package io.prism.snapshotter.index;

/**
 * The SQL of the ClickHouse index's writer spans: per writer, the longest span ({@code end -
 * start}) of any page it published, so that a time-range query reads only the writer's pages that
 * start at or after {@code from - longest span} (a page starting before that ended before {@code
 * from}), not its whole history. As the SQLite index's {@code writer_spans} and Redis's span key.
 *
 * <p>Two objects beside the main table, in SQL that 18.16 and current servers accept:
 *
 * <ul>
 *   <li>{@code <table>_spans}, an {@code AggregatingMergeTree} of {@code maxState(span)} by
 *       (writer, filled month): merging keeps the maximum, so rows written twice (a retried
 *       publish, two tasks filling at once) and rows of several connectors sharing the table are
 *       harmless. {@code filled_month} is 0 for the rows the view writes, the month (YYYYMM) of the
 *       main table that the fill copied for the others, and {@link #FILLED_MARK} for the row that
 *       says the fill is complete.
 *   <li>{@code <table>_spans_feed}, a {@code MATERIALIZED VIEW ... TO <table>_spans}: ClickHouse
 *       runs it on every block inserted into the main table, whoever inserts it (a connector of an
 *       older version, a hand-made {@code INSERT}). Mutations ({@code remove}, expiry) do not run
 *       it, so a span never shrinks: too long only reads more rows, too short would lose entries.
 * </ul>
 *
 * <p>The spans are trusted only once the fill mark is there: rows inserted before the view existed
 * are only in the fill.
 */
final class ClickHouseWriterSpans {
  static final String SPANS_SUFFIX = "_spans";
  static final String VIEW_SUFFIX = "_spans_feed";

  /**
   * The {@code filled_month} of the row that marks the fill complete: no month (YYYYMM) is 1, and
   * the view writes 0. Its writer is {@code ''} with a span of 0, which widens no writer's window.
   */
  static final int FILLED_MARK = 1;

  private static final String INT64_MIN = ClickHousePageIndex.int64(Long.MIN_VALUE);

  /**
   * A page's span, clamped to [0, Int64 max]: Int64 arithmetic wraps, so a page from before 1970 to
   * a time sent in nanoseconds would get a negative span, and the bound would skip it.
   */
  static final String SPAN =
      "if(end_time_ms <= start_time_ms, toInt64(0), if(start_time_ms < 0 AND end_time_ms >"
          + " toInt64(9223372036854775807) + start_time_ms, toInt64(9223372036854775807),"
          + " end_time_ms - start_time_ms))";

  private ClickHouseWriterSpans() {}

  /** {@code CREATE TABLE IF NOT EXISTS <spans>}. */
  static String tableDdl(String spans) {
    return "CREATE TABLE IF NOT EXISTS "
        + spans
        + " (writer_id String, filled_month UInt32, longest_span AggregateFunction(max, Int64))"
        + " ENGINE = AggregatingMergeTree() ORDER BY (writer_id, filled_month)";
  }

  /** {@code CREATE MATERIALIZED VIEW IF NOT EXISTS <view> TO <spans>} over the main table. */
  static String viewDdl(String view, String spans, String main) {
    return "CREATE MATERIALIZED VIEW IF NOT EXISTS "
        + view
        + " TO "
        + spans
        + " AS SELECT writer_id, toUInt32(0) AS filled_month, maxState("
        + SPAN
        + ") AS longest_span FROM "
        + main
        + " GROUP BY writer_id";
  }

  /**
   * Copies the spans of one month (a partition, YYYYMM) of the main table. One statement, so the
   * month's rows arrive in one block (up to about a million writers): they are there whole or not.
   */
  static String fillMonth(String spans, String main, String month) {
    return "INSERT INTO "
        + spans
        + " SELECT writer_id, toUInt32("
        + month
        + ") AS filled_month, maxState("
        + SPAN
        + ") AS longest_span FROM "
        + main
        + " WHERE toYYYYMM(start_time) = "
        + month
        + " GROUP BY writer_id";
  }

  /** Marks the fill complete. */
  static String markFilled(String spans) {
    return "INSERT INTO "
        + spans
        + " SELECT '' AS writer_id, toUInt32("
        + FILLED_MARK
        + ") AS filled_month, maxState(toInt64(0)) AS longest_span";
  }

  /** One row, {@code filled}: 1 when the fill is complete. */
  static String isFilled(String spans) {
    return "SELECT count() > 0 AS filled FROM "
        + spans
        + " WHERE writer_id = '' AND filled_month = "
        + FILLED_MARK;
  }

  /** The months (YYYYMM) the fill has copied, a row each ({@code month}). */
  static String filledMonths(String spans) {
    return "SELECT DISTINCT toString(filled_month) AS month FROM "
        + spans
        + " WHERE filled_month > "
        + FILLED_MARK;
  }

  /**
   * A scalar subquery: the lowest start time of a page of {@code writerId} that can overlap a range
   * from {@code fromMillis}: {@code from - longest span}, saturating at Int64's minimum; the
   * minimum (no bound) for a writer without a span. The server runs it before it reads the main
   * table, and the bound then narrows the read by the table's sort key (writer, start time), in one
   * statement.
   */
  static String lowestStart(String spans, String writerId, long fromMillis) {
    String from = "toInt64(" + ClickHousePageIndex.int64(fromMillis) + ")";
    return "(SELECT if(count() = 0, "
        + INT64_MIN
        + ", if("
        + from
        + " < "
        + INT64_MIN
        + " + maxMerge(longest_span), "
        + INT64_MIN
        + ", "
        + from
        + " - maxMerge(longest_span))) FROM "
        + spans
        + " WHERE writer_id = "
        + ClickHouseSql.quote(writerId)
        + ")";
  }
}
