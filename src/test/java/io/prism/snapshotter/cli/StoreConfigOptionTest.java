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

    assertThat(StoreConfigOption.resolve(given, StoreConfigOption.INDEX, local)).isEqualTo(given);
  }

  @Test
  void withoutOneTheLocalStacksSettingsAreUsed() throws Exception {
    Path local =
        Files.writeString(dir.resolve("connector.properties"), "storage.backend=filesystem\n");

    assertThat(StoreConfigOption.resolve(null, StoreConfigOption.INDEX, local)).isEqualTo(local);
  }

  @Test
  void withNeitherTheErrorSaysWhatWasLookedFor() {
    Path absent = dir.resolve("data/connector.properties");

    assertThatThrownBy(() -> StoreConfigOption.resolve(null, StoreConfigOption.INDEX, absent))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("no --config FILE given")
        .hasMessageContaining(absent.toString())
        .hasMessageContaining("bin/snapshotter local");
  }

  @Test
  void theErrorNamesTheSettingsTheCommandReads() {
    Path absent = dir.resolve("data/connector.properties");

    assertThatThrownBy(() -> StoreConfigOption.resolve(null, StoreConfigOption.INDEX, absent))
        .hasMessageEndingWith(
            "give --config FILE with the settings naming the page index (index.*)")
        .hasMessageNotContaining("storage.*");
    assertThatThrownBy(
            () -> StoreConfigOption.resolve(null, StoreConfigOption.STORE_AND_INDEX, absent))
        .hasMessageContaining("the store (storage.*) and the page index (index.*)");
  }
}
