package io.prism.snapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
  @TempDir Path dir;

  @Test
  void readsKeysAndExpandsEnvironmentVariables() throws IOException {
    Path file = dir.resolve("c.properties");
    Files.writeString(file, "a=1\nsecret=${PRISM_TEST_SECRET}\n");
    assertThat(ConfigFile.load(file, name -> name.equals("PRISM_TEST_SECRET") ? "s3cr3t" : null))
        .isEqualTo(Map.of("a", "1", "secret", "s3cr3t"));
  }

  /**
   * The docs' examples pass {@code --config connector.properties}; a user without that file in the
   * working directory used to read "Cannot read config file connector.properties:
   * connector.properties" (the JDK's message is the path again).
   */
  @Test
  void aMissingFileIsSaidInWordsWithThePathItWasLookedFor() {
    Path relative = Path.of("no-such-dir-" + System.nanoTime(), "connector.properties");
    assertThatThrownBy(() -> ConfigFile.load(relative))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Cannot read config file "
                + relative
                + ": no such file ("
                + relative.toAbsolutePath().normalize()
                + ")");
    Path absolute = dir.resolve("connector.properties");
    assertThatThrownBy(() -> ConfigFile.load(absolute))
        .hasMessage("Cannot read config file " + absolute + ": no such file");
  }

  @Test
  void aDirectoryIsSaidToBeOne() {
    assertThatThrownBy(() -> ConfigFile.load(dir))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Cannot read config file " + dir + ": it is a directory, not a .properties file");
  }

  @Test
  void aFileThatIsNotUtf8IsSaidToBeSo() throws IOException {
    Path file = dir.resolve("latin1.properties");
    Files.write(file, new byte[] {'a', '=', (byte) 0xE9, '\n'});
    assertThatThrownBy(() -> ConfigFile.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Cannot read config file " + file + ": it is not UTF-8 text");
  }
}
