package io.prism.snapshotter.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PageRoundTripTest {
  private final PageReader reader = new PageReader();

  static Stream<Arguments> formatsAndCompressions() {
    return Arrays.stream(PageFormat.values())
        .flatMap(f -> Arrays.stream(Compression.values()).map(c -> Arguments.of(f, c)));
  }

  @ParameterizedTest(name = "{0} + {1}")
  @MethodSource("formatsAndCompressions")
  void trickyEventsRoundTrip(PageFormat format, Compression compression) throws Exception {
    List<Event> events = TestPages.tricky();
    TestPages.EncodedBytes encoded = TestPages.encode(format, compression, events);

    Page page =
        reader.read(new ByteArrayInputStream(encoded.bytes()), TestPages.key(format, compression));

    assertThat(page.events()).containsExactlyElementsOf(events);
    assertThat(page.metadata()).isEqualTo(encoded.page().metadata());
    assertMetadata(encoded, format, compression, events);
  }

  @ParameterizedTest(name = "{0} + {1}")
  @MethodSource("formatsAndCompressions")
  @Timeout(30)
  void hundredThousandEventsRoundTripThroughTheStreamingCursor(
      PageFormat format, Compression compression) throws Exception {
    List<Event> events = TestPages.many(100_000);
    TestPages.EncodedBytes encoded = TestPages.encode(format, compression, events);
    assertMetadata(encoded, format, compression, events);

    try (PageCursor cursor =
        reader.open(new ByteArrayInputStream(encoded.bytes()), format, compression)) {
      assertThat(cursor.metadata()).isEqualTo(encoded.page().metadata());
      int i = 0;
      while (cursor.hasNext()) {
        assertThat(cursor.next()).isEqualTo(events.get(i++));
      }
      assertThat(i).isEqualTo(100_000);
    }
  }

  @ParameterizedTest(name = "{0} + {1}")
  @MethodSource("formatsAndCompressions")
  void metadataIsReadFromTheHeadOfThePageAlone(PageFormat format, Compression compression)
      throws Exception {
    TestPages.EncodedBytes encoded = TestPages.encode(format, compression, TestPages.many(20_000));
    byte[] head = Arrays.copyOf(encoded.bytes(), 4096);
    assertThat(encoded.bytes().length).isGreaterThan(head.length);

    PageMetadata metadata =
        reader.readMetadata(new ByteArrayInputStream(head), TestPages.key(format, compression));

    assertThat(metadata).isEqualTo(encoded.page().metadata());
  }

  @ParameterizedTest(name = "{0} + {1}")
  @MethodSource("formatsAndCompressions")
  void encoderLeavesTheCallersStreamOpenAndCountsWhatItWrote(
      PageFormat format, Compression compression) throws Exception {
    ByteArrayOutputStream target = new ByteArrayOutputStream();
    target.write(new byte[] {1, 2, 3});
    boolean[] closed = {false};
    OutputStream out =
        new OutputStream() {
          @Override
          public void write(int b) {
            target.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            target.write(b, off, len);
          }

          @Override
          public void close() {
            closed[0] = true;
          }
        };

    EncodedPage page =
        new PageEncoder().encode(format, compression, TestPages.SPEC, TestPages.many(10), out);

    assertThat(closed[0]).isFalse();
    assertThat(page.storedSizeBytes()).isEqualTo(target.size() - 3);
  }

  @Test
  void anEmptyPageIsRefused() {
    assertThatThrownBy(
            () ->
                new PageEncoder()
                    .encode(
                        PageFormat.PROTOBUF,
                        Compression.NONE,
                        TestPages.SPEC,
                        List.of(),
                        new ByteArrayOutputStream()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one event");
  }

  @Test
  void eventsAreImmutableValues() {
    byte[] payload = {1, 2, 3};
    Map<String, String> attributes = new java.util.HashMap<>(Map.of("a", "b"));
    Event event = new Event("id", 1, payload, attributes);
    payload[0] = 9;
    attributes.put("c", "d");
    event.payload()[1] = 9;

    assertThat(event.payload()).containsExactly(1, 2, 3);
    assertThat(event.payloadBuffer().isReadOnly()).isTrue();
    assertThat(event.payloadBuffer().remaining()).isEqualTo(3);
    assertThat(event.attributes()).containsExactly(Map.entry("a", "b"));
    assertThat(new Event("id", 1, null, null).attributes()).isEmpty();
    assertThat(event).isEqualTo(new Event("id", 1, new byte[] {1, 2, 3}, Map.of("a", "b")));
  }

  @Test
  void textThatIsNotValidUnicodeIsRefusedWhereEventsAreBuilt() {
    assertThatThrownBy(() -> new Event("bad\uD800x", 1, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("eventId is not valid Unicode: unpaired surrogate U+D800 at index 3");
    assertThatThrownBy(() -> Event.wrap("id", 1, null, Map.of("k", "\uDC00")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("value of attribute k");
    assertThatThrownBy(() -> new PageSpec("w", 1, Map.of("\uD83D", "v")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tag key");
    assertThat(new Event("🎉", 1, null, Map.of("🎉", "🎉")).eventId()).isEqualTo("🎉");
  }

  private static void assertMetadata(
      TestPages.EncodedBytes encoded,
      PageFormat format,
      Compression compression,
      List<Event> events)
      throws IOException {
    PageMetadata m = encoded.page().metadata();
    byte[] uncompressed = TestPages.plainDecompress(compression, encoded.bytes());
    assertThat(m.pageSizeBytes())
        .as("pageSizeBytes is the uncompressed length")
        .isEqualTo(uncompressed.length);
    assertThat(encoded.page().storedSizeBytes()).isEqualTo(encoded.bytes().length);
    assertThat(m.eventCount()).isEqualTo(events.size());
    // The earliest and latest times, whatever the events' order (record times need not grow).
    assertThat(m.startTime())
        .isEqualTo(events.stream().mapToLong(Event::timestampMillis).min().orElseThrow());
    assertThat(m.endTime())
        .isEqualTo(events.stream().mapToLong(Event::timestampMillis).max().orElseThrow());
    assertThat(m.writerId()).isEqualTo("user-123");
    assertThat(m.pageSequence()).isEqualTo(42);
    assertThat(m.tags()).isEqualTo(Map.of("environment", "production"));
    assertThat(m.formatVersion()).isEqualTo("v1");
    assertThat(m.compression()).isEqualTo(compression);
    assertThat(m.format()).isEqualTo(format);
    if (compression == Compression.NONE) {
      assertThat(encoded.bytes()).isEqualTo(uncompressed);
    }
  }
}
