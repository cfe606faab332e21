package io.prism.snapshotter.cli;

import io.prism.snapshotter.config.ConfigFile;
import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.config.UnknownSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * A command's settings file ({@code --config}), read as {@link ConfigFile} reads it, with a warning
 * on stderr for each setting the snapshotter does not have: otherwise a misspelt key is ignored
 * without a word, and what follows (the default used, or "storage.filesystem.path is not set") does
 * not say why. A warning, not a refusal: a connector's file may hold another version's keys, and
 * the command reads only some of them. {@code check} refuses them, as a worker does.
 */
final class SettingsFile {
  private SettingsFile() {}

  static Map<String, String> load(Path file, String command, PrintStream err) {
    Map<String, String> settings = ConfigFile.load(file);
    for (UnknownSettings.Unknown unknown : SnapshotterConfig.unknownSettings(settings)) {
      err.println(
          command
              + ": warning: "
              + unknown.describe("this version of the snapshotter")
              + " (in "
              + file
              + "; ignored)");
    }
    return settings;
  }
}
