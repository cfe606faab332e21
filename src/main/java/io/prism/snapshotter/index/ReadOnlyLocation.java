package io.prism.snapshotter.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * A SQLite index file where nothing can be written beside it (a read-only mount): SQLite cannot
 * make the {@code -shm} file that reading a WAL-mode file needs, and fails the open with
 * SQLITE_CANTOPEN (or a READONLY code); read as immutable instead, it works, but ignores any {@code
 * -wal} file, whose changes are then invisible.
 */
final class ReadOnlyLocation {
  private ReadOnlyLocation() {}

  /** Whether {@code failure} to open {@code path} read-only is the location's refusal to write. */
  static boolean explains(Path path, SQLException failure) {
    String message = String.valueOf(failure.getMessage());
    boolean cannotOpen = message.contains("SQLITE_CANTOPEN") || message.contains("SQLITE_READONLY");
    Path directory = path.toAbsolutePath().getParent();
    return cannotOpen
        && Files.isRegularFile(path)
        && Files.isReadable(path)
        && directory != null
        && !Files.isWritable(directory);
  }

  /**
   * Fails when a {@code -wal} file beside {@code path} holds changes: immutable reading would not
   * see them, so pages a sink indexed just before the copy would be missing from the answers.
   */
  static void requireNoPendingWal(Path path) {
    Path wal = path.resolveSibling(path.getFileName() + "-wal");
    long bytes;
    try {
      bytes = Files.exists(wal) ? Files.size(wal) : 0;
    } catch (IOException e) {
      bytes = -1;
    }
    if (bytes != 0) {
      throw new IndexException(
          "Cannot read the SQLite page index "
              + path.toAbsolutePath()
              + " on a read-only location: "
              + wal.getFileName()
              + " beside it holds changes not yet in the file"
              + (bytes > 0 ? " (" + bytes + " bytes)" : "")
              + ", which SQLite cannot read where it may not write (the file was copied while a"
              + " sink wrote it). Copy it consistently (`sqlite3 "
              + path.getFileName()
              + " '.backup copy.db'`, or after the sink stopped), or read it where it can be"
              + " written, or replay without the index (storage listing)",
          null);
    }
  }
}
