package io.prism.snapshotter.page;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.prism.snapshotter.proto.EventPage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Pages written from the RFC schema by plain protobuf-java / plain Jackson, and the other way
 * round.
 */
class PageInteropTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final PageReader reader = new PageReader();

  @ParameterizedTest
  @EnumSource(Compression.class)
  void protobufPagesBuiltWithTheGeneratedClassesAreRead(Compression compression) throws Exception {
    List<Event> events = TestPages.tricky();
    byte[] raw = builtPage(events, compression).toByteArray();
    byte[] stored = TestPages.plainCompress(compression, raw);

    Page byKey =
        reader.read(
            new ByteArrayInputStream(stored), TestPages.key(PageFormat.PROTOBUF, compression));
    Page byMagic = reader.read(new ByteArrayInputStream(stored), null);

    assertThat(byKey.events()).containsExactlyElementsOf(events);
    assertThat(byMagic).isEqualTo(byKey);
    assertThat(byKey.metadata().writerId()).isEqualTo("user-123");
    assertThat(byKey.metadata().compression()).isEqualTo(compression);
    assertThat(byKey.metadata().tags()).containsEntry("region", "us-west-2");
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void ourProtobufIsByteForByteWhatProtobufJavaWrites(Compression compression) throws Exception {
    List<Event> events = TestPages.tricky();
    TestPages.EncodedBytes encoded = TestPages.encode(PageFormat.PROTOBUF, compression, events);
    byte[] raw = TestPages.plainDecompress(compression, encoded.bytes());

    EventPage parsed = EventPage.parseFrom(raw);

    assertThat(parsed.getEventsCount()).isEqualTo(events.size());
    for (int i = 0; i < events.size(); i++) {
      io.prism.snapshotter.proto.Event e = parsed.getEvents(i);
      assertThat(e.getEventId()).isEqualTo(events.get(i).eventId());
      assertThat(e.getTimestamp()).isEqualTo(events.get(i).timestampMillis());
      assertThat(e.getPayload().toByteArray()).isEqualTo(events.get(i).payload());
      assertThat(e.getAttributesMap()).isEqualTo(events.get(i).attributes());
      assertThat(e.getSequence()).isEqualTo(i);
    }
    io.prism.snapshotter.proto.PageMetadata m = parsed.getMetadata();
    assertThat(m.getPageSizeBytes()).isEqualTo(raw.length);
    assertThat(m.getEventCount()).isEqualTo(events.size());
    assertThat(m.getCompression()).isEqualTo(compression.configName());
    assertThat(m.getFormatVersion()).isEqualTo("v1");
    assertThat(m.getTagsMap()).isEqualTo(TestPages.SPEC.tags());
    assertThat(raw).as("same bytes as EventPage.toByteArray()").isEqualTo(parsed.toByteArray());
  }

  /**
   * The writer keeps its per-event sizes between pages: a reused encoder must not leak one page's
   * into the next.
   */
  @ParameterizedTest
  @EnumSource(Compression.class)
  void oneEncoderReusedAcrossPagesOfDifferentShapesWritesEachAsProtobufJavaWould(
      Compression compression) throws Exception {
    PageEncoder encoder = new PageEncoder();
    List<List<Event>> pages =
        List.of(
            TestPages.many(700),
            TestPages.tricky(),
            TestPages.many(3),
            TestPages.tricky(),
            TestPages.many(1500));
    for (List<Event> events : pages) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      EncodedPage page =
          encoder.encode(PageFormat.PROTOBUF, compression, TestPages.SPEC, events, out);
      byte[] raw = TestPages.plainDecompress(compression, out.toByteArray());

      EventPage parsed = EventPage.parseFrom(raw);
      assertThat(raw).as("same bytes as EventPage.toByteArray()").isEqualTo(parsed.toByteArray());
      assertThat(page.metadata().pageSizeBytes()).isEqualTo(raw.length);
      assertThat(reader.read(new ByteArrayInputStream(out.toByteArray()), null).events())
          .containsExactlyElementsOf(events);
    }
  }

  /**
   * The writer's buffer is reused too: a page that failed half-way must leave nothing behind for
   * the next.
   */
  @ParameterizedTest
  @EnumSource(Compression.class)
  void aPageThatFailedMidwayLeavesNothingInTheNextPage(Compression compression) throws Exception {
    PageEncoder encoder = new PageEncoder();
    OutputStream failing =
        new OutputStream() {
          private int written;

          @Override
          public void write(int b) throws java.io.IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws java.io.IOException {
            written += len;
            if (written > 2000) {
              throw new java.io.IOException("disk full (test)");
            }
          }
        };
    List<Event> big = TestPages.many(5000);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> encoder.encode(PageFormat.PROTOBUF, compression, TestPages.SPEC, big, failing))
        .hasMessageContaining("disk full");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    encoder.encode(PageFormat.PROTOBUF, compression, TestPages.SPEC, TestPages.tricky(), out);
    assertThat(out.toByteArray())
        .isEqualTo(TestPages.encode(PageFormat.PROTOBUF, compression, TestPages.tricky()).bytes());
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void ndjsonPagesWrittenWithPlainJacksonAreRead(Compression compression) throws Exception {
    List<Event> events = TestPages.tricky();
    StringBuilder page = new StringBuilder();
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("writer_id", "user-123");
    metadata.put("page_sequence", 42);
    metadata.put("start_time", 1_696_800_000_000L);
    metadata.put("end_time", -5);
    metadata.put("event_count", events.size());
    metadata.put("page_size_bytes", 1_048_576);
    metadata.put("format_version", "v1");
    metadata.put("compression", compression.configName());
    metadata.put("tags", Map.of("environment", "production", "region", "us-west-2"));
    page.append(MAPPER.writeValueAsString(Map.of("metadata", metadata))).append('\n');
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("event_id", e.eventId());
      line.put("timestamp", e.timestampMillis());
      line.put("payload", Base64.getEncoder().encodeToString(e.payload()));
      line.put("attributes", e.attributes());
      line.put("sequence", i);
      page.append(MAPPER.writeValueAsString(line)).append('\n');
    }
    byte[] stored =
        TestPages.plainCompress(compression, page.toString().getBytes(StandardCharsets.UTF_8));

    Page byKey =
        reader.read(
            new ByteArrayInputStream(stored), TestPages.key(PageFormat.NDJSON, compression));
    Page byMagic = reader.read(new ByteArrayInputStream(stored), null);

    assertThat(byKey.events()).containsExactlyElementsOf(events);
    assertThat(byMagic).isEqualTo(byKey);
    assertThat(byKey.metadata().tags()).containsEntry("region", "us-west-2");
    assertThat(byKey.metadata().format()).isEqualTo(PageFormat.NDJSON);
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void ourNdjsonIsTheRfcLayoutAsPlainJacksonSeesIt(Compression compression) throws Exception {
    List<Event> events = TestPages.tricky();
    TestPages.EncodedBytes encoded = TestPages.encode(PageFormat.NDJSON, compression, events);
    byte[] raw = TestPages.plainDecompress(compression, encoded.bytes());
    String text = new String(raw, StandardCharsets.UTF_8);
    assertThat(text).endsWith("\n");
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    assertThat(lines).hasSize(events.size() + 1);

    JsonNode first = MAPPER.readTree(lines[0]);
    assertThat(fieldNames(first)).containsExactly("metadata");
    JsonNode m = first.get("metadata");
    assertThat(fieldNames(m))
        .containsExactly(
            "writer_id",
            "page_sequence",
            "start_time",
            "end_time",
            "event_count",
            "page_size_bytes",
            "format_version",
            "compression",
            "tags");
    assertThat(m.get("page_size_bytes").asLong()).isEqualTo(raw.length);
    assertThat(m.get("event_count").asLong()).isEqualTo(events.size());
    assertThat(m.get("compression").asText()).isEqualTo(compression.configName());
    assertThat(m.get("tags").get("environment").asText()).isEqualTo("production");
    for (int i = 0; i < events.size(); i++) {
      JsonNode line = MAPPER.readTree(lines[i + 1]);
      assertThat(fieldNames(line))
          .containsExactly("event_id", "timestamp", "payload", "attributes", "sequence");
      Event e = events.get(i);
      assertThat(line.get("event_id").asText()).isEqualTo(e.eventId());
      assertThat(line.get("timestamp").asLong()).isEqualTo(e.timestampMillis());
      assertThat(Base64.getDecoder().decode(line.get("payload").asText())).isEqualTo(e.payload());
      assertThat(MAPPER.convertValue(line.get("attributes"), Map.class)).isEqualTo(e.attributes());
      assertThat(line.get("sequence").asLong()).isEqualTo(i);
    }
  }

  private static EventPage builtPage(List<Event> events, Compression compression) {
    EventPage.Builder page =
        EventPage.newBuilder()
            .setMetadata(
                io.prism.snapshotter.proto.PageMetadata.newBuilder()
                    .setWriterId("user-123")
                    .setPageSequence(42)
                    .setStartTime(events.get(0).timestampMillis())
                    .setEndTime(events.get(events.size() - 1).timestampMillis())
                    .setEventCount(events.size())
                    .setPageSizeBytes(123_456)
                    .setFormatVersion("v1")
                    .setCompression(compression.configName())
                    .putTags("environment", "production")
                    .putTags("region", "us-west-2"));
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      page.addEvents(
          io.prism.snapshotter.proto.Event.newBuilder()
              .setEventId(e.eventId())
              .setTimestamp(e.timestampMillis())
              .setPayload(ByteString.copyFrom(e.payload()))
              .putAllAttributes(e.attributes())
              .setSequence(i));
    }
    return page.build();
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }
}
