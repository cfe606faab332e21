package io.prism.snapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A misspelt setting is found, and the setting most likely meant offered. */
class UnknownSettingsTest {
  private static List<UnknownSettings.Unknown> unknownIn(String... names) {
    return SnapshotterConfig.unknownSettings(
        java.util.Arrays.stream(names)
            .collect(
                java.util.stream.Collectors.toMap(
                    name -> name, name -> "x", (a, b) -> a, java.util.LinkedHashMap::new)));
  }

  @ParameterizedTest
  @CsvSource({
    "storage.filesytem.path, storage.filesystem.path",
    "buffer.max.event, buffer.max.events",
    "buffer.max.age.secs, buffer.max.age.seconds",
    "storage.s3.path_style, storage.s3.path.style",
    "Storage.S3.Bucket, storage.s3.bucket",
    "index.backends, index.backend",
    "page.compresion, page.compression",
    "writer.key.sorce, writer.key.source",
  })
  void aMisspeltSettingIsFoundWithTheSettingMeant(String given, String meant) {
    assertThat(unknownIn(given))
        .singleElement()
        .isEqualTo(new UnknownSettings.Unknown(given, Optional.of(meant)));
  }

  @Test
  void aSettingFarFromEveryKnownOneIsFoundWithoutAGuess() {
    assertThat(unknownIn("storage.s3.object.lock.mode", "index.mongodb.url"))
        .extracting(UnknownSettings.Unknown::name, UnknownSettings.Unknown::nearest)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("storage.s3.object.lock.mode", Optional.empty()),
            org.assertj.core.groups.Tuple.tuple("index.mongodb.url", Optional.empty()));
  }

  /** Connect's keys, the converters', transforms' and overrides' belong to the worker. */
  @Test
  void settingsOutsideTheConnectorsNameSpacesAreNotItsToJudge() {
    assertThat(
            unknownIn(
                "name",
                "connector.class",
                "topics",
                "tasks.max",
                "key.converter",
                "value.converter.schemas.enable",
                "transforms.route.type",
                "consumer.override.max.poll.records",
                "errors.tolerance",
                "prism.task.id",
                "storage.backend",
                "index.clickhouse.url"))
        .isEmpty();
  }

  @Test
  void theDescriptionNamesTheSettingTheOwnerAndWhatWasMeant() {
    assertThat(
            new UnknownSettings.Unknown(
                    "storage.filesytem.path", Optional.of("storage.filesystem.path"))
                .describe("the connector"))
        .isEqualTo(
            "storage.filesytem.path is not a setting of the connector; did you mean"
                + " storage.filesystem.path?");
    assertThat(new UnknownSettings.Unknown("index.mongodb.url", Optional.empty()).describe("it"))
        .isEqualTo("index.mongodb.url is not a setting of it (see its configuration reference)");
  }

  /** A name is offered only a name at most a third of its length in edits away, and three. */
  @Test
  void onlyCloseNamesAreOffered() {
    UnknownSettings settings = new UnknownSettings(List.of("a.bc", "a.bcdefghijklmnop"));
    assertThat(settings.nearest("a.bx")).contains("a.bc"); // 1 edit of 4 letters
    assertThat(settings.nearest("a.xy")).isEmpty(); // 2 edits of 4
    assertThat(settings.nearest("a.bcdefghijklmxyz")).contains("a.bcdefghijklmnop"); // 3 edits
    assertThat(settings.nearest("a.bcdefghijkwxyzp")).isEmpty(); // 4 edits
    assertThat(settings.in(Map.of("b.c", "1").keySet())).isEmpty(); // b. is not owned
  }
}
