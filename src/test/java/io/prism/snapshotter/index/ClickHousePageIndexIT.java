package io.prism.snapshotter.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prism.snapshotter.testing.TestServices;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The contract against Debian's real ClickHouse server, as user {@code prism} with a password. */
class ClickHousePageIndexIT extends PageIndexContract {
  static final String DATABASE = "prism_it";
  String table;

  static ClickHouseSettings settings(String table) {
    return new ClickHouseSettings(
        TestServices.clickHouseUrl(), DATABASE, table, "prism", new Password("prism-secret"), 0);
  }

  @Override
  protected PageIndex newIndex() {
    table = "pages_" + UUID.randomUUID().toString().replace("-", "");
    return ClickHousePageIndex.open(settings(table));
  }

  @AfterEach
  void dropTable() throws Exception {
    // The view first: an insert into the main table fails while its view's target is missing.
    for (String suffix :
        List.of(
            ClickHouseWriterSpans.VIEW_SUFFIX,
            ClickHouseWriterSpans.SPANS_SUFFIX,
            "",
            ClickHouseTables.BY_OFFSET_SUFFIX)) {
      http("DROP TABLE IF EXISTS " + DATABASE + "." + table + suffix);
    }
  }

  @Test
  void hostileStringsRoundTripThroughTheServerAsLiterals() throws Exception {
    for (String value : HOSTILE_WRITER_IDS) {
      String answer = http("SELECT " + ClickHouseSql.quote(value) + " AS s FORMAT TSVRaw");
      assertThat(answer).isEqualTo(value + "\n");
    }
  }

  @Test
  void theTableIsAReplacingMergeTreePartitionedByMonth() throws Exception {
    String ddl =
        http(
            "SELECT engine, partition_key, sorting_key FROM system.tables WHERE database = '"
                + DATABASE
                + "' AND name = '"
                + table
                + "' FORMAT TSV");
    assertThat(ddl)
        .isEqualTo(
            "ReplacingMergeTree\ttoYYYYMM(start_time)\twriter_id, start_time_ms, page_sequence, page_key\n");
  }

  /**
   * DateTime holds 1970-01-01 .. 2106-02-07 (UInt32 seconds). Unclamped, 18.16 wrapped times
   * outside it: microseconds sent as milliseconds became 2080-07-11, a time before 1970 became 2106
   * (printed as 1970-01-01 06:28), in the wrong month partition and found by SQL on start_time at
   * the wrong time. Now they are clamped; the *_ms columns keep the exact times.
   */
  @Test
  void dateTimeColumnsAreClampedToTheirRangeAndTheMillisecondsKept() throws Exception {
    long micros = 1_700_000_000_000_000L; // 2023-11-14 in microseconds, sent as milliseconds
    IndexEntry microsAsMillis = entry("w1", 1, micros, micros + 5_000);
    IndexEntry beforeEpoch = entry("w1", 2, -86_400_000L, -5_000);
    IndexEntry atTheEnd = entry("w1", 3, Long.MAX_VALUE - 10, Long.MAX_VALUE);
    IndexEntry now = entry("w1", 4, 1_700_000_000_123L, 1_700_000_001_000L);
    index.publish(List.of(microsAsMillis, beforeEpoch, atTheEnd, now));

    String rows =
        http(
            "SELECT page_sequence, toUInt32(start_time), toUInt32(end_time), toYYYYMM(start_time),"
                + " start_time_ms FROM "
                + DATABASE
                + "."
                + table
                + " ORDER BY page_sequence FORMAT TSV");
    assertThat(rows)
        .isEqualTo(
            "1\t4102444800\t4102444800\t210001\t1700000000000000\n"
                + "2\t0\t0\t197001\t-86400000\n"
                + "3\t4102444800\t4102444800\t210001\t9223372036854775797\n"
                + "4\t1700000000\t1700000001\t202311\t1700000000123\n");
    assertThat(
            http(
                "SELECT page_sequence FROM "
                    + DATABASE
                    + "."
                    + table
                    + " WHERE start_time >= toDateTime('2099-12-31 00:00:00', 'UTC')"
                    + " ORDER BY page_sequence FORMAT TSV"))
        .as("SQL on start_time finds the far pages at the range's edge")
        .isEqualTo("1\n3\n");
    assertThat(index.entries("w1", new TimeRange(micros + 1_000, micros + 1_001)))
        .containsExactly(microsAsMillis);
    assertThat(index.entries("w1", new TimeRange(-10_000, -9_999))).containsExactly(beforeEpoch);
    assertThat(index.entries("w1", new TimeRange(1_700_000_000_500L, 1_700_000_000_501L)))
        .containsExactly(now);
  }

  @Test
  void theCompanionTableIsSortedForTheOffsetLookup() throws Exception {
    String ddl =
        http(
            "SELECT engine, partition_key, sorting_key FROM system.tables WHERE database = '"
                + DATABASE
                + "' AND name = '"
                + table
                + ClickHouseTables.BY_OFFSET_SUFFIX
                + "' FORMAT TSV");
    assertThat(ddl)
        .as("not partitioned: a lookup reads a granule of every part")
        .isEqualTo("ReplacingMergeTree\t\ttopic, kafka_partition, last_offset, page_key\n");
  }

  @Test
  void theWriterSpansAreAnAggregatingMergeTreeFedByAViewOfTheMainTable() throws Exception {
    String tables =
        http(
            "SELECT name, engine, sorting_key FROM system.tables WHERE database = '"
                + DATABASE
                + "' AND name LIKE '"
                + table
                + "_spans%' ORDER BY name FORMAT TSV");
    assertThat(tables)
        .isEqualTo(
            table
                + "_spans\tAggregatingMergeTree\twriter_id, filled_month\n"
                + table
                + "_spans_feed\tMaterializedView\t\n");
    assertThat(((ClickHousePageIndex) index).spansKept()).isTrue();
  }

  /**
   * A writer with two weeks of one-minute pages: its last hour is read from the last hour's
   * granules, not from the whole history (which the query read before the spans). The table is made
   * by hand as an older version made it, with granules of 64 rows (8192 by default would hide the
   * difference in 20,000 rows), and its rows are in it before the index first opens it: their spans
   * come from the fill, the later pages' from the view.
   */
  @Test
  void aRecentRangeReadsTheWritersRecentRowsNotItsWholeHistory() throws Exception {
    index.close();
    dropTable();
    table = "pages_old_" + UUID.randomUUID().toString().replace("-", "");
    String main = DATABASE + "." + table;
    http(OLD_DDL.replace("TABLE_NAME", main) + " SETTINGS index_granularity = 64");
    long now = 1_700_000_000_000L;
    long minute = 60_000L;
    long hour = 60 * minute;
    int old = 20_000; // two weeks, two month partitions
    long first = now - old * minute;
    http(
        "INSERT INTO "
            + main
            + " ("
            + ClickHouseTables.COLUMNS
            + ") SELECT concat('pages/busy/', toString(number)), 'busy', toInt64(number), toInt64("
            + first
            + " + number * 60000), toInt64("
            + first
            + " + number * 60000 + 59999), toInt64(10), toInt64(1000), toInt64(400), 'protobuf',"
            + " 'zstd', 'events', toInt32(0), toInt64(number), toInt64(number) FROM system.numbers"
            + " LIMIT "
            + old);
    IndexEntry aYearLong = entry("quiet", 1, now - 365 * 24 * hour, now - 1);
    insertByHand(table, List.of(aYearLong)); // its span is known from the fill alone

    ClickHousePageIndex opened = ClickHousePageIndex.open(settings(table));
    index = opened;
    assertThat(opened.spansKept()).isTrue();
    List<IndexEntry> later = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      later.add(entry("busy", old + i, now + i * minute, now + i * minute + minute - 1));
    }
    index.publish(later); // their spans through the view
    // A short page of the quiet writer: the view knows only its span, the fill the longer one.
    IndexEntry quietAgain = entry("quiet", 2, now + minute, now + 2 * minute - 1);
    index.publish(List.of(quietAgain));

    TimeRange lastHour = new TimeRange(now - hour, now + 10 * minute);
    List<IndexEntry> found = index.entries("busy", lastHour);
    assertThat(found).hasSize(70).endsWith(later.toArray(IndexEntry[]::new));
    assertThat(found.get(0).startTime()).isEqualTo(now - hour);
    long held = old + later.size();
    long read = rowsRead(opened.entriesSql("busy", lastHour));
    assertThat(read)
        .as("rows read of the %d the writer holds, for a range of 70", held)
        .isLessThan(held / 20);
    assertThat(index.entries("quiet", lastHour)).containsExactly(aYearLong, quietAgain);
    assertThat(index.holds(aYearLong)).isTrue();
    assertThat(index.holds(later.get(3))).isTrue();

    // A long page published now widens the writer's window: found, from a read of its history.
    IndexEntry aWeekLong = entry("busy", old + 100, now - 7 * 24 * hour, now + hour);
    index.publish(List.of(aWeekLong));
    assertThat(index.entries("busy", lastHour)).hasSize(71).startsWith(aWeekLong);
    assertThat(rowsRead(opened.entriesSql("busy", lastHour))).isGreaterThan(held / 2);
  }

  /**
   * On a table this version made ({@code start_time} clamped), the bound is put on the partition
   * key too: a recent range reads no part of the earlier months (without it, at least a granule of
   * each month's part: here all 3,000 rows, as each part is smaller than a granule).
   */
  @Test
  void aRecentRangeReadsNoPartOfTheEarlierMonths() throws Exception {
    ClickHousePageIndex opened = (ClickHousePageIndex) index;
    assertThat(opened.startTimeClamped()).isTrue();
    long now = 1_700_000_000_000L; // 2023-11-14
    long minute = 60_000L;
    List<IndexEntry> pages = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) { // one a 45 minutes: 94 days, four months
      long start = now - i * 45 * minute;
      pages.add(entry("busy", i, start, start + minute - 1));
    }
    index.publish(pages); // one insert: one part a month
    long november = 1_698_796_800_000L;
    long inNovember = pages.stream().filter(p -> p.startTime() >= november).count();
    TimeRange lastHour = new TimeRange(now - 60 * minute, now + minute);
    assertThat(index.entries("busy", lastHour))
        .containsExactlyElementsOf(
            pages.stream()
                .filter(p -> lastHour.overlaps(p.startTime(), p.endTime()))
                .sorted(IndexEntry.QUERY_ORDER)
                .toList())
        .hasSize(2);
    assertThat(rowsRead(opened.entriesSql("busy", lastHour)))
        .as("rows read, of %d in November and %d in all", inNovember, pages.size())
        .isLessThanOrEqualTo(inNovember);
  }

  /**
   * An INSERT that began before the view existed feeds neither the view (ClickHouse fixes an
   * insert's views when it starts) nor, committed after the fill read its month, the fill: the open
   * waits for it before filling. Here a task of an older version publishes a year-long page for two
   * seconds while the index is opened for the first time by this version.
   */
  @Test
  void aLongPageInsertedWhileTheViewIsCreatedIsWaitedForAndFilled() throws Exception {
    index.close();
    dropTable();
    table = "pages_old_" + UUID.randomUUID().toString().replace("-", "");
    String main = DATABASE + "." + table;
    http(OLD_DDL.replace("TABLE_NAME", main));
    long now = 1_700_000_000_000L;
    IndexEntry short1 = entry("w1", 1, now - 120_000, now - 60_001);
    insertByHand(table, List.of(short1));
    IndexEntry aYearLong = entry("w1", 2, now - 365 * 86_400_000L, now - 1);
    CompletableFuture<String> slowInsert =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return http(
                    "INSERT INTO "
                        + main
                        + " ("
                        + ClickHouseTables.COLUMNS
                        + ") SELECT "
                        + String.join(
                            ", ",
                            ClickHouseSql.quote(aYearLong.pageKey()),
                            "'w1'",
                            "toInt64(2)",
                            "toInt64(" + aYearLong.startTime() + ")",
                            "toInt64(" + aYearLong.endTime() + ")",
                            "toInt64(" + aYearLong.eventCount() + ")",
                            "toInt64(" + aYearLong.pageSizeBytes() + ")",
                            "toInt64(" + aYearLong.storageSizeBytes() + ")",
                            "'protobuf', 'zstd', 'events'",
                            "toInt32(" + aYearLong.partition() + ")",
                            "toInt64(" + aYearLong.firstOffset() + ")",
                            "toInt64(" + aYearLong.lastOffset() + ")")
                        + " FROM system.one WHERE sleep(2) = 0");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(500); // the insert is running, its views fixed
    ClickHousePageIndex opened = ClickHousePageIndex.open(settings(table));
    index = opened;
    assertThat(slowInsert).as("the open waited for it").isDone();
    slowInsert.get();
    assertThat(opened.spansKept()).isTrue();
    IndexEntry short2 = entry("w1", 3, now - 30_000, now - 20_000);
    index.publish(List.of(short2)); // through the view: a short span
    assertThat(index.entries("w1", new TimeRange(now - 50_000, now)))
        .containsExactly(aYearLong, short2);
  }

  /** Rows the server read for a query, from the statistics of its JSON output. */
  static long rowsRead(String sql) throws Exception {
    return new ObjectMapper()
        .readTree(http(sql + " FORMAT JSON"))
        .get("statistics")
        .get("rows_read")
        .asLong();
  }

  /**
   * Replay's open ({@link ClickHousePageIndex#openForReading}) by a user of ClickHouse's {@code
   * readonly=1}, of a table an older version made (no companion, no spans): it creates and inserts
   * nothing, and answers from the main table. Once the sink has opened the table, the same reader
   * uses the companion and the spans.
   */
  @Test
  void aStrictReaderReadsATableOfAnOlderVersionWithoutCreatingAnything() throws Exception {
    index.close();
    dropTable();
    table = "pages_old_" + UUID.randomUUID().toString().replace("-", "");
    http(OLD_DDL.replace("TABLE_NAME", DATABASE + "." + table));
    long now = 1_700_000_000_000L;
    long hour = 3_600_000L;
    IndexEntry aYearLong = entry("w1", 1, now - 365 * 24 * hour, now - 1);
    List<IndexEntry> entries = new ArrayList<>(List.of(aYearLong));
    for (int i = 0; i < 30; i++) { // three months
      entries.add(page("w" + i % 3, "events", i % 2, i * 10L, i * 10L + 9, MONTH_MS * (i % 3) + i));
    }
    insertByHand(table, entries);
    String tables =
        "SELECT name FROM system.tables WHERE database = '"
            + DATABASE
            + "' AND name LIKE '"
            + table
            + "%' ORDER BY name FORMAT TSV";
    assertThat(http(tables)).isEqualTo(table + "\n");

    try (ClickHousePageIndex reader =
        ClickHousePageIndex.openForReading(readerSettings("prism_strict_reader", table))) {
      assertThat(reader.spansKept()).isFalse();
      assertAnswersOf(reader, aYearLong, now);
    }
    assertThat(http(tables)).as("nothing created").isEqualTo(table + "\n");

    try (PageIndex sink = ClickHousePageIndex.open(settings(table))) { // makes what it needs
      // The view knows only this page's span; the year-long one is known from the fill.
      sink.publish(List.of(entry("w1", 2, now - 1_000, now - 500)));
    }
    assertThat(http(tables))
        .isEqualTo(
            String.join(
                "\n",
                table,
                table + ClickHouseTables.BY_OFFSET_SUFFIX,
                table + ClickHouseWriterSpans.SPANS_SUFFIX,
                table + ClickHouseWriterSpans.VIEW_SUFFIX,
                ""));
    try (ClickHousePageIndex reader =
        ClickHousePageIndex.openForReading(readerSettings("prism_strict_reader", table))) {
      assertThat(reader.spansKept()).isTrue();
      assertAnswersOf(reader, aYearLong, now);
      assertThat(reader.entriesSql("w1", new TimeRange(now - hour, now))).contains("_spans");
    }
  }

  private void assertAnswersOf(PageIndex reader, IndexEntry aYearLong, long now) throws Exception {
    assertThat(reader.entries("w1", new TimeRange(now - 3_600_000L, now - 1_000)))
        .containsExactly(aYearLong);
    assertThat(reader.holds(aYearLong)).isTrue();
    assertThat(reader.entries("w2", TimeRange.ALL)).hasSize(10);
    assertThat(reader.writers(null, 10).writers()).containsExactly("w0", "w1", "w2");
    for (int partition = 0; partition < 2; partition++) {
      assertThat(reader.entriesFromOffset("events", partition, 0, 100))
          .containsExactlyElementsOf(scanOfTheMainTable("events", partition, 0, 100))
          .hasSize(partition == 0 ? 15 : 16);
    }
  }

  @Test
  void openingATableThatIsNotThereForReadingSaysSoAndCreatesNothing() throws Exception {
    String missing = "never_created_" + UUID.randomUUID().toString().replace("-", "");
    assertThatThrownBy(
            () ->
                ClickHousePageIndex.openForReading(readerSettings("prism_strict_reader", missing)))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining(DATABASE + "." + missing)
        .hasMessageContaining("does not exist");
    assertThat(
            http(
                "SELECT count() FROM system.tables WHERE database = '"
                    + DATABASE
                    + "' AND name LIKE '"
                    + missing
                    + "%' FORMAT TSV"))
        .isEqualTo("0\n");
  }

  /**
   * Publishes, re-publishes, removes and expires at random, and after each step compares every
   * offset lookup with what the index answered before the companion table: the scan of the main
   * table ({@link #scanOfTheMainTable}).
   */
  @Test
  void offsetLookupsAnswerWhatTheScanOfTheMainTableAnswered() throws Exception {
    Random random = new Random(42);
    List<IndexEntry> published = new ArrayList<>();
    long[] nextOffset = new long[6];
    for (int step = 0; step < 12; step++) {
      int action =
          step < 3 ? 0 : step < 6 ? step - 2 : random.nextInt(4); // each kind at least once
      switch (action) {
        case 0, 1 -> {
          List<IndexEntry> batch = new ArrayList<>();
          for (int i = 0; i < 40; i++) {
            int tp = random.nextInt(6);
            long first = nextOffset[tp];
            long last = first + random.nextInt(20);
            nextOffset[tp] = last + 1;
            batch.add(
                page(
                    "w" + random.nextInt(5),
                    tp < 3 ? "events" : "events-2",
                    tp % 3,
                    first,
                    last,
                    MONTH_MS * random.nextInt(3) + first * 1_000));
          }
          if (action == 1 && !published.isEmpty()) { // re-deliveries: pages published again
            for (int i = 0; i < 10; i++) {
              batch.add(published.get(random.nextInt(published.size())));
            }
          }
          index.publish(batch);
          published.addAll(batch);
        }
        case 2 -> {
          List<IndexEntry> gone = new ArrayList<>();
          for (int i = 0; i < 8; i++) {
            gone.add(published.get(random.nextInt(published.size())));
          }
          index.remove(gone);
        }
        default -> index.expireBefore(published.get(random.nextInt(published.size())).endTime());
      }
      for (String topic : List.of("events", "events-2")) {
        for (int partition = 0; partition < 3; partition++) {
          for (long from : List.of(0L, 50L, 200L)) {
            for (int limit : List.of(3, 1000)) {
              assertThat(index.entriesFromOffset(topic, partition, from, limit))
                  .as("step %d, %s-%d from %d, limit %d", step, topic, partition, from, limit)
                  .containsExactlyElementsOf(scanOfTheMainTable(topic, partition, from, limit));
            }
          }
        }
      }
    }
    assertThat(scanOfTheMainTable("events", 0, 0, 1000))
        .as("the comparison had something to compare")
        .isNotEmpty();
  }

  @Test
  void aTablePublishedBeforeTheCompanionExistedIsCopiedIntoItOnOpen() throws Exception {
    index.close();
    dropTable(); // the empty table newIndex made
    String old = "pages_old_" + UUID.randomUUID().toString().replace("-", "");
    table = old; // dropped after the test, with its companion
    http(OLD_DDL.replace("TABLE_NAME", DATABASE + "." + old));
    List<IndexEntry> entries = new ArrayList<>();
    for (int i = 0; i < 30; i++) { // three months, so three partitions to copy
      entries.add(page("w" + i % 4, "events", i % 2, i * 10L, i * 10L + 9, MONTH_MS * (i % 3) + i));
    }
    insertByHand(old, entries);
    insertByHand(
        old, entries.subList(0, 5)); // re-published before the upgrade: copies in the main table

    // Two tasks opening at once may both see an empty companion and both fill it.
    List<ClickHousePageIndex> opened = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture.allOf(
            CompletableFuture.runAsync(() -> opened.add(ClickHousePageIndex.open(settings(old)))),
            CompletableFuture.runAsync(() -> opened.add(ClickHousePageIndex.open(settings(old)))))
        .get();
    index = opened.get(0);
    try {
      String companion = DATABASE + "." + old + ClickHouseTables.BY_OFFSET_SUFFIX;
      // One or two copies of 35 rows, fewer once a merge has replaced copies of a page: 30 pages.
      assertThat(
              http(
                  "SELECT uniqExact(page_key), count() BETWEEN 30 AND 70 FROM "
                      + companion
                      + " FORMAT TSV"))
          .isEqualTo("30\t1\n");
      for (int partition = 0; partition < 2; partition++) {
        int p = partition;
        List<IndexEntry> expected =
            entries.stream()
                .filter(e -> e.partition() == p)
                .sorted(Comparator.comparingLong(IndexEntry::lastOffset))
                .toList();
        assertThat(index.entriesFromOffset("events", partition, 0, 100))
            .containsExactlyElementsOf(expected);
        assertThat(index.entriesFromOffset("events", partition, 0, 100))
            .containsExactlyElementsOf(scanOfTheMainTable("events", partition, 0, 100));
      }

      // Opened again, the companion is not empty: nothing is copied a second time. Any insert
      // would change its set of active parts (a new part, or a merged one with a new name).
      String parts =
          "SELECT groupArray(name) FROM (SELECT name FROM system.parts WHERE database = '"
              + DATABASE
              + "' AND table = '"
              + old
              + ClickHouseTables.BY_OFFSET_SUFFIX
              + "' AND active ORDER BY name) FORMAT TSV";
      mergeToOnePartPerMonth(old + ClickHouseTables.BY_OFFSET_SUFFIX);
      String before = http(parts);
      ClickHousePageIndex.open(settings(old)).close();
      assertThat(http(parts)).isEqualTo(before);

      // A month the companion lacks (a copy that failed part way) is copied at the next open.
      http("ALTER TABLE " + companion + " DELETE WHERE toYYYYMM(start_time) = 197002");
      awaitMutations(old + ClickHouseTables.BY_OFFSET_SUFFIX);
      assertThat(http("SELECT count() FROM " + companion + " FORMAT TSV")).isEqualTo("20\n");
      ClickHousePageIndex.open(settings(old)).close();
      assertThat(http("SELECT uniqExact(page_key) FROM " + companion + " FORMAT TSV"))
          .isEqualTo("30\n");
      assertThat(
              http(
                  "SELECT toYYYYMM(start_time) AS m, count() FROM "
                      + companion
                      + " WHERE m != 197002 GROUP BY m ORDER BY m FORMAT TSV"))
          .as("the other months not copied again")
          .isEqualTo("197001\t10\n197003\t10\n");
      assertThat(index.entriesFromOffset("events", 1, 0, 100))
          .containsExactlyElementsOf(scanOfTheMainTable("events", 1, 0, 100));
    } finally {
      opened.get(1).close();
    }
  }

  /**
   * Not a check: prints how long the offset lookup takes on the main table (the scan the index did
   * before) and on the companion, over {@code -Dclickhouse.lookup.rows} entries (200,000).
   */
  @Test
  void measureTheOffsetLookupWithAndWithoutTheCompanion() throws Exception {
    int rows = Integer.getInteger("clickhouse.lookup.rows", 200_000);
    String main = DATABASE + "." + table;
    // 64 partitions of one topic, 1,000 writers, pages of 100 offsets over 90 days; the server
    // makes the rows (a publish of 200,000 entries would measure JSON, not lookups).
    long step = 90L * 24 * 3600 * 1000 / rows;
    String select =
        "SELECT concat('pages/', toString(number)) AS page_key, concat('w', toString(number % 1000)), "
            + "toInt64(intDiv(number, 64)), toInt64(1700000000000 + number * "
            + step
            + "), "
            + "toInt64(1700000000000 + number * "
            + step
            + " + 30000), "
            + "toInt64(100), toInt64(1000), toInt64(500), 'protobuf', 'zstd', 'events', toInt32(number % 64), "
            + "toInt64(intDiv(number, 64) * 100), toInt64(intDiv(number, 64) * 100 + 99) FROM system.numbers LIMIT "
            + rows;
    String companion = main + ClickHouseTables.BY_OFFSET_SUFFIX;
    http("INSERT INTO " + main + " (" + ClickHouseTables.COLUMNS + ") " + select);
    http("INSERT INTO " + companion + " (" + ClickHouseTables.COLUMNS + ") " + select);
    http("OPTIMIZE TABLE " + main + " FINAL");
    http("OPTIMIZE TABLE " + companion + " FINAL");
    long from = (rows / 64 - 5) * 100L; // a committed offset near the end: the last five pages
    List<IndexEntry> expected = scanOfTheMainTable("events", 7, from, 10_000);
    assertThat(index.entriesFromOffset("events", 7, from, 10_000))
        .containsExactlyElementsOf(expected);
    assertThat(expected).hasSizeBetween(4, 6);

    long scan = medianMillis(() -> scanOfTheMainTable("events", 7, from, 10_000));
    long lookup = medianMillis(() -> index.entriesFromOffset("events", 7, from, 10_000));
    System.out.printf(
        "ClickHouse offset lookup over %,d entries: scan of the main table %d ms, companion %d ms "
            + "(median of 15, server %s)%n",
        rows, scan, lookup, http("SELECT version() FORMAT TSV").trim());
  }

  private interface Lookup {
    List<IndexEntry> run() throws Exception;
  }

  private static long medianMillis(Lookup lookup) throws Exception {
    long[] times = new long[15];
    for (int i = 0; i < times.length; i++) {
      long started = System.nanoTime();
      lookup.run();
      times[i] = (System.nanoTime() - started) / 1_000_000;
    }
    java.util.Arrays.sort(times);
    return times[times.length / 2];
  }

  /**
   * Merges each month of a table into one part and returns once no merge is left to happen. One
   * OPTIMIZE is not enough: it does nothing while a background merge holds the parts (18.16 answers
   * it without an error), and that merge then changes the parts after the caller looked.
   */
  private static void mergeToOnePartPerMonth(String name) throws Exception {
    String monthsWithSeveralParts =
        "SELECT count() FROM (SELECT partition FROM system.parts WHERE database = '"
            + DATABASE
            + "' AND table = '"
            + name
            + "' AND active GROUP BY partition HAVING count() > 1) FORMAT TSV";
    for (int i = 0; i < 300; i++) {
      http("OPTIMIZE TABLE " + DATABASE + "." + name + " FINAL");
      if (http(monthsWithSeveralParts).equals("0\n")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(name + " still has months of several parts after 30 s");
  }

  private static void awaitMutations(String name) throws Exception {
    for (int i = 0; i < 300; i++) {
      if (http("SELECT count() FROM system.mutations WHERE database = '"
              + DATABASE
              + "' AND table = '"
              + name
              + "' AND is_done = 0 FORMAT TSV")
          .equals("0\n")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("mutations of " + name + " still running after 30 s");
  }

  static final long MONTH_MS = 31L * 24 * 3600 * 1000;

  static IndexEntry page(
      String writer, String topic, int partition, long first, long last, long startMs) {
    return new IndexEntry(
        "pages/" + topic + "/" + partition + "/" + writer + "/" + first + ".pb.zst",
        writer,
        first,
        startMs,
        startMs + 500,
        last - first + 1,
        100,
        50,
        "protobuf",
        "zstd",
        topic,
        partition,
        first,
        last);
  }

  /** The table as the index created it before the companion existed. */
  static final String OLD_DDL =
      "CREATE TABLE TABLE_NAME ("
          + "page_key String, writer_id String, page_sequence Int64, start_time_ms Int64, end_time_ms Int64, "
          + "event_count Int64, page_size_bytes Int64, storage_size_bytes Int64, format String, compression String, "
          + "topic String, kafka_partition Int32, first_offset Int64, last_offset Int64, "
          + "start_time DateTime('UTC') MATERIALIZED toDateTime(intDiv(start_time_ms, 1000), 'UTC'), "
          + "end_time DateTime('UTC') MATERIALIZED toDateTime(intDiv(end_time_ms, 1000), 'UTC')"
          + ") ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(start_time) "
          + "ORDER BY (writer_id, start_time_ms, page_sequence, page_key)";

  private static void insertByHand(String name, List<IndexEntry> entries) throws Exception {
    StringBuilder values = new StringBuilder();
    for (IndexEntry e : entries) {
      values
          .append(values.length() == 0 ? "" : ", ")
          .append("(")
          .append(
              String.join(
                  ", ",
                  ClickHouseSql.quote(e.pageKey()),
                  ClickHouseSql.quote(e.writerId()),
                  "" + e.pageSequence(),
                  "" + e.startTime(),
                  "" + e.endTime(),
                  "" + e.eventCount(),
                  "" + e.pageSizeBytes(),
                  "" + e.storageSizeBytes(),
                  ClickHouseSql.quote(e.format()),
                  ClickHouseSql.quote(e.compression()),
                  ClickHouseSql.quote(e.topic()),
                  "" + e.partition(),
                  "" + e.firstOffset(),
                  "" + e.lastOffset()))
          .append(")");
    }
    http(
        "INSERT INTO "
            + DATABASE
            + "."
            + name
            + " ("
            + ClickHouseTables.COLUMNS
            + ") VALUES "
            + values);
  }

  /** The offset lookup as the index ran it before the companion table: a scan of the main table. */
  List<IndexEntry> scanOfTheMainTable(String topic, int partition, long fromOffset, int limit)
      throws Exception {
    String rows =
        http(
            "SELECT "
                + ClickHouseTables.COLUMNS
                + " FROM "
                + DATABASE
                + "."
                + table
                + " WHERE topic = "
                + ClickHouseSql.quote(topic)
                + " AND kafka_partition = "
                + partition
                + " AND last_offset >= "
                + fromOffset
                + " ORDER BY last_offset, page_key LIMIT 1 BY page_key LIMIT "
                + limit
                + " FORMAT JSONEachRow");
    List<IndexEntry> entries = new ArrayList<>();
    try (MappingIterator<JsonNode> it =
        new ObjectMapper().readerFor(JsonNode.class).readValues(rows)) {
      while (it.hasNext()) {
        entries.add(ClickHousePageIndex.entryOf(it.next()));
      }
    }
    return entries;
  }

  /** Users bin/lib/services.sh defines with ClickHouse's readonly=2 and readonly=1 profiles. */
  static ClickHouseSettings readerSettings(String user, String table) {
    return new ClickHouseSettings(
        TestServices.clickHouseUrl(), DATABASE, table, user, new Password("reader-secret"), 0);
  }

  @Test
  void aReadOnlyUserReadsAnIndexTheSinkCreatedAndCannotWriteIt() {
    IndexEntry page = entry("w1", 1, 1_000, 2_000);
    index.publish(List.of(page));
    for (String user : List.of("prism_reader", "prism_strict_reader")) {
      try (PageIndex reader = ClickHousePageIndex.open(readerSettings(user, table))) {
        assertThat(reader.entries("w1", TimeRange.ALL)).as(user).containsExactly(page);
        assertThat(reader.entriesFromOffset(page.topic(), page.partition(), 0, 10))
            .as(user)
            .containsExactly(page);
        assertThatThrownBy(() -> reader.publish(List.of(entry("w1", 2, 3_000, 4_000))))
            .as(user)
            .isInstanceOf(IndexException.class)
            .hasMessageContaining("readonly");
      }
    }
  }

  /**
   * Where the spans cannot be made (here the sink's normal open by a user of {@code readonly=2},
   * after the spans were dropped by hand), the index still opens and answers, unbounded below.
   */
  @Test
  void anIndexWhoseSpansCannotBeMadeOpensAndAnswersUnbounded() throws Exception {
    long now = 1_700_000_000_000L;
    IndexEntry aYearLong = entry("w1", 1, now - 365 * 86_400_000L, now - 1);
    IndexEntry recent = entry("w1", 2, now - 60_000, now - 30_000);
    index.publish(List.of(aYearLong, recent));
    http("DROP TABLE " + DATABASE + "." + table + ClickHouseWriterSpans.VIEW_SUFFIX);
    http("DROP TABLE " + DATABASE + "." + table + ClickHouseWriterSpans.SPANS_SUFFIX);
    try (ClickHousePageIndex reader =
        ClickHousePageIndex.open(readerSettings("prism_reader", table))) {
      assertThat(reader.spansKept()).isFalse();
      assertThat(reader.entriesSql("w1", new TimeRange(now - 3_600_000L, now)))
          .doesNotContain("_spans");
      assertThat(reader.entries("w1", new TimeRange(now - 3_600_000L, now)))
          .containsExactly(aYearLong, recent);
    }
  }

  @Test
  void aReadOnlyUserCannotCreateTheTablesAndIsToldSo() {
    assertThatThrownBy(
            () -> ClickHousePageIndex.open(readerSettings("prism_reader", "never_created")))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining("readonly");
  }

  @Test
  void aWrongPasswordIsAnIndexErrorNamingTheServer() {
    var wrong =
        new ClickHouseSettings(
            TestServices.clickHouseUrl(), DATABASE, "t", "prism", new Password("nope"), 0);
    assertThatThrownBy(() -> ClickHousePageIndex.open(wrong))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining(TestServices.clickHouseUrl().toString());
  }

  @Test
  void aServerDownAtOpenIsNoErrorUntilACallNeedsIt() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    URI down = URI.create("http://127.0.0.1:" + closedPort);
    try (ClickHousePageIndex index =
        ClickHousePageIndex.open(
            new ClickHouseSettings(
                down, DATABASE, "t", "prism", new Password("prism-secret"), 0))) {
      assertThatThrownBy(() -> index.publish(java.util.List.of(entry("w1", 1, 10, 20))))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining(down.toString());
      assertThat(index.serverExpiresEntries()).isFalse();
    }
  }

  @Test
  void ttlNeedsAServerOfVersion19Point6OrLater() {
    assertThat(ClickHouseTables.supportsTtl("18.16.1")).isFalse();
    assertThat(ClickHouseTables.supportsTtl("19.5.3.8")).isFalse();
    assertThat(ClickHouseTables.supportsTtl("19.6.2.11")).isTrue();
    assertThat(ClickHouseTables.supportsTtl("25.3.1.1")).isTrue();
    assertThat(((ClickHousePageIndex) index).serverExpiresEntries()).isFalse();
  }

  /** A plain HTTP query as user default, bypassing the index's client. */
  static String http(String sql) throws Exception {
    URI uri =
        URI.create(
            TestServices.clickHouseUrl()
                + "/?wait_end_of_query=1&query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8));
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() != 200) {
      throw new AssertionError("ClickHouse said " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }
}
