package io.prism.snapshotter.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one {@link PageIndex} contract: every backend runs these tests against a real instance
 * (SQLite file, ClickHouse server, Redis server), each test on an empty index of its own.
 */
public abstract class PageIndexContract {
  /** Writer ids that break naive quoting, key building or parsing. */
  public static final List<String> HOSTILE_WRITER_IDS =
      List.of(
          "'",
          "\\",
          "\n",
          "'; DROP TABLE x; --",
          "\\'",
          "a'b\\'c",
          "\"quoted\"",
          "line1\nline2\r\n",
          "tab\there",
          "nul\0byte",
          "%_*?[]",
          "snapshot:a:1:2",
          "*",
          "é漢字🙂",
          " leading space",
          "end\\");

  protected PageIndex index;

  /** A new, empty index, which the test closes. */
  protected abstract PageIndex newIndex() throws Exception;

  @BeforeEach
  void openIndex() throws Exception {
    index = newIndex();
  }

  @AfterEach
  void closeIndex() {
    index.close();
  }

  public static IndexEntry entry(String writer, long sequence, long start, long end) {
    return new IndexEntry(
        "pages/" + writer.hashCode() + "/" + sequence + "-" + start + ".pb.zst",
        writer,
        sequence,
        start,
        end,
        10 + sequence % 7,
        1000 + sequence,
        400 + sequence,
        "protobuf",
        "zstd",
        "events",
        (int) (sequence % 4),
        sequence,
        sequence + 9);
  }

  /** The health checks' ping of an idle index: it answers, and adds nothing. */
  @Test
  void pingOfAWorkingIndexSucceedsAndWritesNothing() {
    index.ping();
    assertThat(index.writers(null, 10).writers()).isEmpty();
  }

  @Test
  void publishedEntriesComeBackWithEveryField() {
    List<IndexEntry> published =
        List.of(entry("w1", 1, 1_000, 2_000), entry("w1", 2, 3_000, 4_000));
    index.publish(published);

    assertThat(index.entries("w1", TimeRange.ALL)).containsExactlyElementsOf(published);
  }

  @Test
  void publishingAPageAgainCountsOnce() {
    IndexEntry first = entry("w1", 1, 1_000, 2_000);
    IndexEntry second = entry("w1", 2, 3_000, 4_000);
    index.publish(List.of(first, second));
    index.publish(List.of(first));
    index.publish(List.of(second, first, second));

    assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(first, second);
    assertThat(index.writers(null, 10).writers()).containsExactly("w1");
  }

  @Test
  void aPageIsInARangeWhenTheirTimesOverlap() {
    IndexEntry page = entry("w1", 1, 100, 200);
    index.publish(List.of(page));

    assertThat(index.entries("w1", new TimeRange(200, 300)))
        .as("range starts at page end")
        .containsExactly(page);
    assertThat(index.entries("w1", new TimeRange(201, 300)))
        .as("range starts after page end")
        .isEmpty();
    assertThat(index.entries("w1", new TimeRange(0, 100)))
        .as("range ends (exclusive) at page start")
        .isEmpty();
    assertThat(index.entries("w1", new TimeRange(0, 101)))
        .as("range ends just after page start")
        .containsExactly(page);
    assertThat(index.entries("w1", new TimeRange(150, 160)))
        .as("range inside page")
        .containsExactly(page);
    assertThat(index.entries("w1", new TimeRange(0, 1_000)))
        .as("page inside range")
        .containsExactly(page);
  }

  /**
   * Times far from now: a producer sending nanoseconds or microseconds as milliseconds, or a clock
   * before 1970. The index keeps and finds them by their exact times (Redis's scores are doubles,
   * exact only to 2^53 ms; its spans and range starts are computed without overflow).
   */
  @Test
  void pagesWithTimesFarFromNowAreFoundByTheirExactTimes() {
    long nanos = 1_700_000_000_000_000_000L; // a multiple of 256: 1 ms later is the same double
    IndexEntry nanosAsMillis = entry("w1", 1, nanos, nanos);
    IndexEntry atTheEnd = entry("w1", 2, Long.MAX_VALUE - 10, Long.MAX_VALUE);
    long century = 100L * 365 * 86_400_000;
    IndexEntry beforeEpoch = entry("w1", 3, -century, -century + 5);
    // Its span (end - start) does not fit in a long.
    IndexEntry wide = entry("w2", 4, -5_000_000_000_000_000_000L, 5_000_000_000_000_000_000L);
    index.publish(List.of(nanosAsMillis, atTheEnd, beforeEpoch, wide));

    assertThat(index.entries("w1", new TimeRange(nanos, nanos + 1))).containsExactly(nanosAsMillis);
    assertThat(index.entries("w1", new TimeRange(nanos - 1_000, nanos))).isEmpty();
    assertThat(index.entries("w1", new TimeRange(Long.MAX_VALUE - 5, Long.MAX_VALUE - 4)))
        .containsExactly(atTheEnd);
    assertThat(index.entries("w1", new TimeRange(-century, -century + 1)))
        .containsExactly(beforeEpoch);
    assertThat(index.entries("w1", TimeRange.ALL))
        .containsExactly(beforeEpoch, nanosAsMillis, atTheEnd);
    assertThat(index.entries("w2", new TimeRange(0, 1))).containsExactly(wide);
    assertThat(
            index.entries(
                "w2", new TimeRange(-6_000_000_000_000_000_000L, -5_000_000_000_000_000_000L + 1)))
        .containsExactly(wide);

    index.expireBefore(nanos + 1);
    assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(atTheEnd);
  }

  /**
   * A range ending at {@link Long#MAX_VALUE} has no end ({@link TimeRange}): a page that starts at
   * the very last millisecond is found by queries for all time and from any earlier time, though no
   * half-open end lies past it.
   */
  @Test
  void aPageStartingAtTheLastMillisecondIsFoundByRangesWithoutAnEnd() {
    IndexEntry last = entry("w1", 1, Long.MAX_VALUE, Long.MAX_VALUE);
    IndexEntry nearlyLast = entry("w1", 2, Long.MAX_VALUE - 1, Long.MAX_VALUE - 1);
    IndexEntry now = entry("w1", 3, 1_700_000_000_000L, 1_700_000_001_000L);
    index.publish(List.of(last, nearlyLast, now));

    assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(now, nearlyLast, last);
    assertThat(index.entries("w1", new TimeRange(0, Long.MAX_VALUE)))
        .containsExactly(now, nearlyLast, last);
    assertThat(index.entries("w1", new TimeRange(Long.MAX_VALUE, Long.MAX_VALUE)))
        .containsExactly(last);
    assertThat(index.entries("w1", new TimeRange(Long.MAX_VALUE - 1, Long.MAX_VALUE - 1)))
        .as("an empty half-open range before the last millisecond")
        .isEmpty();
    assertThat(index.entries("w1", new TimeRange(0, Long.MAX_VALUE - 1)))
        .as("a range with an end leaves out pages starting at or after it")
        .containsExactly(now);
  }

  @Test
  void entriesAreOrderedByStartTimeThenSequence() {
    List<IndexEntry> expected =
        List.of(
            entry("w1", 7, 1_000, 1_000),
            entry("w1", 9, 1_000, 1_500),
            entry("w1", 10, 1_000, 1_200),
            entry("w1", 3, 2_000, 5_000),
            entry("w1", 100, 2_500, 2_600));
    List<IndexEntry> shuffled = new ArrayList<>(expected);
    Collections.shuffle(shuffled, new Random(7));
    index.publish(shuffled);

    assertThat(index.entries("w1", TimeRange.ALL)).containsExactlyElementsOf(expected);
  }

  @Test
  void aQueryReturnsOnlyItsOwnWritersEntries() {
    index.publish(
        List.of(
            entry("w", 1, 10, 20),
            entry("w1", 2, 10, 20),
            entry("W", 3, 10, 20),
            entry("w ", 4, 10, 20)));

    assertThat(index.entries("w", TimeRange.ALL))
        .extracting(IndexEntry::pageSequence)
        .containsExactly(1L);
    assertThat(index.entries("nobody", TimeRange.ALL)).isEmpty();
  }

  @Test
  void hundredThousandEntriesOfOneWriter() {
    int count = 100_000;
    List<IndexEntry> batch = new ArrayList<>(10_000);
    for (int i = 0; i < count; i++) {
      batch.add(entry("busy", i, 1_700_000_000_000L + i * 10L, 1_700_000_000_000L + i * 10L + 9));
      if (batch.size() == 10_000) {
        index.publish(batch);
        batch.clear();
      }
    }

    List<IndexEntry> all = index.entries("busy", TimeRange.ALL);
    assertThat(all).hasSize(count);
    assertThat(all).isSortedAccordingTo(IndexEntry.QUERY_ORDER);
    assertThat(all.get(0).pageSequence()).isZero();
    assertThat(all.get(count - 1).pageSequence()).isEqualTo(count - 1);
    // Pages 1000..1999 start at +10000..+19990; the range [+10000, +20000) holds exactly them.
    List<IndexEntry> slice =
        index.entries(
            "busy", new TimeRange(1_700_000_000_000L + 10_000, 1_700_000_000_000L + 20_000));
    assertThat(slice).extracting(IndexEntry::pageSequence).first().isEqualTo(1_000L);
    assertThat(slice).hasSize(1_000);
    assertThat(walk("busy", 1_000)).containsExactlyElementsOf(all);
  }

  /**
   * A page that lasted long (a writer quiet for a year, whose page then ran from its last event a
   * year ago to now) overlaps a recent range though it started long before: backends that bound a
   * time query from below by the writer's longest page (SQLite, Redis) still find it, whether it
   * was published before the writer's many short pages or after them.
   */
  @Test
  void aLongPageFromFarInThePastIsFoundByTheRecentRangesItReaches() {
    long now = 1_700_000_000_000L;
    long hour = 3_600_000L;
    long year = 365 * 24 * hour;
    IndexEntry aYearLong = entry("w1", 1, now - year, now - 1);
    index.publish(List.of(aYearLong));
    List<IndexEntry> halfMinutePages = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) { // from 10 h ago to 1 h 40 min ago
      long start = now - 10 * hour + i * 30_000L;
      halfMinutePages.add(entry("w1", 10 + i, start, start + 29_999));
    }
    index.publish(halfMinutePages);
    List<IndexEntry> lastHalfHour = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      long start = now - hour / 2 + i * 60_000L;
      lastHalfHour.add(entry("w1", 2_000 + i, start, start + 59_999));
    }
    index.publish(lastHalfHour);
    index.publish(List.of(entry("w2", 1, now - 10, now - 5))); // another writer's short page

    List<IndexEntry> lastHour = new ArrayList<>(List.of(aYearLong));
    lastHour.addAll(lastHalfHour);
    assertThat(index.entries("w1", new TimeRange(now - hour, now)))
        .containsExactlyElementsOf(lastHour);
    assertThat(index.entries("w1", new TimeRange(now - hour, Long.MAX_VALUE)))
        .as("without an end")
        .containsExactlyElementsOf(lastHour);
    assertThat(index.entries("w1", new TimeRange(now - 200 * 24 * hour, now - 199 * 24 * hour)))
        .containsExactly(aYearLong);
    assertThat(index.holds(aYearLong)).isTrue();

    IndexEntry twoYearsLong = entry("w1", 3_000, now - 2 * year, now - hour + 5);
    index.publish(List.of(twoYearsLong));
    lastHour.add(0, twoYearsLong);
    assertThat(index.entries("w1", new TimeRange(now - hour, now)))
        .containsExactlyElementsOf(lastHour);
    assertThat(index.entries("w1", new TimeRange(now - hour + 6, now)))
        .as("it ends just before")
        .doesNotContain(twoYearsLong)
        .contains(aYearLong);
    assertThat(index.holds(twoYearsLong)).isTrue();
  }

  /**
   * The bound a backend puts on a time query (the writer's longest span) must hold through the
   * index's other changes: the long page removed, the writer's every page removed and the long page
   * published again (a reindex), the short pages around it expired.
   */
  @Test
  void aLongPageIsFoundByRecentRangesAfterRemovalsRepublishingAndExpiry() {
    long now = 1_700_000_000_000L;
    long minute = 60_000L;
    long hour = 60 * minute;
    IndexEntry aYearLong = entry("w1", 1, now - 365 * 24 * hour, now - 1);
    List<IndexEntry> minutePages = new ArrayList<>();
    for (int i = 0; i < 120; i++) { // the last two hours
      long start = now - 2 * hour + i * minute;
      minutePages.add(entry("w1", 10 + i, start, start + minute - 1));
    }
    List<IndexEntry> lastHourPages = minutePages.subList(60, 120);
    TimeRange lastHour = new TimeRange(now - hour, now);
    index.publish(List.of(aYearLong));
    index.publish(minutePages);

    index.remove(List.of(aYearLong));
    assertThat(index.entries("w1", lastHour))
        .as("removed")
        .containsExactlyElementsOf(lastHourPages);

    index.remove(minutePages);
    assertThat(index.entries("w1", TimeRange.ALL)).isEmpty();
    index.publish(lastHourPages);
    index.publish(List.of(aYearLong)); // published again, after the writer's short pages
    List<IndexEntry> expected = new ArrayList<>(List.of(aYearLong));
    expected.addAll(lastHourPages);
    assertThat(index.entries("w1", lastHour))
        .as("published again")
        .containsExactlyElementsOf(expected);

    index.expireBefore(now - 10 * minute);
    assertThat(index.entries("w1", new TimeRange(now - 5 * minute, now)))
        .as("after expiry")
        .containsExactlyElementsOf(
            List.of(
                aYearLong,
                lastHourPages.get(55),
                lastHourPages.get(56),
                lastHourPages.get(57),
                lastHourPages.get(58),
                lastHourPages.get(59)));
    assertThat(index.holds(aYearLong)).isTrue();
  }

  @Test
  void tenThousandWritersArePagedThroughInByteOrder() {
    List<IndexEntry> entries = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      String writer = "writer-" + Integer.toString(i * 7919 % 10_000, 36) + "-" + i;
      expected.add(writer);
      entries.add(entry(writer, i, 1_000 + i, 2_000 + i));
    }
    index.publish(entries);
    expected.sort(UTF8_ORDER);

    List<String> listed = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      WriterPage page = index.writers(after, 999);
      listed.addAll(page.writers());
      after = page.next();
      pages++;
    } while (after != null && pages < 100);
    assertThat(listed).containsExactlyElementsOf(expected);
  }

  @Test
  void hostileWriterIdsAreDataNotCode() {
    List<IndexEntry> entries = new ArrayList<>();
    for (int i = 0; i < HOSTILE_WRITER_IDS.size(); i++) {
      entries.add(entry(HOSTILE_WRITER_IDS.get(i), i, 1_000, 2_000));
    }
    index.publish(entries);

    for (int i = 0; i < HOSTILE_WRITER_IDS.size(); i++) {
      String writer = HOSTILE_WRITER_IDS.get(i);
      assertThat(index.entries(writer, TimeRange.ALL))
          .as("entries of %s", writer)
          .containsExactly(entries.get(i));
    }
    List<String> expected = new ArrayList<>(HOSTILE_WRITER_IDS);
    expected.sort(UTF8_ORDER);
    assertThat(index.writers(null, 1_000).writers()).containsExactlyElementsOf(expected);
    List<String> pagedByOne = new ArrayList<>();
    String after = null;
    do {
      WriterPage page = index.writers(after, 1);
      pagedByOne.addAll(page.writers());
      after = page.next();
    } while (after != null);
    assertThat(pagedByOne).containsExactlyElementsOf(expected);
  }

  @Test
  void expiryRemovesPagesThatEndedBeforeTheCutoff() {
    IndexEntry old = entry("w1", 1, 500, 1_000);
    IndexEntry atCutoff = entry("w1", 2, 1_500, 2_000);
    IndexEntry recent = entry("w1", 3, 2_500, 3_000);
    IndexEntry otherOld = entry("w2", 4, 100, 200);
    index.publish(List.of(old, atCutoff, recent, otherOld));

    index.expireBefore(2_000);

    assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(atCutoff, recent);
    assertThat(index.entries("w2", TimeRange.ALL)).isEmpty();
    assertThat(index.writers(null, 10).writers()).containsExactly("w1");
  }

  @Test
  void removeTakesOutOnlyTheNamedPages() {
    IndexEntry first = entry("w1", 1, 1_000, 2_000);
    IndexEntry second = entry("w1", 2, 3_000, 4_000);
    IndexEntry third = entry("w1", 3, 3_000, 5_000);
    IndexEntry otherWriters = entry("w2", 2, 3_000, 4_000);
    index.publish(List.of(first, second, third, otherWriters));

    index.remove(List.of(second));

    assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(first, third);
    assertThat(index.entries("w2", TimeRange.ALL)).containsExactly(otherWriters);
    index.remove(List.of(second, entry("w3", 9, 1, 2)));
    assertThat(index.entries("w1", TimeRange.ALL))
        .as("removing what is gone is no error")
        .containsExactly(first, third);
  }

  @Test
  void removingAWritersLastPagesRemovesTheWriter() {
    IndexEntry only = entry("w1", 1, 1_000, 2_000);
    IndexEntry kept = entry("w2", 1, 1_000, 2_000);
    index.publish(List.of(only, kept));

    index.remove(List.of(only));

    assertThat(index.entries("w1", TimeRange.ALL)).isEmpty();
    assertThat(index.writers(null, 10).writers()).containsExactly("w2");
  }

  @Test
  void aRemovedPagePublishedAgainIsBack() {
    IndexEntry page = entry("w1", 1, 1_000, 2_000);
    index.publish(List.of(page));
    index.remove(List.of(page));

    index.publish(List.of(page));

    assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(page);
  }

  @Test
  void oneWritersPagesFromTwoPartitionsOrTopicsStartingAlikeAreBothKept() {
    // A sink page's sequence is its first offset: unique only within its topic-partition.
    IndexEntry p0 = pageAt("w1", "events", 0, 10, 19);
    IndexEntry p1 = pageAt("w1", "events", 1, 10, 19);
    IndexEntry mirror = pageAt("w1", "events-mirror", 0, 10, 19);
    index.publish(List.of(p0, p1, mirror));
    index.publish(List.of(p1));

    assertThat(index.entries("w1", TimeRange.ALL)).containsExactlyInAnyOrder(p0, p1, mirror);
    index.remove(List.of(p1));
    assertThat(index.entries("w1", TimeRange.ALL)).containsExactlyInAnyOrder(p0, mirror);
  }

  @Test
  void writerIdsAndTopicsHoldingTheIndexsSeparatorsNeverShareAnEntry() {
    // Redis keys an entry by writer, start, sequence, partition and topic joined by ':'; a ':' in a
    // writer id or topic (a topic renamed by a transform) must not make two pages one.
    IndexEntry a = slotted("w", 1_000, 5, 0, "1:x");
    IndexEntry b = slotted("w:1000", 5, 0, 1, "x");
    index.publish(List.of(a, b));

    assertThat(index.entries("w", TimeRange.ALL)).containsExactly(a);
    assertThat(index.entries("w:1000", TimeRange.ALL)).containsExactly(b);
    assertThat(index.entriesFromOffset("1:x", 0, 0, 10)).containsExactly(a);
    assertThat(index.entriesFromOffset("x", 1, 0, 10)).containsExactly(b);
  }

  @Test
  void pagesStartingAlikeComeInTheUtf8ByteOrderOfTheirKeys() {
    // U+FF61 is EF BD A1 in UTF-8, before F0 9F 99 82 (U+1F642); Java's String order (UTF-16)
    // puts it after. SQLite and ClickHouse sort by bytes: so must every backend.
    IndexEntry bmp = withKey(slotted("w1", 1_000, 7, 0, "events"), "pages/w1/\uFF61-7");
    IndexEntry astral = withKey(slotted("w1", 1_000, 7, 1, "events"), "pages/w1/\uD83D\uDE42-7");
    index.publish(List.of(astral, bmp));

    assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(bmp, astral);
  }

  /** Walks the writer's entries with {@link PageIndex#entryPage}, checking each batch's size. */
  protected List<IndexEntry> walk(String writer, int limit) {
    List<IndexEntry> walked = new ArrayList<>();
    EntryCursor cursor = EntryCursor.FIRST;
    int batches = 0;
    while (cursor != null) {
      EntryPage page = index.entryPage(writer, cursor, limit);
      assertThat(page.entries())
          .as("batch %d of %s", batches, writer)
          .hasSizeLessThanOrEqualTo(limit);
      walked.addAll(page.entries());
      cursor = page.next();
      assertThat(++batches).as("batches of %s", writer).isLessThan(100_000);
    }
    return walked;
  }

  /**
   * A walk in batches meets every entry once, in the order of entries(): pages starting alike (one
   * start time shared by more entries than a batch holds, keys in UTF-8 byte order), times far from
   * now (Redis's scores are doubles: from 2^53 ms several start times share one), the very ends of
   * time, and another writer's entries left out.
   */
  @Test
  void aWalkInBatchesMeetsEveryEntryOnceInQueryOrder() {
    List<IndexEntry> entries = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      entries.add(
          entry("w1", i, 1_700_000_000_000L + (i / 10) * 1_000, 1_700_000_000_000L + 5_000));
    }
    for (int i = 0; i < 7; i++) {
      entries.add(withKey(slotted("w1", 5_000, 3, i, "t" + i), "pages/w1/\uFF61-" + i));
      entries.add(withKey(slotted("w1", 5_000, 3, i, "u" + i), "pages/w1/\uD83D\uDE42-" + i));
    }
    long nanos = 1_700_000_000_000_000_000L;
    for (int i = 0; i < 5; i++) {
      entries.add(entry("w1", 100 + i, nanos + i, nanos + i)); // one double score
    }
    entries.add(entry("w1", 200, Long.MAX_VALUE, Long.MAX_VALUE));
    entries.add(entry("w1", 201, Long.MIN_VALUE, Long.MIN_VALUE + 5));
    entries.add(entry("w1", 202, -5_000_000_000_000_000_000L, 5_000_000_000_000_000_000L));
    List<IndexEntry> others = List.of(entry("w", 1, 5_000, 5_001), entry("w1 ", 2, 5_000, 5_001));
    List<IndexEntry> shuffled = new ArrayList<>(entries);
    shuffled.addAll(others);
    Collections.shuffle(shuffled, new Random(11));
    index.publish(shuffled);
    List<IndexEntry> expected = index.entries("w1", TimeRange.ALL);
    assertThat(expected).containsExactlyInAnyOrderElementsOf(entries);

    for (int limit : List.of(1, 2, 3, 7, 13, 64, 1_000)) {
      assertThat(walk("w1", limit)).as("limit %d", limit).containsExactlyElementsOf(expected);
    }
    assertThat(walk("w", 2)).containsExactly(others.get(0));
    assertThat(walk("nobody", 5)).isEmpty();
  }

  /** A repair removes entries behind the walk: the walk goes on where it was. */
  @Test
  void entriesRemovedBehindAWalkDoNotShiftIt() {
    List<IndexEntry> entries = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      entries.add(entry("w1", i, 1_000 + (i / 3) * 10L, 2_000));
    }
    index.publish(entries);
    List<IndexEntry> expected = index.entries("w1", TimeRange.ALL);

    List<IndexEntry> walked = new ArrayList<>();
    EntryCursor cursor = EntryCursor.FIRST;
    while (cursor != null) {
      EntryPage page = index.entryPage("w1", cursor, 4);
      walked.addAll(page.entries());
      index.remove(page.entries().stream().filter(e -> e.pageSequence() % 2 == 0).toList());
      cursor = page.next();
    }

    assertThat(walked).containsExactlyElementsOf(expected);
    assertThat(index.entries("w1", TimeRange.ALL))
        .allMatch(e -> e.pageSequence() % 2 == 1)
        .hasSize(15);
  }

  @Test
  void aBatchOfNoEntriesIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> index.entryPage("w1", EntryCursor.FIRST, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** A page of {@code writer} at the given slot; its key names writer, topic and sequence. */
  static IndexEntry slotted(String writer, long start, long sequence, int partition, String topic) {
    return new IndexEntry(
        "pages/" + writer + "/" + topic + "/" + partition + "/" + sequence + ".pb.zst",
        writer,
        sequence,
        start,
        start + 10,
        2,
        100,
        50,
        "protobuf",
        "zstd",
        topic,
        partition,
        sequence,
        sequence + 1);
  }

  @Test
  void removeMatchesThePageKeyNotTheSlot() {
    // A merged page shares writer and start time with the first page it replaces.
    IndexEntry source = entry("w1", 5, 1_000, 2_000);
    IndexEntry merged =
        withKey(entry("w1", -77, 1_000, 9_000), source.pageKey() + "_c0123456789abcdef");
    index.publish(List.of(source, merged));

    index.remove(List.of(source));

    assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(merged);
  }

  @Test
  void hostilePageKeysAreRemovedAsData() {
    List<IndexEntry> entries = new ArrayList<>();
    for (int i = 0; i < HOSTILE_WRITER_IDS.size(); i++) {
      entries.add(withKey(entry("w1", i, 1_000 + i, 2_000), "k/" + HOSTILE_WRITER_IDS.get(i)));
    }
    IndexEntry survivor = entry("w1", 99, 5_000, 6_000);
    entries.add(survivor);
    index.publish(entries);

    index.remove(entries.subList(0, HOSTILE_WRITER_IDS.size()));

    assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(survivor);
  }

  @Test
  void thousandsOfPagesAreRemovedInOneCall() {
    List<IndexEntry> entries = new ArrayList<>();
    for (int i = 0; i < 6_000; i++) {
      entries.add(entry("w1", i, i * 10L, i * 10L + 5));
    }
    index.publish(entries);
    List<IndexEntry> even = new ArrayList<>();
    List<IndexEntry> odd = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      (i % 2 == 0 ? even : odd).add(entries.get(i));
    }

    index.remove(even);

    assertThat(index.entries("w1", TimeRange.ALL)).containsExactlyElementsOf(odd);
  }

  /** A page of {@code writer} from offsets {@code first..last} of a topic-partition. */
  static IndexEntry pageAt(String writer, String topic, int partition, long first, long last) {
    return new IndexEntry(
        "pages/"
            + Integer.toHexString(topic.hashCode())
            + "/"
            + partition
            + "/"
            + Integer.toHexString(writer.hashCode())
            + "/"
            + first
            + ".pb.zst",
        writer,
        first,
        1_000 + first,
        1_000 + last,
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

  @Test
  void entriesFromOffsetFindTheTopicPartitionsPagesThatEndAtOrAfterIt() {
    IndexEntry endsBefore = pageAt("w1", "events", 0, 0, 9);
    IndexEntry endsAt = pageAt("w2", "events", 0, 5, 20);
    IndexEntry spans = pageAt("w1", "events", 0, 10, 29);
    IndexEntry after = pageAt("w2", "events", 0, 21, 40);
    // Other start offsets: Redis keys an entry by writer, start time and sequence (the RFC's key).
    IndexEntry otherPartition = pageAt("w1", "events", 1, 11, 30);
    IndexEntry otherTopic = pageAt("w1", "events-2", 0, 12, 30);
    index.publish(List.of(after, otherTopic, endsBefore, spans, endsAt, otherPartition));
    index.publish(List.of(spans)); // a re-delivered page, published again

    assertThat(index.entriesFromOffset("events", 0, 20, 100)).containsExactly(endsAt, spans, after);
    assertThat(index.entriesFromOffset("events", 0, 20, 2))
        .as("over the limit, those that end first")
        .containsExactly(endsAt, spans);
    assertThat(index.entriesFromOffset("events", 0, 0, 100))
        .containsExactly(endsBefore, endsAt, spans, after);
    assertThat(index.entriesFromOffset("events", 0, 41, 100)).isEmpty();
    assertThat(index.entriesFromOffset("events", 1, 0, 100)).containsExactly(otherPartition);
    assertThat(index.entriesFromOffset("events", 2, 0, 100)).isEmpty();
    assertThat(index.entriesFromOffset("nope", 0, 0, 100)).isEmpty();
  }

  @Test
  void entriesFromOffsetKeepEveryTopicNameApart() {
    List<IndexEntry> pages = new ArrayList<>();
    int i = 0;
    for (String topic : HOSTILE_WRITER_IDS) {
      pages.add(pageAt("w" + i, topic, i % 2, 100 + i, 200 + i));
      i++;
    }
    pages.add(pageAt("w", "1:x", 0, 5, 6)); // against a key of partition 0 plus a topic "1:x" ...
    pages.add(
        pageAt("w", "x", 1, 7, 8)); // ... colliding with partition 1 of a topic "x" and the like
    index.publish(pages);

    for (IndexEntry page : pages) {
      assertThat(index.entriesFromOffset(page.topic(), page.partition(), 0, 100))
          .as(page.topic())
          .containsExactly(page);
    }
  }

  @Test
  void removedAndExpiredEntriesLeaveTheOffsetQuery() {
    IndexEntry removed = pageAt("w1", "events", 0, 0, 9);
    IndexEntry expired = pageAt("w2", "events", 0, 10, 19);
    IndexEntry kept = pageAt("w3", "events", 0, 20, 29);
    index.publish(List.of(removed, expired, kept));

    index.remove(List.of(removed));
    index.expireBefore(expired.endTime() + 1);

    assertThat(index.entriesFromOffset("events", 0, 0, 100)).containsExactly(kept);
  }

  static IndexEntry withKey(IndexEntry e, String key) {
    return new IndexEntry(
        key,
        e.writerId(),
        e.pageSequence(),
        e.startTime(),
        e.endTime(),
        e.eventCount(),
        e.pageSizeBytes(),
        e.storageSizeBytes(),
        e.format(),
        e.compression(),
        e.topic(),
        e.partition(),
        e.firstOffset(),
        e.lastOffset());
  }

  /**
   * UTF-8 byte order, computed from the bytes themselves (String.compareTo compares UTF-16 units);
   * the indexes' own comparator (Utf8.BYTE_ORDER) compares code points without encoding.
   */
  public static final Comparator<String> UTF8_ORDER =
      (a, b) ->
          Arrays.compareUnsigned(
              a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
}
