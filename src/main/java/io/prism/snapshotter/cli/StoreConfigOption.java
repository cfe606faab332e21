package io.prism.snapshotter.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigException;

/** Which settings file names the store for {@code replay} and {@code pages list}. */
final class StoreConfigOption {
  /** What {@code bin/snapshotter local} writes, so its pages are found without options. */
  static final Path LOCAL_STACK_CONFIG = Path.of("data", "connector.properties");

  private StoreConfigOption() {}

  /**
   * {@code --config} if given, else the local stack's settings in ./data, else a ConfigException.
   */
  static Path resolve(Path given) {
    return resolve(given, LOCAL_STACK_CONFIG);
  }

  /**
   * As {@link #resolve(Path)}, with the local stack's settings looked for at {@code
   * localStackConfig}.
   */
  static Path resolve(Path given, Path localStackConfig) {
    if (given != null) {
      return given;
    }
    if (Files.isRegularFile(localStackConfig)) {
      return localStackConfig;
    }
    throw new ConfigException(
        "no --config FILE given and no "
            + localStackConfig
            + " (written by bin/snapshotter local) here: give the settings naming the store (storage.*)");
  }
}
