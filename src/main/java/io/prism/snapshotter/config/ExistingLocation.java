package io.prism.snapshotter.config;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigException;

/**
 * A local path a command that reads what the sink wrote needs to be there: a filesystem store's
 * directory, a SQLite index's file. Opening either the way the sink does creates it, so a mistyped
 * path (or a relative one run from another directory) would read as an empty store or index, answer
 * "no pages", and leave an empty directory or database behind. Missing, it is a bad setting, named
 * with its path.
 */
final class ExistingLocation {
  private ExistingLocation() {}

  /**
   * A ConfigException unless {@code path} (from setting {@code key}) is a directory; {@code never}
   * says what missing means ("nothing was ever stored there").
   */
  static void requireDirectory(String key, Path path, String never) {
    if (Files.isDirectory(path)) {
      return;
    }
    throw new ConfigException(
        named(key, path)
            + (Files.exists(path) ? " is not a directory" : " does not exist (" + never + ")"));
  }

  /** As {@link #requireDirectory}, for a regular file. */
  static void requireFile(String key, Path path, String never) {
    if (Files.isRegularFile(path)) {
      return;
    }
    throw new ConfigException(
        named(key, path)
            + (Files.exists(path) ? " is not a file" : " does not exist (" + never + ")"));
  }

  /** {@code key=path}, and where a relative path points from the working directory. */
  private static String named(String key, Path path) {
    return key
        + "="
        + path
        + (path.isAbsolute() ? "" : " (" + path.toAbsolutePath().normalize() + " from here)");
  }
}
