package io.prism.snapshotter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSettingsTest {
  @TempDir Path dir;

  @Test
  void keysAreRoutedByPrefixAndTheLocalOnesAreForced() throws IOException {
    Path file = dir.resolve("c.properties");
    Files.writeString(
        file,
        "page.format=ndjson\ntopics=other\nstorage.filesystem.path=/var/lib/x\n"
            + "frontdoor.max.batch.events=10\nerrors.deadletterqueue.topic.name=dlq\n"
            + "errors.deadletterqueue.topic.replication.factor=3\n");
    LocalPaths paths = new LocalPaths(dir.resolve("data"));
    LocalSettings s =
        LocalSettings.assemble(
            Optional.of(file),
            Map.of(
                "local.kafka.port",
                "0",
                "frontdoor.listen",
                "127.0.0.1:0",
                "buffer.max.events",
                "7",
                "writer.session.header",
                "x-session",
                "writer.event.id.header",
                "x-event-id"),
            paths);

    assertThat(s.connector())
        .containsEntry("page.format", "ndjson")
        .containsEntry("buffer.max.events", "7")
        .containsEntry("topics", LocalSettings.TOPIC)
        .containsEntry("storage.filesystem.path", paths.pages().toString())
        .containsEntry("buffer.flush.on.disconnect", "true")
        .containsEntry("errors.deadletterqueue.topic.replication.factor", "1")
        .containsEntry("writer.session.header", "x-session")
        .containsEntry("writer.event.id.header", "x-event-id")
        .doesNotContainKeys("frontdoor.listen", "local.kafka.port");
    assertThat(s.frontDoor())
        .as("the header names the connector reads are the ones the front door writes")
        .containsEntry("writer.session.header", "x-session")
        .containsEntry("writer.event.id.header", "x-event-id")
        .containsEntry("frontdoor.listen", "127.0.0.1:0")
        .containsEntry("frontdoor.max.batch.events", "10")
        .containsEntry("frontdoor.topic", LocalSettings.TOPIC);
    assertThat(s.port(LocalSettings.KAFKA_PORT)).isZero();
    assertThat(s.port(LocalSettings.CONNECT_PORT)).isEqualTo(8083);
  }

  /** Both are forced under --data: a --set of either would be silently ignored. */
  @Test
  void aSetMovingTheStoreOrTheIndexOutOfTheDataDirectoryIsRefusedNamingData() {
    LocalPaths paths = new LocalPaths(dir.resolve("data"));
    for (String key : new String[] {"storage.filesystem.path", "index.sqlite.path"}) {
      assertThatThrownBy(
              () -> LocalSettings.assemble(Optional.empty(), Map.of(key, "/srv/elsewhere"), paths))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(key)
          .hasMessageContaining("/srv/elsewhere")
          .hasMessageContaining("--data DIR");
    }
    LocalSettings same =
        LocalSettings.assemble(
            Optional.empty(), Map.of("storage.filesystem.path", paths.pages().toString()), paths);
    assertThat(same.connector()).containsEntry("storage.filesystem.path", paths.pages().toString());
  }

  @Test
  void badPortsAndPartitionsNameTheirKey() {
    LocalSettings s =
        LocalSettings.assemble(
            Optional.empty(),
            Map.of("local.kafka.port", "70000", "local.topic.partitions", "0"),
            new LocalPaths(dir));
    assertThatThrownBy(() -> s.port(LocalSettings.KAFKA_PORT))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("local.kafka.port");
    assertThatThrownBy(s::partitions)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("local.topic.partitions");
  }

  /** A misspelt port key would leave the port at its default: refused, naming the key meant. */
  @Test
  void aLocalSettingTheStackDoesNotHaveIsRefusedNamingTheOneMeant() {
    assertThatThrownBy(
            () ->
                LocalSettings.assemble(
                    Optional.empty(), Map.of("local.kafak.port", "19092"), new LocalPaths(dir)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "local.kafak.port is not a setting of the local stack; did you mean local.kafka.port?");
    assertThatThrownBy(
            () ->
                LocalSettings.assemble(
                    Optional.empty(),
                    Map.of("frontdoor.listn", "127.0.0.1:50052"),
                    new LocalPaths(dir)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "frontdoor.listn is not a setting of the front door; did you mean frontdoor.listen?");
  }
}
