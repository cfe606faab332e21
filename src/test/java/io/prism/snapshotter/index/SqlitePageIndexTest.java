package io.prism.snapshotter.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlitePageIndexTest extends PageIndexContract {
  private static final long NOW = 1_700_000_000_000L;
  private static final long HOUR = 3_600_000L;
  private static final long YEAR = 365 * 24 * HOUR;

  @TempDir Path dir;

  /**
   * Connect starts a connector's tasks side by side, and each opens the same new index file: an
   * open that meets another's schema writes waits for them, and does not fail the task with
   * SQLITE_BUSY (seen in SinkRoundTripIT: one of two tasks killed at start).
   */
  @Test
  void anOpenWaitsForAnotherConnectionsWritesToTheNewFile() throws Exception {
    Path path = dir.resolve("locked.db");
    ExecutorService opener = Executors.newSingleThreadExecutor();
    try (Connection other = DriverManager.getConnection(SqlitePageIndex.jdbcUrl(path));
        Statement writes = other.createStatement()) {
      // Another opener amid its first writes to the new file: it holds the write lock, and
      // commits while this open holds a read lock and waits to write (its journal mode).
      writes.execute("BEGIN IMMEDIATE");
      writes.execute("CREATE TABLE not_yet_committed (x INTEGER)");
      Future<?> open = opener.submit(() -> SqlitePageIndex.open(path).close());
      Thread.sleep(500);
      assertThat(open).isNotDone();
      writes.execute("COMMIT");
      open.get(30, TimeUnit.SECONDS);
    } finally {
      opener.shutdownNow();
    }
  }

  @Override
  protected PageIndex newIndex() {
    return SqlitePageIndex.open(file());
  }

  private Path file() {
    return dir.resolve("nested/dir/index.db");
  }

  @Test
  void entriesSurviveReopeningTheFile() {
    IndexEntry page = entry("w1", 1, 10, 20);
    index.publish(List.of(page));
    index.close();

    index = newIndex();
    assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(page);
  }

  /**
   * The driver read "jdbc:sqlite:" + path's '?' as the start of its parameters: {@code a?b#c%20&d}
   * opened {@code a?d/index.db&b#c%20} (parameters reordered), which does not exist, and {@code
   * x?journal_mode=wal} opened {@code x}, a directory, with the rest taken as a pragma's value.
   */
  @Test
  void aPathWithUrlCharactersOpensThatVeryFile() throws Exception {
    for (String name : List.of("a?b#c%20&d", "x?journal_mode=wal", "100% é #1")) {
      Path odd = dir.resolve("odd").resolve(name).resolve("index.db");
      IndexEntry page = entry("w1", 1, 10, 20);
      try (SqlitePageIndex created = SqlitePageIndex.open(odd)) {
        created.publish(List.of(page));
      }
      assertThat(odd).as(name).isRegularFile();
      try (Stream<Path> files = Files.list(dir.resolve("odd"))) {
        assertThat(files).as("nothing beside %s", name).hasSize(1);
      }
      try (SqlitePageIndex existing = SqlitePageIndex.openExisting(odd)) {
        assertThat(existing.entries("w1", TimeRange.ALL)).containsExactly(page);
      }
      deleteRecursively(dir.resolve("odd"));
    }
  }

  /** For the commands that read an index: no file is created, nor a directory above it. */
  @Test
  void openingAnExistingIndexThatIsNotThereFailsAndCreatesNothing() {
    Path absent = dir.resolve("typo/index.db");
    assertThatThrownBy(() -> SqlitePageIndex.openExisting(absent))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining(absent.toString());
    assertThat(absent.getParent()).doesNotExist();
    assertThatThrownBy(() -> SqlitePageIndex.openExisting(dir.resolve("absent.db")))
        .isInstanceOf(IndexException.class);
    assertThat(dir.resolve("absent.db")).doesNotExist();
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  @Test
  void aPublishIsSyncedToDiskBeforeItReturns() {
    // WAL mode's usual synchronous=NORMAL may lose a committed publish on power failure, after
    // the sink has committed the offsets past its page; FULL syncs the WAL at every commit.
    assertThat(((SqlitePageIndex) index).synchronousSetting()).isEqualTo(2);
  }

  /**
   * Replay of the last hour and the per-page look-ups ({@link PageIndex#holds}) read the writer's
   * recent rows, not the 20,000 before: SQLite searches the (writer, start) index between {@code
   * from - longest span} and the range's end, even with {@code ANALYZE}'s statistics of a file
   * holding one writer.
   */
  @Test
  void aRecentRangeIsSearchedBetweenTwoBoundsOnStartTime() throws SQLException {
    List<IndexEntry> minutePages = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      long start = NOW - 100 * 24 * HOUR + i * 60_000L;
      minutePages.add(entry("w1", i, start, start + 59_999));
    }
    index.publish(minutePages);
    List<IndexEntry> recent = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      long start = NOW - HOUR / 2 + i * 60_000L;
      recent.add(entry("w1", 100_000 + i, start, start + 59_999));
    }
    index.publish(recent);
    index.close();
    try (Connection sql = DriverManager.getConnection("jdbc:sqlite:" + file());
        Statement statement = sql.createStatement()) {
      statement.execute("ANALYZE");
    }
    index = newIndex();
    SqlitePageIndex sqlite = (SqlitePageIndex) index;

    String bothBounds =
        "SEARCH pages USING INDEX pages_by_writer_time (writer_id=? AND start_time>? AND start_time<?)";
    for (TimeRange range :
        List.of(new TimeRange(NOW - HOUR, NOW), new TimeRange(NOW - HOUR, Long.MAX_VALUE))) {
      assertThat(sqlite.entriesPlan("w1", range)).as("plan of %s", range).contains(bothBounds);
      assertThat(String.join("\n", sqlite.entriesPlan("w1", range)))
          .doesNotContain("pages_by_end_time");
      assertThat(index.entries("w1", range)).containsExactlyElementsOf(recent);
    }
    assertThat(sqlite.entriesPlan("w1", TimeRange.ofPage(NOW - HOUR / 2, NOW)))
        .contains(bothBounds);
  }

  /**
   * A file written before the span table (pages, no spans, no triggers) gets each writer's longest
   * span from its pages when opened: the pages published next do not hide an old long one.
   */
  @Test
  void aFileWithPagesButNoSpansGetsThemFromItsPagesWhenOpened() throws SQLException {
    index.close();
    Path file = dir.resolve("older.db");
    IndexEntry aYearLong = entry("w1", 1, NOW - YEAR, NOW - 1);
    IndexEntry wide = entry("w3", 1, -5_000_000_000_000_000_000L, 5_000_000_000_000_000_000L);
    try (Connection sql = olderVersionsFile(file)) {
      insertAsAnOlderVersion(sql, aYearLong);
      for (int i = 0; i < 100; i++) {
        long start = NOW - 10 * HOUR + i * 60_000L;
        insertAsAnOlderVersion(sql, entry("w1", 10 + i, start, start + 59_999));
      }
      insertAsAnOlderVersion(sql, entry("w2", 1, 1_000, 1_500));
      insertAsAnOlderVersion(sql, wide);
    }

    index = SqlitePageIndex.open(file);
    IndexEntry published = entry("w1", 500, NOW - 60_000, NOW - 30_000);
    index.publish(List.of(published));

    assertThat(index.entries("w1", new TimeRange(NOW - HOUR, NOW)))
        .containsExactly(aYearLong, published);
    assertThat(index.entries("w3", new TimeRange(0, 1))).containsExactly(wide);
    assertThat(spans(file))
        .containsExactlyEntriesOf(
            new TreeMap<>(Map.of("w1", YEAR - 1, "w2", 500L, "w3", Long.MAX_VALUE)));
    assertThat(spanTypes(file)).as("no overflow into a REAL").containsOnly("integer");
  }

  /**
   * The spans are a way to read fewer rows, not a reason to fail: a file whose write lock another
   * process holds past the busy timeout (10 s) as the index adds them opens anyway, its queries
   * unbounded as before, and gets them at a later open.
   */
  @Test
  void aFileThatCannotTakeTheSpansNowIsOpenedWithoutThem() throws Exception {
    index.close();
    Path file = dir.resolve("locked.db");
    IndexEntry aYearLong = entry("w1", 1, NOW - YEAR, NOW - 1);
    IndexEntry recent = entry("w1", 2, NOW - 60_000, NOW - 30_000);
    try (Connection olderVersion = olderVersionsFile(file)) {
      insertAsAnOlderVersion(olderVersion, aYearLong);
      insertAsAnOlderVersion(olderVersion, recent);
      try (Statement statement = olderVersion.createStatement()) {
        statement.execute("BEGIN IMMEDIATE");
        index = SqlitePageIndex.open(file);
        statement.execute("COMMIT");
      }
    }
    assertThat(index.entries("w1", new TimeRange(NOW - HOUR, NOW)))
        .containsExactly(aYearLong, recent);
    assertThat(((SqlitePageIndex) index).entriesPlan("w1", new TimeRange(NOW - HOUR, NOW)))
        .anyMatch(step -> step.contains("(writer_id=? AND start_time<?)"));
    index.close();

    index = SqlitePageIndex.open(file);
    assertThat(spans(file)).containsExactlyEntriesOf(Map.of("w1", YEAR - 1));
    assertThat(index.entries("w1", new TimeRange(NOW - HOUR, NOW)))
        .containsExactly(aYearLong, recent);
  }

  /**
   * Replay, pages list and check --read-only open the file only to read it: a file of a version
   * before the span table is not given one (nor anything else), and is answered from, unbounded.
   */
  @Test
  void aFileOfAnOlderVersionIsReadAsItIsWithoutWritingIt() throws Exception {
    index.close();
    Path file = dir.resolve("older.db");
    IndexEntry aYearLong = entry("w1", 1, NOW - YEAR, NOW - 1);
    IndexEntry recent = entry("w1", 2, NOW - 60_000, NOW - 30_000);
    OlderSqliteIndexFile.create(
        file, List.of(aYearLong, entry("w1", 3, NOW - 3 * HOUR, NOW - 2 * HOUR), recent));
    OlderSqliteIndexFile.State before = OlderSqliteIndexFile.State.settled(file);
    List<Path> filesBefore = listing(dir);

    index = SqlitePageIndex.openForReading(file);
    assertThat(index.entries("w1", new TimeRange(NOW - HOUR, NOW)))
        .containsExactly(aYearLong, recent);
    assertThat(((SqlitePageIndex) index).entriesPlan("w1", new TimeRange(NOW - HOUR, NOW)))
        .anyMatch(step -> step.contains("(writer_id=? AND start_time<?)"));
    index.close();

    assertThat(OlderSqliteIndexFile.State.of(file)).as("the file as it was").isEqualTo(before);
    assertThat(schemaNames(file)).doesNotContain("writer_spans", "pages_keep_writer_span");
    assertThat(listing(dir)).as("its -wal and -shm gone again").isEqualTo(filesBefore);
  }

  private static List<Path> listing(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.sorted().toList();
    }
  }

  /**
   * A file this process may not write (a read-only mount, the connector's user's file): read with
   * SQLite's read-only mode, not by luck of the permissions. Tests run as root, who writes a 0444
   * file all the same: so that nothing was written is seen in its bytes and time.
   */
  @Test
  void aReadOnlyFileOfAnOlderVersionIsReadWithoutWritingItEvenByRoot() throws Exception {
    index.close();
    Path file = dir.resolve("read-only.db");
    IndexEntry page = entry("w1", 1, NOW - 60_000, NOW - 30_000);
    OlderSqliteIndexFile.create(file, List.of(page));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
    OlderSqliteIndexFile.State before = OlderSqliteIndexFile.State.settled(file);

    index = SqlitePageIndex.openForReading(file);
    assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(page);
    assertThatThrownBy(() -> index.publish(List.of(entry("w1", 2, NOW, NOW))))
        .hasMessageContaining("readonly");
    index.close();

    assertThat(OlderSqliteIndexFile.State.of(file)).as("the file as it was").isEqualTo(before);
  }

  /**
   * The connector holds the write lock (publishing): a reader neither waits for it (the busy
   * timeout, 10 s, as it tried to add the spans) nor misses what is committed.
   */
  @Test
  void readingAFileWhoseWriteLockIsHeldDoesNotWaitForIt() throws Exception {
    index.close();
    Path file = dir.resolve("locked.db");
    IndexEntry page = entry("w1", 1, NOW - 60_000, NOW - 30_000);
    OlderSqliteIndexFile.create(file, List.of(page));
    try (Connection writer = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = writer.createStatement()) {
      statement.execute("BEGIN IMMEDIATE");
      long started = System.nanoTime();
      index = SqlitePageIndex.openForReading(file);
      assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(page);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(5_000);
      statement.execute("COMMIT");
    }
  }

  /** A file the sink wrote is read bounded by its spans, as the sink reads it. */
  @Test
  void aFileWithSpansIsReadBoundedBelow() {
    IndexEntry aYearLong = entry("w1", 1, NOW - YEAR, NOW - 1);
    IndexEntry recent = entry("w1", 2, NOW - 60_000, NOW - 30_000);
    index.publish(List.of(aYearLong, recent));
    index.close();

    index = SqlitePageIndex.openForReading(file());
    assertThat(index.entries("w1", new TimeRange(NOW - HOUR, NOW)))
        .containsExactly(aYearLong, recent);
    assertThat(((SqlitePageIndex) index).entriesPlan("w1", new TimeRange(NOW - HOUR, NOW)))
        .anyMatch(step -> step.contains("(writer_id=? AND start_time>? AND start_time<?)"));
  }

  @Test
  void readingAFileWithoutThePagesTableFailsSayingItIsNoPageIndex() throws IOException {
    index.close();
    Path empty = Files.createFile(dir.resolve("empty.db"));

    assertThatThrownBy(() -> SqlitePageIndex.openForReading(empty))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining(empty + " has no pages table");
    assertThat(empty).isEmptyFile();
    index = newIndex();
  }

  private static List<String> schemaNames(Path file) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection sql = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = sql.createStatement();
        ResultSet rows = statement.executeQuery("SELECT name FROM sqlite_master")) {
      while (rows.next()) {
        names.add(rows.getString(1));
      }
    }
    return names;
  }

  /**
   * An older version's connector sharing the file (or a hand-made INSERT or UPDATE) writes pages
   * with plain SQL, knowing nothing of spans: the file's triggers keep the spans right.
   */
  @Test
  void pagesWrittenWithPlainSqlAfterOpeningKeepTheSpans() throws SQLException {
    List<IndexEntry> minutePages = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      long start = NOW - 10 * HOUR + i * 60_000L;
      minutePages.add(entry("w1", i, start, start + 59_999));
    }
    index.publish(minutePages);
    IndexEntry recent = entry("w1", 1_000, NOW - 60_000, NOW - 1);
    index.publish(List.of(recent));
    IndexEntry aYearLong = entry("w1", 2_000, NOW - YEAR, NOW - 2);
    try (Connection sql = DriverManager.getConnection("jdbc:sqlite:" + file())) {
      insertAsAnOlderVersion(sql, aYearLong);
    }
    assertThat(index.entries("w1", new TimeRange(NOW - HOUR, NOW)))
        .containsExactly(aYearLong, recent);
    assertThat(spans(file())).containsEntry("w1", YEAR - 2);

    // Stretched back three years by hand: an UPDATE, not an INSERT.
    IndexEntry stretched = minutePages.get(0);
    try (Connection sql = DriverManager.getConnection("jdbc:sqlite:" + file());
        PreparedStatement update =
            sql.prepareStatement("UPDATE pages SET start_time = ? WHERE page_key = ?")) {
      update.setLong(1, NOW - 3 * YEAR);
      update.setString(2, stretched.pageKey());
      assertThat(update.executeUpdate()).isOne();
    }
    assertThat(index.entries("w1", new TimeRange(NOW - 2 * YEAR, NOW - 2 * YEAR + 1)))
        .extracting(IndexEntry::pageKey)
        .containsExactly(stretched.pageKey());
  }

  /**
   * Several tasks open one file at once, while an older version's connector keeps publishing to it:
   * the span table, its triggers and its fill come in one transaction, so a reader never sees the
   * table without its triggers or before its fill, no page is missed (each page the older version
   * publishes here is longer than any before it), and every opener succeeds.
   */
  @Test
  void indexesOpeningOneOlderFileAtOnceCreateAndFillItsSpansInOneStep() throws Exception {
    index.close();
    for (int round = 0; round < 5; round++) {
      openAtOnceWhileAnOlderVersionPublishes(dir.resolve("shared-" + round + ".db"));
    }
    index = newIndex();
  }

  private static void openAtOnceWhileAnOlderVersionPublishes(Path file) throws Exception {
    int writers = 7;
    try (Connection sql = olderVersionsFile(file)) {
      sql.setAutoCommit(false);
      for (int i = 0; i < 5_000; i++) {
        insertAsAnOlderVersion(sql, entry("w" + i % writers, i, NOW + i, NOW + i + i % 1_000));
      }
      sql.commit();
    }
    int openers = 4;
    ExecutorService threads = Executors.newFixedThreadPool(openers + 2);
    AtomicBoolean opening = new AtomicBoolean(true);
    AtomicLong olderVersionsPages = new AtomicLong();
    Set<String> seen = ConcurrentHashMap.newKeySet();
    List<SqlitePageIndex> opened = new ArrayList<>();
    try {
      Future<?> olderVersion =
          threads.submit(
              () -> {
                try (Connection sql = DriverManager.getConnection("jdbc:sqlite:" + file);
                    Statement statement = sql.createStatement()) {
                  statement.execute("PRAGMA busy_timeout=10000");
                  for (long i = 1; opening.get() || i < 20; i++) {
                    insertAsAnOlderVersion(
                        sql, entry("w" + i % writers, 10_000 + i, NOW - i * HOUR, NOW + 1_000));
                    olderVersionsPages.set(i);
                  }
                }
                return null;
              });
      Future<?> reader =
          threads.submit(
              () -> {
                try (Connection sql = DriverManager.getConnection("jdbc:sqlite:" + file)) {
                  while (opening.get()) {
                    seen.add(spanSchemaState(sql, writers));
                  }
                }
                return null;
              });
      CyclicBarrier atOnce = new CyclicBarrier(openers);
      List<Future<SqlitePageIndex>> opens = new ArrayList<>();
      for (int i = 0; i < openers; i++) {
        opens.add(
            threads.submit(
                () -> {
                  atOnce.await();
                  return SqlitePageIndex.open(file);
                }));
      }
      for (Future<SqlitePageIndex> open : opens) {
        opened.add(open.get(60, TimeUnit.SECONDS));
      }
      opening.set(false);
      olderVersion.get(60, TimeUnit.SECONDS);
      reader.get(60, TimeUnit.SECONDS);
    } finally {
      opening.set(false);
      threads.shutdownNow();
      opened.forEach(SqlitePageIndex::close);
    }

    assertThat(seen).as("what a reader saw of %s", file).isSubsetOf("none", "complete");
    assertThat(olderVersionsPages.get()).isGreaterThanOrEqualTo(19);
    Map<String, Long> longest = new TreeMap<>();
    try (Connection sql = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = sql.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT writer_id, MAX(end_time - start_time) FROM pages GROUP BY writer_id")) {
      while (rows.next()) {
        longest.put(rows.getString(1), rows.getLong(2));
      }
    }
    assertThat(spans(file)).as("spans of %s", file).containsExactlyEntriesOf(longest);
  }

  /**
   * In one read snapshot: "none" (no span table, no triggers), "complete" (table, both triggers, a
   * span for every writer), or what is there of them.
   */
  private static String spanSchemaState(Connection sql, int writers) throws SQLException {
    sql.setAutoCommit(false);
    try (Statement statement = sql.createStatement()) {
      List<String> parts = new ArrayList<>();
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT name FROM sqlite_master WHERE name IN "
                  + "('writer_spans', 'pages_keep_writer_span', 'pages_keep_writer_span_on_update')"
                  + " ORDER BY name")) {
        while (rows.next()) {
          parts.add(rows.getString(1));
        }
      }
      if (parts.isEmpty()) {
        return "none";
      }
      if (!parts.contains("writer_spans")) {
        return parts.toString();
      }
      try (ResultSet count = statement.executeQuery("SELECT count(*) FROM writer_spans")) {
        count.next();
        return parts.size() == 3 && count.getInt(1) == writers
            ? "complete"
            : parts + " with " + count.getInt(1) + " spans";
      }
    } finally {
      sql.commit();
      sql.setAutoCommit(true);
    }
  }

  private static Connection olderVersionsFile(Path file) throws SQLException {
    return OlderSqliteIndexFile.open(file);
  }

  private static void insertAsAnOlderVersion(Connection sql, IndexEntry e) throws SQLException {
    OlderSqliteIndexFile.insert(sql, e);
  }

  private static Map<String, Long> spans(Path file) throws SQLException {
    Map<String, Long> spans = new TreeMap<>();
    try (Connection sql = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = sql.createStatement();
        ResultSet rows =
            statement.executeQuery("SELECT writer_id, longest_span FROM writer_spans")) {
      while (rows.next()) {
        spans.put(rows.getString(1), rows.getLong(2));
      }
    }
    return spans;
  }

  private static List<String> spanTypes(Path file) throws SQLException {
    List<String> types = new ArrayList<>();
    try (Connection sql = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = sql.createStatement();
        ResultSet rows = statement.executeQuery("SELECT typeof(longest_span) FROM writer_spans")) {
      while (rows.next()) {
        types.add(rows.getString(1));
      }
    }
    return types;
  }
}
