package io.prism.snapshotter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPathsTest {
  @TempDir Path dir;

  @Test
  void freshDeletesADataDirectoryHoldingOnlyWhatTheLocalStackMakes() throws Exception {
    LocalPaths paths = new LocalPaths(dir.resolve("data"));
    Files.createDirectories(paths.kafka().resolve("events-0"));
    Files.writeString(paths.kafka().resolve("meta.properties"), "x");
    Files.createDirectories(paths.pages().resolve("events/0/w"));
    Files.writeString(paths.pages().resolve("events/0/w/0.pb.gz"), "page");
    Files.writeString(paths.brokerProperties(), "x");
    Files.writeString(paths.connectOffsets(), "x");
    Files.writeString(paths.indexDb(), "x");
    Files.writeString(dir.resolve("data/index.db-wal"), "x");
    Files.writeString(paths.connectorProperties(), "x");

    paths.wipe();

    assertThat(paths.data()).doesNotExist();
  }

  @Test
  void freshRefusesADirectoryHoldingAnythingElseAndDeletesNothing() throws Exception {
    // bin/snapshotter local --fresh --data . in a project directory
    Files.writeString(dir.resolve("README.md"), "mine");
    Files.createDirectories(dir.resolve("src/main"));
    Files.createDirectories(dir.resolve("pages"));
    LocalPaths paths = new LocalPaths(dir);

    assertThatThrownBy(paths::wipe)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("README.md, src")
        .hasMessageContaining("nothing was deleted");
    assertThat(dir.resolve("README.md")).hasContent("mine");
    assertThat(dir.resolve("src/main")).isDirectory();
    assertThat(dir.resolve("pages")).isDirectory();
  }

  @Test
  void freshRefusesAFileAndDoesNothingForADirectoryNotThere() throws Exception {
    Path file = Files.writeString(dir.resolve("notes.txt"), "mine");
    assertThatThrownBy(new LocalPaths(file)::wipe)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a directory");
    assertThat(file).hasContent("mine");

    new LocalPaths(dir.resolve("absent")).wipe();
    assertThat(dir.resolve("absent")).doesNotExist();
  }
}
