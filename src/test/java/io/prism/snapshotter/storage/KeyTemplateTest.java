package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class KeyTemplateTest {

  /** 2023-10-08T21:20:00.123Z */
  private static final long START = 1_696_800_000_123L;

  private static final KeyContext PAGE =
      new KeyContext("user-123", START, 42, "events", 3, 1234, "protobuf", ".pb.zst", "zstd");

  @Test
  void theDefaultTemplateRendersDateWriterTimestampAndKafkaCoordinates() {
    assertThat(KeyTemplate.parse(KeyTemplate.DEFAULT).render(PAGE))
        .isEqualTo(
            "snapshots/2023/10/08/user-123/1696800000123_events-3-00000000000000001234.pb.zst");
  }

  @Test
  void everyPlaceholderRenders() {
    String all =
        Arrays.stream(KeyPlaceholder.values())
            .map(p -> p.placeholderName() + "={" + p.placeholderName() + "}")
            .reduce((a, b) -> a + "," + b)
            .orElseThrow();

    assertThat(KeyTemplate.parse(all).render(PAGE))
        .isEqualTo(
            "year=2023,month=10,day=08,hour=21,minute=20,"
                + "date=2023-10-08,writer_id=user-123,timestamp=1696800000123,sequence=00000000000000000042,"
                + "topic=events,partition=3,start_offset=00000000000000001234,format=protobuf,ext=.pb.zst,"
                + "compression=zstd");
  }

  @Test
  void everyPlaceholderIsDocumented() {
    for (KeyPlaceholder placeholder : KeyPlaceholder.values()) {
      assertThat(KeyPlaceholder.documentation())
          .contains("{" + placeholder.placeholderName() + "}");
      assertThat(placeholder.description()).isNotBlank();
    }
  }

  @Test
  void timeIsUtcWithZeroPadding() {
    KeyContext earlyMorning =
        new KeyContext(
            "w",
            1_704_070_800_000L /* 2024-01-01T01:00:00Z */,
            0,
            "t",
            0,
            0,
            "ndjson",
            ".ndjson",
            "none");

    assertThat(
            KeyTemplate.parse("{year}/{month}/{day}/{hour}/{minute}/{date}/{writer_id}/{sequence}")
                .render(earlyMorning))
        .isEqualTo("2024/01/01/01/00/2024-01-01/w/00000000000000000000");
  }

  @Test
  void theRfcTemplatesParse() {
    assertThat(
            KeyTemplate.parse(
                    "snapshots/{year}/{month}/{day}/{writer_id}/{timestamp}_{sequence}.pb.gz")
                .render(PAGE))
        .isEqualTo("snapshots/2023/10/08/user-123/1696800000123_00000000000000000042.pb.gz");
    assertThat(KeyTemplate.parse("{writer_id}/{date}/{sequence}.ndjson").render(PAGE))
        .isEqualTo("user-123/2023-10-08/00000000000000000042.ndjson");
  }

  @Test
  void writerIdAndTopicAreEncoded() {
    KeyContext hostile =
        new KeyContext("../../etc/passwd", START, 1, "..", 0, 0, "protobuf", ".pb", "none");

    assertThat(KeyTemplate.parse("w/{writer_id}/{topic}/{sequence}").render(hostile))
        .isEqualTo("w/%2E.%2F..%2Fetc%2Fpasswd/%2E./00000000000000000001");
  }

  @Test
  void anUnknownPlaceholderIsRefusedByName() {
    assertThatThrownBy(() -> KeyTemplate.parse("{writer_id}/{sequence}/{wrtier}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("{wrtier}")
        .hasMessageContaining("unknown");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{writer_id}/{sequence|unclosed",
        "{writer_id}/{seq{sequence}}|unclosed",
        "{writer_id}/sequence}|without '{'",
        "snapshots/{timestamp}_{sequence}|{writer_id}",
        "{writer_id}/{timestamp}|{sequence} nor {start_offset}",
        "/{writer_id}/{sequence}|start with '/'",
        "a//{writer_id}/{sequence}|empty segment",
        "../{writer_id}/{sequence}|'..'",
        "a\\{writer_id}/{sequence}|backslash",
        "{writer_id}/{sequence}/|empty segment",
        ".prism-meta/{writer_id}/{sequence}|reserved"
      })
  void badTemplatesAreRefusedNamingTheProblem(String template, String problem) {
    assertThatThrownBy(() -> KeyTemplate.parse(template))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(problem);
  }

  @Test
  void anEmptyTemplateIsRefused() {
    assertThatThrownBy(() -> KeyTemplate.parse("  ")).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> KeyTemplate.parse(null)).isInstanceOf(ConfigException.class);
  }

  @Test
  void startOffsetAloneIsEnoughToSeparatePages() {
    assertThat(KeyTemplate.parse("{writer_id}/{topic}-{partition}-{start_offset}").placeholders())
        .containsExactly(
            KeyPlaceholder.WRITER_ID,
            KeyPlaceholder.TOPIC,
            KeyPlaceholder.PARTITION,
            KeyPlaceholder.START_OFFSET);
  }

  @Test
  void writerPrefixIsTheLiteralTextUpToAndAfterTheWriter() {
    assertThat(KeyTemplate.parse("pages/{writer_id}/{date}/{sequence}.ndjson").writerPrefix("a/b"))
        .hasValue("pages/a%2Fb/");
    assertThat(KeyTemplate.parse("{writer_id}/{sequence}").writerPrefix("")).hasValue("~/");
  }

  @Test
  void writerPrefixIsEmptyWhenItCannotSeparateWriters() {
    // A placeholder before the writer: no literal prefix.
    assertThat(KeyTemplate.parse(KeyTemplate.DEFAULT).writerPrefix("w")).isEmpty();
    // Text right after the writer id that an encoded id could contain: "a" would also match writer
    // "a_x".
    assertThat(KeyTemplate.parse("p/{writer_id}_{sequence}").writerPrefix("a")).isEmpty();
    assertThat(KeyTemplate.parse("p/{writer_id}{sequence}").writerPrefix("a")).isEmpty();
  }

  @Test
  void theWriterSegmentIsWhereTheWriterIdStandsAloneBetweenSlashes() {
    KeyTemplate defaults = KeyTemplate.parse(KeyTemplate.DEFAULT);
    assertThat(defaults.writerSegment()).hasValue(4);
    String key =
        defaults.render(new KeyContext("w-1", START, 1, "t", 0, 0, "protobuf", ".pb", "none"));
    assertThat(key.split("/")[4]).isEqualTo("w-1");
    assertThat(KeyTemplate.parse("{writer_id}/{date}/{sequence}.pb").writerSegment()).hasValue(0);
    assertThat(KeyTemplate.parse("p/{start_offset}/{writer_id}").writerSegment()).hasValue(2);
    // The id shares its segment with other text: no segment is the id alone.
    assertThat(KeyTemplate.parse("p/{writer_id}-{date}/{sequence}").writerSegment()).isEmpty();
    assertThat(KeyTemplate.parse("p/{date}{writer_id}/{sequence}").writerSegment()).isEmpty();
    assertThat(KeyTemplate.parse("p/x{writer_id}/{sequence}").writerSegment()).isEmpty();
  }

  @Test
  void aRenderedKeyThatBreaksAKeyRuleIsRefused() {
    KeyContext longFormat =
        new KeyContext("w", START, 1, "t", 0, 0, "f".repeat(300), ".pb", "none");

    assertThatThrownBy(
            () -> KeyTemplate.parse("{writer_id}/{sequence}.{format}").render(longFormat))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("255");
  }

  @ParameterizedTest
  @EnumSource(KeyPlaceholder.class)
  void placeholdersAreFoundByName(KeyPlaceholder placeholder) {
    assertThat(KeyPlaceholder.byName(placeholder.placeholderName())).hasValue(placeholder);
  }

  /**
   * The default template with a 200-character topic (encoded as is), a 10-digit partition and
   * ndjson+gzip: the last segment is 256 bytes. The error says how long, the limit and which
   * placeholders filled it; it used to say only "segment longer than 255 UTF-8 bytes".
   */
  @Test
  void aSegmentTooLongNamesItsLengthTheLimitAndThePlaceholdersInIt() {
    KeyContext page =
        new KeyContext(
            "w",
            1_700_000_000_000L,
            Long.MAX_VALUE,
            "t".repeat(200),
            Integer.MAX_VALUE,
            Long.MAX_VALUE,
            "ndjson",
            ".ndjson.gz",
            "gzip");
    assertThatThrownBy(() -> KeyTemplate.parse(KeyTemplate.DEFAULT).render(page))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith(
            "a key segment is 256 UTF-8 bytes, over the 255 a segment may have (a file name's"
                + " limit on the filesystem backend; every backend keeps to it); the placeholders"
                + " in it: {timestamp} 13, {topic} 200, {partition} 10, {start_offset} 20, {ext} 10"
                + " bytes");
  }

  @Test
  void aKeyTooLongNamesItsLengthTheLimitAndThePlaceholders() {
    KeyContext page =
        new KeyContext("w", START, 1, "t".repeat(200), 0, 1, "protobuf", ".pb.zst", "zstd");
    assertThatThrownBy(
            () ->
                KeyTemplate.parse("{topic}/{topic}/{topic}/{topic}/{topic}/{writer_id}/{sequence}")
                    .render(page))
        .hasMessageEndingWith(
            "the key is 1027 UTF-8 bytes, over the 1024 a key may have (S3's limit; Azure's is"
                + " 1,024 characters; every backend keeps to it); the placeholders in it: {topic}"
                + " 200, {topic} 200, {topic} 200, {topic} 200, {topic} 200, {writer_id} 1,"
                + " {sequence} 20 bytes");
  }

  @Test
  void whatFitsForEveryWriterOfATopicIsKnownFromTheTopicAndTheBackend() {
    KeyTemplate template = KeyTemplate.parse(KeyTemplate.DEFAULT);
    assertThat(
            template.problemForEveryWriter(
                "t".repeat(200), "ndjson", ".ndjson.gz", "gzip", StorageBackend.S3))
        .hasValueSatisfying(problem -> assertThat(problem).contains("a key segment is 256"));
    assertThat(
            template.problemForEveryWriter(
                "t".repeat(150), "ndjson", ".ndjson.gz", "gzip", StorageBackend.S3))
        .isEmpty();
    assertThat(
            KeyTemplate.parse("{topic}/{writer_id}/{sequence}")
                .problemForEveryWriter("events.", "protobuf", ".pb", "none", StorageBackend.AZURE))
        .hasValueSatisfying(problem -> assertThat(problem).contains("'events.' ends with '.'"));
    assertThat(
            KeyTemplate.parse("{topic}/{writer_id}/{sequence}")
                .problemForEveryWriter("events.", "protobuf", ".pb", "none", StorageBackend.S3))
        .isEmpty();
  }
}
