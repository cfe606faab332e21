package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.page.CompressionLevel;
import io.prism.snapshotter.page.PageLimits;
import io.prism.snapshotter.testing.CapturedLogs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad configuration is refused at validation, each error on the keys it concerns. */
class SnapshotterSinkConnectorTest {
  @TempDir java.nio.file.Path dir;

  private Map<String, String> valid() {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", SnapshotterSinkConnector.class.getName());
    config.put("topics", "events");
    config.put("storage.backend", "filesystem");
    config.put("storage.filesystem.path", dir.toString());
    return config;
  }

  private static Map<String, List<String>> errors(Config config) {
    return config.configValues().stream()
        .filter(value -> !value.errorMessages().isEmpty())
        .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
  }

  private Map<String, List<String>> validate(Map<String, String> config) {
    return errors(new SnapshotterSinkConnector().validate(config));
  }

  @Test
  void aValidConfigHasNoErrors() {
    assertThat(validate(valid())).isEmpty();
  }

  @Test
  void singleKeyErrorsNameTheKeyAndTheReason() {
    Map<String, String> config = valid();
    config.put("buffer.max.events", "0");
    config.put("page.format", "xml");
    config.put("page.compression", "lz4");
    config.put("writer.key.source", "cookie");
    config.put("page.tags", "env=prod,kafka.topic=x");
    Map<String, List<String>> errors = validate(config);
    assertThat(errors)
        .containsOnlyKeys(
            "buffer.max.events",
            "page.format",
            "page.compression",
            "writer.key.source",
            "page.tags");
    assertThat(errors.get("page.format").get(0)).contains("protobuf").contains("ndjson");
    assertThat(errors.get("page.compression").get(0))
        .contains("none")
        .contains("gzip")
        .contains("zstd");
    assertThat(errors.get("writer.key.source").get(0)).contains("header:<name>");
    assertThat(errors.get("page.tags").get(0)).contains("reserved");
  }

  /**
   * Pages beyond what page readers accept ({@link PageLimits#DEFAULT}: a million events, 256 MiB
   * uncompressed) could be written but never read back: the limits that shape pages stay within.
   */
  @ParameterizedTest
  @CsvSource({
    "buffer.max.events, 1000000, true",
    "buffer.max.events, 1000001, false",
    "buffer.max.size.bytes, 67108864, true",
    "buffer.max.size.bytes, 67108865, false"
  })
  void pagesNeverGrowBeyondWhatPageReadersAccept(String key, String value, boolean accepted) {
    Map<String, String> config = valid();
    config.put(key, value);
    config.put("buffer.memory.max.bytes", Long.toString(1L << 30));
    Map<String, List<String>> errors = validate(config);
    if (accepted) {
      assertThat(errors).isEmpty();
    } else {
      assertThat(errors).containsOnlyKeys(key);
      assertThat(errors.get(key).get(0)).contains("no more than");
    }
  }

  @Test
  void crossKeyErrorsAreAttachedToEveryKeyInvolved() {
    Map<String, String> config = valid();
    config.put("buffer.max.size.bytes", "33554432");
    config.put("buffer.memory.max.bytes", "10485760");
    Map<String, List<String>> errors = validate(config);
    assertThat(errors).containsOnlyKeys("buffer.max.size.bytes", "buffer.memory.max.bytes");
  }

  @Test
  void aCompressionLevelOutOfTheCodecsRangeIsRefusedOnTheLevelKeyWithTheRange() {
    Map<String, String> config = valid();
    config.put("page.compression", "gzip");
    config.put("page.compression.level", "12"); // a zstd level
    Map<String, List<String>> errors = validate(config);
    assertThat(errors).containsOnlyKeys("page.compression.level");
    assertThat(errors.get("page.compression.level").get(0)).contains("gzip levels are 1..9");

    config.put("page.compression", "zstd");
    config.put("page.compression.level", "0");
    errors = validate(config);
    assertThat(errors).containsOnlyKeys("page.compression.level");
    assertThat(errors.get("page.compression.level").get(0)).contains("zstd levels are 1..19");
  }

  @Test
  void aCompressionLevelNoCodecHasIsASingleKeyError() {
    Map<String, String> config = valid();
    config.put("page.compression", "none");
    config.put("page.compression.level", "25");
    Map<String, List<String>> errors = validate(config);
    assertThat(errors).containsOnlyKeys("page.compression.level");
    assertThat(errors.get("page.compression.level").get(0))
        .contains("gzip levels are 1..9")
        .contains("1..19");

    config.put("page.compression.level", "fast");
    assertThat(validate(config)).containsOnlyKeys("page.compression.level");
    assertThat(validate(config).get("page.compression.level").get(0))
        .contains("not a whole number");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  "})
  void anEmptyCompressionLevelMeansTheCodecsDefault(String empty) {
    Map<String, String> config = valid();
    config.put("page.compression", "zstd");
    config.put("page.compression.level", empty);
    assertThat(validate(config)).isEmpty();
    assertThat(new SnapshotterConfig(config).page().compressionLevel())
        .isEqualTo(CompressionLevel.CODEC_DEFAULT);
  }

  @ParameterizedTest
  @CsvSource({"zstd, 1", "zstd, 19", "zstd, -5", "gzip, 1", "gzip, 9", "none, 9", "none, 19"})
  void compressionLevelsTheCodecTakesAreValid(String codec, String level) {
    Map<String, String> config = valid();
    config.put("page.compression", codec);
    config.put("page.compression.level", level);
    assertThat(validate(config)).isEmpty();
    assertThat(new SnapshotterConfig(config).page().compressionLevel())
        .isEqualTo(CompressionLevel.of(Integer.parseInt(level)));
  }

  @Test
  void aTaskRefusesALevelItsCodecDoesNotTake() {
    Map<String, String> config = valid();
    config.put("page.compression", "gzip");
    config.put("page.compression.level", "15");
    SnapshotterConfig parsed = new SnapshotterConfig(config);
    assertThatThrownBy(() -> parsed.page().compressionLevel())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("page.compression.level")
        .hasMessageContaining("gzip levels are 1..9");
    config.remove("page.compression.level");
    assertThat(new SnapshotterConfig(config).page().compressionLevel())
        .isEqualTo(CompressionLevel.CODEC_DEFAULT);
  }

  @Test
  void s3WithoutABucketIsRefusedOnTheBucketKey() {
    Map<String, String> config = valid();
    config.put("storage.backend", "s3");
    config.remove("storage.filesystem.path");
    assertThat(validate(config)).containsKey("storage.s3.bucket");
  }

  @Test
  void aSessionTokenWithoutKeysIsRefusedOnTheThreeCredentialKeysAndNeverShown() {
    String token = "FwoGZXIvYXdzEBYaDSessionTokenSecret";
    Map<String, String> config = valid();
    config.put("storage.backend", "s3");
    config.remove("storage.filesystem.path");
    config.put("storage.s3.bucket", "pages");
    config.put("storage.s3.session.token", token);

    Config validated = new SnapshotterSinkConnector().validate(config);

    Map<String, List<String>> errors = errors(validated);
    assertThat(errors)
        .containsOnlyKeys(
            "storage.s3.access.key", "storage.s3.secret.key", "storage.s3.session.token");
    assertThat(errors.values())
        .allSatisfy(
            messages ->
                assertThat(messages)
                    .singleElement()
                    .asString()
                    .contains("storage.s3.session.token is set")
                    .doesNotContain(token));
    ConfigValue shown =
        validated.configValues().stream()
            .filter(value -> value.name().equals("storage.s3.session.token"))
            .findFirst()
            .orElseThrow();
    assertThat(shown.visible()).isTrue();
    assertThat(String.valueOf(shown.value())).isEqualTo("[hidden]");

    config.put("storage.s3.access.key", "ASIATEMPORARY");
    config.put("storage.s3.secret.key", "s3cr3t");
    assertThat(validate(config)).isEmpty();
  }

  @Test
  void aKeyTemplateThatCannotSeparatePagesIsRefused() {
    Map<String, String> config = valid();
    config.put("storage.key.template", "pages/{writer_id}/{year}{ext}");
    assertThat(validate(config)).containsKey("storage.key.template");
  }

  @Test
  void everyKeyIsDocumentedAndGrouped() {
    var def = new SnapshotterSinkConnector().config();
    assertThat(def.configKeys().values())
        .allSatisfy(
            key -> {
              assertThat(key.documentation).as(key.name).isNotBlank();
              assertThat(key.group).as(key.name).isNotBlank();
            });
  }

  @Test
  void everyTaskGetsTheConnectorsSettingsAndItsNumber() {
    SnapshotterSinkConnector connector = new SnapshotterSinkConnector();
    connector.start(valid());
    var tasks = connector.taskConfigs(3);
    assertThat(tasks).hasSize(3);
    for (int i = 0; i < 3; i++) {
      var expected = new java.util.HashMap<>(valid());
      expected.put(TaskTelemetry.TASK_ID, Integer.toString(i));
      assertThat(tasks.get(i)).isEqualTo(expected);
    }
  }

  /**
   * A misspelt setting would be ignored and its default used: validate() refuses it, offering the
   * setting meant, without showing its value (it may be a secret under a misspelt name); the other
   * checks still run.
   */
  @Test
  void aSettingTheConnectorDoesNotHaveIsRefusedNamingTheOneMeant() {
    Map<String, String> config = valid();
    config.remove("storage.filesystem.path");
    config.put("storage.filesytem.path", dir.toString());
    config.put("storage.s3.secret.kye", "s3cr3t");
    config.put("key.converter.schemas.enable", "false"); // the worker's: not judged here
    Config validated = new SnapshotterSinkConnector().validate(config);
    Map<String, List<String>> errors = errors(validated);
    assertThat(errors)
        .containsOnlyKeys(
            "storage.filesytem.path",
            "storage.s3.secret.kye",
            "storage.backend",
            "storage.filesystem.path");
    assertThat(errors.get("storage.filesytem.path"))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("storage.filesytem.path is not a setting of the Prism Snapshotter connector ")
        .endsWith("; did you mean storage.filesystem.path?");
    assertThat(errors.get("storage.s3.secret.kye"))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .endsWith("did you mean storage.s3.secret.key?");
    assertThat(validated.configValues())
        .filteredOn(value -> value.name().equals("storage.s3.secret.kye"))
        .singleElement()
        .satisfies(value -> assertThat(value.value()).isNull());
  }

  /**
   * Kafka's ConfigDef adds to a value that does not parse a second error from its validator, run on
   * null ("Invalid value null ...: Value must be non-null"): not said of what was given.
   */
  @Test
  void aValueThatDoesNotParseGetsOneErrorSayingSo() {
    Map<String, String> config = valid();
    config.put("buffer.max.age.seconds", "5m");
    config.put("buffer.max.size.bytes", "10MB");
    Map<String, List<String>> errors = validate(config);
    assertThat(errors.get("buffer.max.age.seconds"))
        .containsExactly(
            "Invalid value 5m for configuration buffer.max.age.seconds: Not a number of type INT"
                + " (a whole number of seconds, without a unit)");
    assertThat(errors.get("buffer.max.size.bytes"))
        .containsExactly(
            "Invalid value 10MB for configuration buffer.max.size.bytes: Not a number of type LONG"
                + " (a whole number of bytes, without a unit)");
    assertThat(errors).containsOnlyKeys("buffer.max.age.seconds", "buffer.max.size.bytes");
  }

  /** A config a worker stored before (another version's) still starts: the connector warns. */
  @Test
  void aStartedConnectorWarnsOfSettingsItDoesNotHave() {
    Map<String, String> config = valid();
    config.put("buffer.max.age.secs", "10");
    try (CapturedLogs logs = CapturedLogs.capture()) {
      new SnapshotterSinkConnector().start(config);
      assertThat(logs.lines())
          .filteredOn(line -> line.startsWith("WARN") && line.contains("buffer.max.age.secs"))
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .contains("did you mean buffer.max.age.seconds? (ignored)");
    }
  }

  /**
   * Connect accepts a dead letter queue with errors.tolerance=none (its default) and then sends it
   * nothing: the connector says so when it starts, not only the task at the first bad record.
   */
  @Test
  void aDeadLetterQueueWithoutErrorsToleranceAllIsAWarningAtStart() {
    Map<String, String> unused = valid();
    unused.put("errors.deadletterqueue.topic.name", "events-dlq");
    Map<String, String> used = new HashMap<>(unused);
    used.put("errors.tolerance", "all");
    try (CapturedLogs logs = CapturedLogs.capture()) {
      new SnapshotterSinkConnector().start(used);
      assertThat(logs.lines()).noneMatch(line -> line.contains("events-dlq"));

      new SnapshotterSinkConnector().start(unused);
      assertThat(logs.lines())
          .filteredOn(line -> line.startsWith("WARN") && line.contains("'events-dlq'"))
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .contains("errors.tolerance=none")
          .contains("only with errors.tolerance=all")
          .contains("stops the task");
    }
  }

  /**
   * A topic so long that the default template's last segment passes 255 bytes whatever the writer
   * id: said by validate(), naming the topic, the backend, the length and the placeholders, not
   * found record by record in the dead letter queue.
   */
  @Test
  void aTopicTooLongForTheKeyTemplateIsAConfigError() {
    Map<String, String> config = valid();
    config.put("topics", "events," + "t".repeat(200));
    config.put("page.format", "ndjson");
    config.put("page.compression", "gzip");
    Map<String, List<String>> errors = validate(config);
    assertThat(errors).containsOnlyKeys("storage.key.template");
    assertThat(errors.get("storage.key.template"))
        .singleElement()
        .asString()
        .startsWith(
            "storage.key.template cannot store any page of topic '"
                + "t".repeat(200)
                + "' on storage.backend=filesystem, whatever the writer id")
        .contains("a key segment is 256 UTF-8 bytes, over the 255")
        .contains("{topic} 200");

    config.put("topics", "events," + "t".repeat(150));
    assertThat(validate(config)).isEmpty();
  }

  /** Azure drops a segment's trailing dot: a template that ends one with a topic's is refused. */
  @Test
  void aTopicEndingASegmentWithADotIsAConfigErrorOnAzure() {
    Map<String, String> config = valid();
    config.put("topics", "events.");
    config.put("storage.key.template", "{topic}/{writer_id}/{start_offset}{ext}");
    assertThat(validate(config)).isEmpty();
    config.put("storage.backend", "azure");
    config.put("storage.azure.container", "pages");
    config.put("storage.azure.connection.string", "UseDevelopmentStorage=true");
    assertThat(validate(config).get("storage.key.template"))
        .singleElement()
        .asString()
        .contains("on storage.backend=azure")
        .contains("segment 'events.' ends with '.'");
  }
}
