package io.prism.snapshotter.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * A SQLite index file as versions before the writer span table left it (the pages table and its
 * indexes, in WAL mode), written with plain SQL: what an upgraded connector, and the reading
 * commands, find on disk.
 */
public final class OlderSqliteIndexFile {
  private OlderSqliteIndexFile() {}

  /** Creates {@code file} holding {@code entries}, closed as the older connector left it. */
  public static void create(Path file, List<IndexEntry> entries) throws SQLException {
    try (Connection sql = open(file)) {
      sql.setAutoCommit(false);
      for (IndexEntry entry : entries) {
        insert(sql, entry);
      }
      sql.commit();
    }
  }

  /** A connection to {@code file}, created with the older schema. */
  public static Connection open(Path file) throws SQLException {
    Connection sql = DriverManager.getConnection("jdbc:sqlite:" + file);
    try (Statement statement = sql.createStatement()) {
      statement.execute("PRAGMA journal_mode=WAL");
      statement.execute(
          "CREATE TABLE pages ("
              + "page_key TEXT PRIMARY KEY NOT NULL, writer_id TEXT NOT NULL, page_sequence INTEGER NOT NULL, "
              + "start_time INTEGER NOT NULL, end_time INTEGER NOT NULL, event_count INTEGER NOT NULL, "
              + "page_size_bytes INTEGER NOT NULL, storage_size_bytes INTEGER NOT NULL, format TEXT NOT NULL, "
              + "compression TEXT NOT NULL, topic TEXT NOT NULL, kafka_partition INTEGER NOT NULL, "
              + "first_offset INTEGER NOT NULL, last_offset INTEGER NOT NULL)");
      statement.execute(
          "CREATE INDEX pages_by_writer_time ON pages (writer_id, start_time, page_sequence)");
      statement.execute("CREATE INDEX pages_by_end_time ON pages (end_time)");
      statement.execute(
          "CREATE INDEX pages_by_partition_offset ON pages (topic, kafka_partition, last_offset)");
    }
    return sql;
  }

  /** A publish as versions before the span table made it. */
  public static void insert(Connection sql, IndexEntry e) throws SQLException {
    try (PreparedStatement insert =
        sql.prepareStatement(
            "INSERT OR REPLACE INTO pages (page_key, writer_id, page_sequence, start_time, end_time,"
                + " event_count, page_size_bytes, storage_size_bytes, format, compression, topic,"
                + " kafka_partition, first_offset, last_offset)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
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
      insert.executeUpdate();
    }
  }

  /**
   * What a file is on disk: its bytes and its modification time, pushed into the past first so that
   * a write within the same clock tick still shows.
   */
  public record State(byte[] bytes, FileTime modified) {
    public static State of(Path file) throws IOException {
      return new State(Files.readAllBytes(file), Files.getLastModifiedTime(file));
    }

    /** Sets {@code file}'s modification time to an hour ago and returns its state. */
    public static State settled(Path file) throws IOException {
      Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000L));
      return of(file);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof State that
          && Arrays.equals(bytes, that.bytes)
          && modified.equals(that.modified);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes) * 31 + modified.hashCode();
    }

    @Override
    public String toString() {
      return bytes.length + " bytes, modified " + modified;
    }
  }
}
