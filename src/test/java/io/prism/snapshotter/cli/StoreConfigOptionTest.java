package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which settings the store-reading commands (replay, compact, reindex) use when --config is left
 * out.
 */
class StoreConfigOptionTest {
  @TempDir Path dir;

  @Test
  void aGivenFileWinsOverTheLocalStacksSettings() throws Exception {
    Path local =
        Files.writeString(dir.resolve("connector.properties"), "storage.backend=filesystem\n");
    Path given = dir.resolve("other.properties");

    assertThat(StoreConfigOption.resolve(given, local)).isEqualTo(given);
  }

  @Test
  void withoutOneTheLocalStacksSettingsAreUsed() throws Exception {
    Path local =
        Files.writeString(dir.resolve("connector.properties"), "storage.backend=filesystem\n");

    assertThat(StoreConfigOption.resolve(null, local)).isEqualTo(local);
  }

  @Test
  void withNeitherTheErrorSaysWhatWasLookedFor() {
    Path absent = dir.resolve("data/connector.properties");

    assertThatThrownBy(() -> StoreConfigOption.resolve(null, absent))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("no --config FILE given")
        .hasMessageContaining(absent.toString())
        .hasMessageContaining("bin/snapshotter local");
  }
}
