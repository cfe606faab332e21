package io.prism.snapshotter.index;

import io.prism.snapshotter.index.GroupCommit.Publish;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteOpenMode;

/**
 * The embedded index: one SQLite file, no server ({@code index.backend=sqlite}, the default and the
 * local run's index). One connection, used by one caller at a time; WAL mode so readers in other
 * processes (the CLI) do not block the sink. Concurrent publishes are committed together ({@link
 * GroupCommit}): one WAL fsync for the pages that several upload threads stored at once.
 */
public final class SqlitePageIndex implements PageIndex {
  private static final Logger log = LoggerFactory.getLogger(SqlitePageIndex.class);

  /** How long a statement waits for another connection's lock (another process's). */
  private static final int BUSY_TIMEOUT_MILLIS = 10_000;

  private static final String COLUMNS =
      "page_key, writer_id, page_sequence, start_time, end_time, event_count, page_size_bytes, "
          + "storage_size_bytes, format, compression, topic, kafka_partition, first_offset, last_offset";

  private static final String INSERT =
      "INSERT OR REPLACE INTO pages ("
          + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /**
   * A page's span, {@code end_time - start_time} of {@code row} ({@code NEW} in a trigger, {@code
   * pages} in the fill), clamped to [0, Long.MAX_VALUE]: SQLite turns an integer difference that
   * overflows into a REAL (a page from before 1970 to a time sent in nanoseconds), which would make
   * the query's bound inexact. A page ending before it starts counts 0: it overlaps a range only
   * when it starts in it, its end being at or after the range's start.
   */
  private static String spanOf(String row) {
    String span =
        "(CASE WHEN R.end_time <= R.start_time THEN 0"
            + " WHEN R.start_time < 0 AND R.end_time > R.start_time + 9223372036854775807"
            + " THEN 9223372036854775807 ELSE R.end_time - R.start_time END)";
    return span.replace("R.", row + ".");
  }

  /**
   * Per writer, the longest span (end - start) of any page it published: {@link #entries} reads
   * only the writer's pages that start at or after {@code from - longest span}, as a page starting
   * before that ended before {@code from}. The span never shrinks, not when pages are removed
   * (compaction) or expire: an over-estimate only reads more rows, an under-estimate would lose
   * entries.
   */
  private static final String CREATE_SPANS =
      "CREATE TABLE IF NOT EXISTS writer_spans ("
          + "writer_id TEXT PRIMARY KEY NOT NULL, longest_span INTEGER NOT NULL)";

  /**
   * What the span triggers do for the row {@code NEW}. Kept by triggers in the file rather than by
   * this class's publish: every process writing the file keeps the spans right, a connector of an
   * older version sharing the file during a rolling upgrade (and a hand-made {@code INSERT})
   * included.
   *
   * <p>The body raises no conflict on purpose. The {@code INSERT OR REPLACE} that fires it imposes
   * its REPLACE on every conflict inside the trigger (the outer statement's policy wins), so an
   * {@code INSERT OR IGNORE} of a writer's row would replace the writer's span with the new page's:
   * shrink it.
   */
  private static final String KEEP_SPAN =
      " BEGIN INSERT INTO writer_spans (writer_id, longest_span) SELECT NEW.writer_id, "
          + spanOf("NEW")
          + " WHERE NOT EXISTS (SELECT 1 FROM writer_spans WHERE writer_id = NEW.writer_id); "
          + "UPDATE writer_spans SET longest_span = "
          + spanOf("NEW")
          + " WHERE writer_id = NEW.writer_id AND longest_span < "
          + spanOf("NEW")
          + "; END";

  /**
   * An {@code INSERT OR REPLACE} of a page key already there deletes the old row and inserts: this
   * trigger fires for it too.
   */
  private static final String SPAN_ON_INSERT =
      "CREATE TRIGGER IF NOT EXISTS pages_keep_writer_span AFTER INSERT ON pages" + KEEP_SPAN;

  /**
   * No code of the connector updates a page's row; this covers anything else that does (a hand fix,
   * a later version's upsert).
   */
  private static final String SPAN_ON_UPDATE =
      "CREATE TRIGGER IF NOT EXISTS pages_keep_writer_span_on_update "
          + "AFTER UPDATE OF writer_id, start_time, end_time ON pages"
          + KEEP_SPAN;

  /** Fills the spans from the pages there: a file written before the span table existed. */
  private static final String FILL_SPANS =
      "INSERT INTO writer_spans (writer_id, longest_span) SELECT writer_id, MAX("
          + spanOf("pages")
          + ") FROM pages WHERE true GROUP BY writer_id ON CONFLICT (writer_id) "
          + "DO UPDATE SET longest_span = MAX(longest_span, excluded.longest_span)";

  private static final String SPAN_SCHEMA_PRESENT =
      "SELECT count(*) FROM sqlite_master WHERE (type = 'table' AND name = 'writer_spans') "
          + "OR (type = 'trigger' AND name IN "
          + "('pages_keep_writer_span', 'pages_keep_writer_span_on_update'))";

  /**
   * The lowest start time of a page that can overlap a range from {@code ?3} (writer {@code ?1}):
   * {@code from - the writer's longest span}, saturating at Long.MIN_VALUE; Long.MIN_VALUE, no
   * bound, for a writer without a span (none once the triggers exist; safe if one is missing). A
   * sub-select of the pages' query, so span and pages come from one read snapshot: read apart, a
   * long page published in between could be met without its span.
   */
  private static final String LOWEST_START =
      "COALESCE((SELECT CASE WHEN ?3 < -9223372036854775808 + longest_span THEN -9223372036854775808"
          + " ELSE ?3 - longest_span END FROM writer_spans WHERE writer_id = ?1),"
          + " -9223372036854775808)";

  /**
   * A writer's pages overlapping [?3, ?2), read from the (writer, start) index between both bounds
   * on start time. {@code +end_time}: the unary plus takes the end time index out of the planner's
   * choice. Given {@code ANALYZE}'s statistics of a file holding one writer, SQLite 3.50 answers by
   * end time instead (seen in SqlitePageIndexTest's plan test without the plus), which reads every
   * page ending after {@code from}: for an old range, the writer's whole later history.
   */
  private static String entriesQuery(boolean bounded, boolean openEnded) {
    // No end: "start_time < Long.MAX_VALUE" would leave out a page starting at Long.MAX_VALUE.
    return "SELECT "
        + COLUMNS
        + " FROM pages WHERE writer_id = ?1"
        + (bounded ? " AND start_time >= " + LOWEST_START : "")
        + (openEnded ? " AND start_time <= ?2" : " AND start_time < ?2")
        + " AND +end_time >= ?3 ORDER BY start_time, page_sequence, page_key";
  }

  private static final String ENTRIES = entriesQuery(true, false);
  private static final String ENTRIES_OPEN_ENDED = entriesQuery(true, true);

  /**
   * Without the span table (it could not be added, or the file is only read): every page of the
   * writer starting before.
   */
  private static final String ENTRIES_UNBOUNDED = entriesQuery(false, false);

  private static final String ENTRIES_UNBOUNDED_OPEN_ENDED = entriesQuery(false, true);

  /** What tests watch of publishing; nothing in production. */
  interface PublishObserver {
    PublishObserver NONE = new PublishObserver() {};

    /** A publish queued behind the transaction being committed; {@code waiting} wait in all. */
    default void waiting(int waiting) {}

    /**
     * A transaction holding these publishes' entries (one list a publish) is about to commit: one
     * WAL fsync. A {@link SQLException} thrown here fails the commit.
     */
    default void committing(List<List<IndexEntry>> publishes) throws SQLException {}
  }

  private final Path path;
  private final Connection connection;
  private final PublishObserver observer;
  private final GroupCommit groupCommit;

  /** Whether the file keeps writer spans, so that time-range queries are bounded below. */
  private final boolean spansKept;

  private SqlitePageIndex(
      Path path, Connection connection, boolean spansKept, PublishObserver observer) {
    this.path = path;
    this.spansKept = spansKept;
    this.connection = connection;
    this.observer = observer;
    this.groupCommit = new GroupCommit(describe(), this::commitGroup, observer::waiting);
  }

  /** Opens (creating file, directories and table when missing) the index at {@code path}. */
  public static SqlitePageIndex open(Path path) {
    return open(path, PublishObserver.NONE);
  }

  /**
   * Opens the index at {@code path} only if its file is there: for the commands that read an index
   * the sink wrote, where a missing file is a mistyped path, not an index to start. Creates neither
   * the file nor a directory; a missing file fails the open (SQLITE_CANTOPEN), even one removed
   * after the caller looked.
   */
  public static SqlitePageIndex openExisting(Path path) {
    return open(path, PublishObserver.NONE, false);
  }

  static SqlitePageIndex open(Path path, PublishObserver observer) {
    return open(path, observer, true);
  }

  /**
   * Opens the index at {@code path} for a command that only reads it (replay, {@code pages list},
   * {@code check --read-only}): SQLite's read-only mode, so nothing of the file changes, not even
   * for root, who ignores its permissions. No table, index or span is added (a file of a version
   * before the span table is read as it is, its time-range queries unbounded below), and the
   * journal mode is left as the sink set it. A read-only file, one owned by the connector's user,
   * or one whose write lock the connector holds opens all the same. As {@link #openExisting}, a
   * missing file fails the open; so does a file without the pages table, which no sink wrote.
   *
   * <p>A file in WAL mode (as the sink leaves it) is read with its {@code -wal} and {@code -shm}
   * files beside it: when the connector is not running, SQLite creates them for the read and
   * removes them at close. The file itself is not written. Where they cannot be created (a
   * read-only mount) the file is read as immutable, unless a {@code -wal} beside it holds changes
   * not in the file (copied while a sink wrote it), which fails the open saying so ({@link
   * ReadOnlyLocation}).
   */
  public static SqlitePageIndex openForReading(Path path) {
    try {
      ReadConnection read;
      try {
        read = connectForReading(path, jdbcUrl(path));
      } catch (SQLException e) {
        if (!ReadOnlyLocation.explains(path, e)) {
          throw e;
        }
        // A read-only mount (a backup, a snapshot, a replay job's read-only volume): no -shm can
        // be made there, so SQLite cannot read the WAL-mode file as usual. Nothing can write the
        // file there either, which is what SQLite's immutable mode asks.
        ReadOnlyLocation.requireNoPendingWal(path);
        read = connectForReading(path, jdbcUrl(path) + "?immutable=1");
        log.info(
            "The SQLite page index {} is on a read-only location: read as immutable",
            path.toAbsolutePath());
      }
      if (!read.spansKept()) {
        // Expected of a file an older version wrote: the sink adds the spans when it next opens it.
        log.debug(
            "The SQLite page index {} has no writer span table yet; its time-range queries read"
                + " each writer's pages from the first on",
            path.toAbsolutePath());
      }
      log.info("SQLite page index at {}, opened read-only", path.toAbsolutePath());
      return new SqlitePageIndex(path, read.connection(), read.spansKept(), PublishObserver.NONE);
    } catch (SQLException e) {
      throw new IndexException(
          "Cannot open the SQLite page index " + path + " for reading: " + e.getMessage(), e);
    }
  }

  private record ReadConnection(Connection connection, boolean spansKept) {}

  /** A read-only connection that has read the schema (SQLite opens lazily: this is the test). */
  private static ReadConnection connectForReading(Path path, String url) throws SQLException {
    SQLiteConfig driverSettings = new SQLiteConfig();
    driverSettings.setReadOnly(true);
    Connection connection = DriverManager.getConnection(url, driverSettings.toProperties());
    try (Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MILLIS);
      requirePagesTable(statement, path);
      return new ReadConnection(connection, spanSchemaPresent(statement));
    } catch (SQLException | RuntimeException e) {
      closeQuietly(connection, e);
      throw e;
    }
  }

  private static void requirePagesTable(Statement statement, Path path) throws SQLException {
    try (ResultSet count =
        statement.executeQuery(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'pages'")) {
      if (!count.next() || count.getInt(1) == 0) {
        throw new IndexException(
            "The SQLite file "
                + path.toAbsolutePath()
                + " has no pages table: it is not a page index the connector wrote (check "
                + "the path)");
      }
    }
  }

  private static void closeQuietly(Connection connection, Exception cause) {
    try {
      connection.close();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private static SqlitePageIndex open(Path path, PublishObserver observer, boolean create) {
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (create && parent != null) {
        Files.createDirectories(parent);
      }
      SQLiteConfig driverSettings = new SQLiteConfig();
      if (!create) {
        driverSettings.resetOpenMode(SQLiteOpenMode.CREATE);
      }
      Connection connection =
          DriverManager.getConnection(jdbcUrl(path), driverSettings.toProperties());
      boolean spansKept;
      try (Statement statement = connection.createStatement()) {
        statement.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MILLIS);
        whileBusy(() -> createSchema(statement), path);
        spansKept = keepSpans(statement, path);
      }
      log.info("SQLite page index at {}", path.toAbsolutePath());
      return new SqlitePageIndex(path, connection, spansKept, observer);
    } catch (SQLException | IOException e) {
      throw new IndexException(
          "Cannot open the SQLite page index " + path + ": " + e.getMessage(), e);
    }
  }

  /** Journal mode, durability, table and indexes, where missing; each step harmless to repeat. */
  private static void createSchema(Statement statement) throws SQLException {
    statement.execute("PRAGMA journal_mode=WAL");
    // FULL, not WAL's usual NORMAL: with NORMAL a committed publish can be lost on power
    // failure (the WAL is not synced at commit), while the sink has already let the
    // partition's offset pass the page. One more fsync per publish, next to the page's own.
    statement.execute("PRAGMA synchronous=FULL");
    statement.execute(
        "CREATE TABLE IF NOT EXISTS pages ("
            + "page_key TEXT PRIMARY KEY NOT NULL, writer_id TEXT NOT NULL, page_sequence INTEGER NOT NULL, "
            + "start_time INTEGER NOT NULL, end_time INTEGER NOT NULL, event_count INTEGER NOT NULL, "
            + "page_size_bytes INTEGER NOT NULL, storage_size_bytes INTEGER NOT NULL, format TEXT NOT NULL, "
            + "compression TEXT NOT NULL, topic TEXT NOT NULL, kafka_partition INTEGER NOT NULL, "
            + "first_offset INTEGER NOT NULL, last_offset INTEGER NOT NULL)");
    statement.execute(
        "CREATE INDEX IF NOT EXISTS pages_by_writer_time ON pages (writer_id, start_time, page_sequence)");
    statement.execute("CREATE INDEX IF NOT EXISTS pages_by_end_time ON pages (end_time)");
    statement.execute(
        "CREATE INDEX IF NOT EXISTS pages_by_partition_offset ON pages (topic, kafka_partition, last_offset)");
  }

  /** A step of {@link #createSchema}: SQL that may be run again. */
  private interface SchemaStep {
    void run() throws SQLException;
  }

  /**
   * Runs {@code step} again while SQLite answers SQLITE_BUSY, up to the busy timeout. Tasks of one
   * connector open the same new file at once, and a statement that reads the schema and then writes
   * it (the journal mode, CREATE ... IF NOT EXISTS) holds a read lock while it asks for the write
   * lock: where another connection holds that and wants to commit, SQLite answers SQLITE_BUSY at
   * once rather than wait (its busy handler would deadlock both), and the task failed at start.
   */
  private static void whileBusy(SchemaStep step, Path path) throws SQLException {
    long giveUpAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BUSY_TIMEOUT_MILLIS);
    for (int attempt = 1; ; attempt++) {
      try {
        step.run();
        return;
      } catch (SQLException e) {
        if (!isBusy(e) || System.nanoTime() - giveUpAt > 0) {
          throw e;
        }
        log.debug("SQLite page index {} busy at open (attempt {}), trying again", path, attempt);
        try {
          Thread.sleep(Math.min(20L * attempt, 200L));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** SQLITE_BUSY or one of its extended codes. */
  private static boolean isBusy(SQLException e) {
    return e instanceof SQLiteException sqlite
        && (sqlite.getResultCode().code & 0xff) == SQLiteErrorCode.SQLITE_BUSY.code;
  }

  /**
   * The driver reads "jdbc:sqlite:" + a plain path's '?' as the start of its own parameters (and
   * reorders, drops or applies as pragmas what follows), so a directory named {@code a?b&c} opened
   * another file. A {@code file:} URI percent-encodes '?', '#', '%' and the rest, and SQLite
   * decodes it back to the path (the driver opens with SQLITE_OPEN_URI).
   */
  static String jdbcUrl(Path path) {
    return "jdbc:sqlite:" + path.toAbsolutePath().toUri();
  }

  /**
   * Whether the file keeps writer spans, adding them where missing. Where they cannot be added (a
   * file this process may only read, or another process holding its write lock past busy_timeout)
   * the index still works, its time-range queries unbounded below as before the spans: they are
   * only a way to read fewer rows, never a reason not to open.
   */
  private static boolean keepSpans(Statement statement, Path path) {
    try {
      createSpanTracking(statement);
      return true;
    } catch (SQLException e) {
      log.warn(
          "Cannot add the writer span table to the SQLite page index {} ({}); its time-range"
              + " queries read each writer's pages from the first on, until it is opened again"
              + " and the table added",
          path.toAbsolutePath(),
          e.getMessage());
      return false;
    }
  }

  /**
   * Creates the span table and its triggers where they are missing (a new file, or one written by a
   * version before them), and then fills the spans from the pages already there. Table, triggers
   * and fill are one IMMEDIATE transaction: no page can be inserted between the fill and the
   * trigger (an older version's connector writing the same file), and of several tasks opening one
   * file at once only the first creates and fills; the others wait (busy_timeout) and find it all
   * there. Looked for first without a write lock, so opening a file that has them all never waits
   * for a writer.
   */
  private static void createSpanTracking(Statement statement) throws SQLException {
    if (spanSchemaPresent(statement)) {
      return;
    }
    statement.execute("BEGIN IMMEDIATE");
    try {
      if (!spanSchemaPresent(statement)) {
        statement.execute(CREATE_SPANS);
        statement.execute(SPAN_ON_INSERT);
        statement.execute(SPAN_ON_UPDATE);
        int writers = statement.executeUpdate(FILL_SPANS);
        if (writers > 0) {
          log.info("Recorded the longest page span of {} writers already in the index", writers);
        }
      }
      statement.execute("COMMIT");
    } catch (SQLException e) {
      try {
        statement.execute("ROLLBACK");
      } catch (SQLException notInATransaction) {
        e.addSuppressed(notInATransaction);
      }
      throw e;
    }
  }

  private static boolean spanSchemaPresent(Statement statement) throws SQLException {
    try (ResultSet count = statement.executeQuery(SPAN_SCHEMA_PRESENT)) {
      return count.next() && count.getInt(1) == 3;
    }
  }

  /**
   * Publishes through {@link GroupCommit}: while one transaction commits (its WAL fsync), the
   * publishes of other threads (the page upload threads) queue, and the next transaction commits
   * them all, each in its own savepoint. Each call still returns only once its entries are on disk.
   */
  @Override
  public void publish(List<IndexEntry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    groupCommit.publish(entries);
  }

  /** {@link GroupCommit}'s transaction: settles each publish of {@code group}. */
  private synchronized void commitGroup(List<Publish> group) {
    List<Publish> left = group;
    while (!left.isEmpty()) {
      left = commitOnce(left);
    }
  }

  /**
   * Commits {@code group} in one transaction, each publish in a savepoint of its own: one that
   * SQLite refuses (a constraint, a trigger, a full disk) is undone and fails alone, and the
   * transaction goes on with the others. A failed commit fails every publish in it, with its error.
   *
   * @return the publishes to commit again in a new transaction: those applied before (or waiting
   *     after) one whose error ended the whole transaction (SQLite rolls back by itself on some
   *     errors, and {@code RAISE(ROLLBACK)} does); empty once every publish is settled. Each round
   *     settles at least one publish, so {@link #commitGroup} ends.
   */
  private List<Publish> commitOnce(List<Publish> group) {
    List<Publish> applied = new ArrayList<>(group.size());
    try {
      connection.setAutoCommit(false);
      try (PreparedStatement insert = connection.prepareStatement(INSERT);
          Statement savepoints = connection.createStatement()) {
        for (int i = 0; i < group.size(); i++) {
          Publish publish = group.get(i);
          savepoints.execute("SAVEPOINT publish");
          try {
            insert(insert, publish.entries());
            savepoints.execute("RELEASE publish");
            applied.add(publish);
          } catch (SQLException refused) {
            publish.failed(failureMessage(publish, refused), refused);
            insert.clearBatch();
            if (!undo(savepoints, refused)) {
              List<Publish> again = new ArrayList<>(applied);
              again.addAll(group.subList(i + 1, group.size()));
              return again;
            }
          }
        }
      }
      if (!applied.isEmpty()) {
        observer.committing(applied.stream().map(Publish::entries).toList());
      }
      connection.commit();
      applied.forEach(Publish::committed);
    } catch (SQLException e) {
      rollback();
      for (Publish publish : group) {
        if (!publish.settled()) {
          publish.failed(failureMessage(publish, e), e);
        }
      }
    } finally {
      autoCommit();
    }
    return List.of();
  }

  private static void insert(PreparedStatement insert, List<IndexEntry> entries)
      throws SQLException {
    for (IndexEntry e : entries) {
      insert.setString(1, e.pageKey());
      insert.setString(2, e.writerId());
      insert.setLong(3, e.pageSequence());
      insert.setLong(4, e.startTime());
      insert.setLong(5, e.endTime());
      insert.setLong(6, e.eventCount());
      insert.setLong(7, e.pageSizeBytes());
      insert.setLong(8, e.storageSizeBytes());
      insert.setString(9, e.format());
      insert.setString(10, e.compression());
      insert.setString(11, e.topic());
      insert.setInt(12, e.partition());
      insert.setLong(13, e.firstOffset());
      insert.setLong(14, e.lastOffset());
      insert.addBatch();
    }
    insert.executeBatch();
  }

  /**
   * Undoes a refused publish back to its savepoint; false when there is nothing to go back to: the
   * error ended the whole transaction, so what it held is gone.
   */
  private boolean undo(Statement savepoints, SQLException refused) {
    try {
      savepoints.execute("ROLLBACK TO publish");
      savepoints.execute("RELEASE publish");
      return true;
    } catch (SQLException gone) {
      log.debug(
          "{} ended the transaction on {}; committing the other publishes in a new one",
          refused.toString(),
          describe());
      try {
        connection.rollback(); // and begins another, as the driver does after a rollback
      } catch (SQLException alreadyEnded) {
        // The usual case (SQLite rolled back by itself): begin one, where the driver thinks it is.
        try {
          savepoints.execute("BEGIN");
        } catch (SQLException e) {
          log.warn("Cannot begin a transaction again on {}", describe(), e);
        }
      }
      return false;
    }
  }

  private String failureMessage(Publish publish, SQLException e) {
    return "Cannot publish "
        + publish.entries().size()
        + " entries in "
        + describe()
        + ": "
        + e.getMessage();
  }

  /**
   * The pages overlapping {@code range}, read from the (writer, start) index between {@code from -
   * the writer's longest span} and the range's end: a page starting before that bound ended before
   * {@code from}. So a recent range (replay, {@link #holds}) reads the recent rows, not the
   * writer's whole history.
   */
  @Override
  public synchronized List<IndexEntry> entries(String writerId, TimeRange range) {
    try (PreparedStatement query = connection.prepareStatement(entriesQuery(range))) {
      query.setString(1, writerId);
      query.setLong(2, range.toMillis());
      query.setLong(3, range.fromMillis());
      return readEntries(query);
    } catch (SQLException e) {
      throw failure("query the pages of a writer", e);
    }
  }

  private String entriesQuery(TimeRange range) {
    if (spansKept) {
      return range.openEnded() ? ENTRIES_OPEN_ENDED : ENTRIES;
    }
    return range.openEnded() ? ENTRIES_UNBOUNDED_OPEN_ENDED : ENTRIES_UNBOUNDED;
  }

  /** SQLite's plan for {@link #entries} over {@code range}, a line a step: what tests check. */
  synchronized List<String> entriesPlan(String writerId, TimeRange range) {
    try (PreparedStatement explain =
        connection.prepareStatement("EXPLAIN QUERY PLAN " + entriesQuery(range))) {
      explain.setString(1, writerId);
      explain.setLong(2, range.toMillis());
      explain.setLong(3, range.fromMillis());
      List<String> steps = new ArrayList<>();
      try (ResultSet rows = explain.executeQuery()) {
        while (rows.next()) {
          steps.add(rows.getString("detail"));
        }
      }
      return steps;
    } catch (SQLException e) {
      throw failure("explain the query of a writer's pages", e);
    }
  }

  /**
   * A keyset query: the rows after the cursor's entry by (start, sequence, key), from the index on
   * (writer, start, sequence), {@code LIMIT}ed: each batch reads its own rows only.
   */
  @Override
  public synchronized EntryPage entryPage(String writerId, EntryCursor from, int limit) {
    EntryPage.requirePositive(limit);
    IndexEntry after = from.lastEntry();
    String afterIt =
        after == null
            ? ""
            : " AND start_time >= ? AND (start_time, page_sequence, page_key) > (?, ?, ?)";
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM pages WHERE writer_id = ?"
                + afterIt
                + " ORDER BY start_time, page_sequence, page_key LIMIT ?")) {
      int i = 1;
      query.setString(i++, writerId);
      if (after != null) {
        query.setLong(i++, after.startTime());
        query.setLong(i++, after.startTime());
        query.setLong(i++, after.pageSequence());
        query.setString(i++, after.pageKey());
      }
      query.setInt(i, limit);
      return EntryPage.of(readEntries(query), limit);
    } catch (SQLException e) {
      throw failure("query a batch of the pages of a writer", e);
    }
  }

  @Override
  public synchronized List<IndexEntry> entriesFromOffset(
      String topic, int partition, long fromOffset, int limit) {
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM pages WHERE topic = ? AND kafka_partition = ? AND last_offset >= ? "
                + "ORDER BY last_offset, page_key LIMIT ?")) {
      query.setString(1, topic);
      query.setInt(2, partition);
      query.setLong(3, fromOffset);
      query.setInt(4, limit);
      return readEntries(query);
    } catch (SQLException e) {
      throw failure("query the pages of " + topic + "-" + partition, e);
    }
  }

  private static List<IndexEntry> readEntries(PreparedStatement query) throws SQLException {
    List<IndexEntry> entries = new ArrayList<>();
    try (ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        entries.add(
            new IndexEntry(
                rows.getString(1),
                rows.getString(2),
                rows.getLong(3),
                rows.getLong(4),
                rows.getLong(5),
                rows.getLong(6),
                rows.getLong(7),
                rows.getLong(8),
                rows.getString(9),
                rows.getString(10),
                rows.getString(11),
                rows.getInt(12),
                rows.getLong(13),
                rows.getLong(14)));
      }
    }
    return entries;
  }

  @Override
  public synchronized WriterPage writers(String after, int limit) {
    // SQLite compares TEXT with memcmp over UTF-8: the byte order the contract asks for.
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT DISTINCT writer_id FROM pages WHERE (? IS NULL OR writer_id > ?) ORDER BY writer_id LIMIT ?")) {
      query.setString(1, after);
      query.setString(2, after);
      query.setInt(3, limit);
      List<String> writers = new ArrayList<>(Math.min(limit, 1024));
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          writers.add(rows.getString(1));
        }
      }
      return WriterPage.of(writers, limit);
    } catch (SQLException e) {
      throw failure("list writers", e);
    }
  }

  @Override
  public synchronized void remove(List<IndexEntry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    try {
      connection.setAutoCommit(false);
      try (PreparedStatement delete =
          connection.prepareStatement("DELETE FROM pages WHERE page_key = ?")) {
        for (IndexEntry e : entries) {
          delete.setString(1, e.pageKey());
          delete.addBatch();
        }
        delete.executeBatch();
      }
      connection.commit();
    } catch (SQLException e) {
      rollback();
      throw failure("remove " + entries.size() + " entries", e);
    } finally {
      autoCommit();
    }
  }

  @Override
  public synchronized void expireBefore(long cutoffMillis) {
    try (PreparedStatement delete =
        connection.prepareStatement("DELETE FROM pages WHERE end_time < ?")) {
      delete.setLong(1, cutoffMillis);
      int removed = delete.executeUpdate();
      log.info("Expired {} index entries of pages that ended before {}", removed, cutoffMillis);
    } catch (SQLException e) {
      throw failure("expire entries", e);
    }
  }

  /**
   * SQLite's {@code synchronous} setting on this connection (2 = FULL): what a commit waits for.
   */
  synchronized int synchronousSetting() {
    try (Statement statement = connection.createStatement();
        var result = statement.executeQuery("PRAGMA synchronous")) {
      result.next();
      return result.getInt(1);
    } catch (SQLException e) {
      throw new IndexException(
          "Cannot read PRAGMA synchronous of " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "sqlite " + path;
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      log.warn("Error closing {}", describe(), e);
    }
  }

  private IndexException failure(String what, SQLException e) {
    return new IndexException("Cannot " + what + " in " + describe() + ": " + e.getMessage(), e);
  }

  private void rollback() {
    try {
      connection.rollback();
    } catch (SQLException e) {
      log.warn("Rollback failed on {}", describe(), e);
    }
  }

  private void autoCommit() {
    try {
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      log.warn("Cannot restore auto-commit on {}", describe(), e);
    }
  }
}
