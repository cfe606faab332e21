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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded index: one SQLite file, no server ({@code index.backend=sqlite}, the default and the
 * local run's index). One connection, used by one caller at a time; WAL mode so readers in other
 * processes (the CLI) do not block the sink. Concurrent publishes are committed together ({@link
 * GroupCommit}): one WAL fsync for the pages that several upload threads stored at once.
 */
public final class SqlitePageIndex implements PageIndex {
  private static final Logger log = LoggerFactory.getLogger(SqlitePageIndex.class);

  private static final String COLUMNS =
      "page_key, writer_id, page_sequence, start_time, end_time, event_count, page_size_bytes, "
          + "storage_size_bytes, format, compression, topic, kafka_partition, first_offset, last_offset";

  private static final String INSERT =
      "INSERT OR REPLACE INTO pages ("
          + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

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

  private SqlitePageIndex(Path path, Connection connection, PublishObserver observer) {
    this.path = path;
    this.connection = connection;
    this.observer = observer;
    this.groupCommit = new GroupCommit(describe(), this::commitGroup, observer::waiting);
  }

  /** Opens (creating file, directories and table when missing) the index at {@code path}. */
  public static SqlitePageIndex open(Path path) {
    return open(path, PublishObserver.NONE);
  }

  static SqlitePageIndex open(Path path, PublishObserver observer) {
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Connection connection = DriverManager.getConnection("jdbc:sqlite:" + path);
      try (Statement statement = connection.createStatement()) {
        statement.execute("PRAGMA journal_mode=WAL");
        // FULL, not WAL's usual NORMAL: with NORMAL a committed publish can be lost on power
        // failure (the WAL is not synced at commit), while the sink has already let the
        // partition's offset pass the page. One more fsync per publish, next to the page's own.
        statement.execute("PRAGMA synchronous=FULL");
        statement.execute("PRAGMA busy_timeout=10000");
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
      log.info("SQLite page index at {}", path.toAbsolutePath());
      return new SqlitePageIndex(path, connection, observer);
    } catch (SQLException | IOException e) {
      throw new IndexException(
          "Cannot open the SQLite page index " + path + ": " + e.getMessage(), e);
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

  @Override
  public synchronized List<IndexEntry> entries(String writerId, TimeRange range) {
    // No end: "start_time < Long.MAX_VALUE" would leave out a page starting at Long.MAX_VALUE.
    String startsBefore = range.openEnded() ? "start_time <= ?" : "start_time < ?";
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM pages WHERE writer_id = ? AND "
                + startsBefore
                + " AND end_time >= ? "
                + "ORDER BY start_time, page_sequence, page_key")) {
      query.setString(1, writerId);
      query.setLong(2, range.toMillis());
      query.setLong(3, range.fromMillis());
      return readEntries(query);
    } catch (SQLException e) {
      throw failure("query the pages of a writer", e);
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
