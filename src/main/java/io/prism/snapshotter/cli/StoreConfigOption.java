package io.prism.snapshotter.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigException;

/**
 * Which settings file the commands that read a store or an index ({@code replay}, {@code pages
 * list}, {@code compact}, {@code reindex}, {@code check}) use when {@code --config} is left out.
 */
final class StoreConfigOption {
  /** What {@code bin/snapshotter local} writes, so its pages are found without options. */
  static final Path LOCAL_STACK_CONFIG = Path.of("data", "connector.properties");

  /** What {@code replay} reads: the store, and the index when the settings name one. */
  static final String STORE_AND_ANY_INDEX =
      "the settings naming the store (storage.*) and any page index (index.*)";

  /** What {@code pages list} reads: the index only. */
  static final String INDEX = "the settings naming the page index (index.*)";

  /** What {@code reindex} reads and writes: the store and the index. */
  static final String STORE_AND_INDEX =
      "the settings naming the store (storage.*) and the page index (index.*)";

  /** What {@code compact} reads and writes: the store, the index and how pages are written. */
  static final String STORE_INDEX_AND_PAGES =
      "the connector's settings naming the store (storage.*), the page index (index.*) and the"
          + " page format (page.*)";

  /** What {@code check} validates: a connector's settings, every key. */
  static final String CONNECTOR = "the connector's settings to check (storage.*, index.*, ...)";

  private StoreConfigOption() {}

  /**
   * {@code --config} if given, else the local stack's settings in ./data, else a ConfigException
   * that says what to give: {@code needs}, one of this class's constants, names the settings the
   * command reads (a command that reads only the index must not ask for the store's).
   */
  static Path resolve(Path given, String needs) {
    return resolve(given, needs, LOCAL_STACK_CONFIG);
  }

  /**
   * As {@link #resolve(Path, String)}, with the local stack's settings looked for at {@code
   * localStackConfig}.
   */
  static Path resolve(Path given, String needs, Path localStackConfig) {
    if (given != null) {
      return given;
    }
    if (Files.isRegularFile(localStackConfig)) {
      return localStackConfig;
    }
    throw new ConfigException(
        "no --config FILE given and no "
            + localStackConfig
            + " (written by bin/snapshotter local) here: give --config FILE with "
            + needs);
  }
}
