package io.prism.snapshotter.cli;

import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.index.IndexBackend;
import java.nio.file.Files;
import org.apache.kafka.common.config.ConfigException;

/**
 * For commands that only read the page index. Opening a SQLite index creates its file when it is
 * missing: with a mistyped {@code index.sqlite.path} (or a relative one run from another directory)
 * a reader would find an empty new index, answer "no pages", and leave a stray database behind.
 */
final class ExistingIndex {
  private ExistingIndex() {}

  /** A ConfigException naming the path when the settings' SQLite index file is not there. */
  static void require(IndexConfig settings) {
    if (settings.backend() == IndexBackend.SQLITE && !Files.isRegularFile(settings.sqlitePath())) {
      throw new ConfigException(
          "no SQLite page index at "
              + settings.sqlitePath().toAbsolutePath()
              + " ("
              + IndexConfig.SQLITE_PATH
              + "): give the --config the connector runs with");
    }
  }
}
