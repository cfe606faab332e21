package io.prism.snapshotter.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.prism.snapshotter.proto.EventPage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Named hostile and corrupt pages, each rejected with a message that says what and where. */
@Timeout(20)
class PageReaderHostileInputTest {
  private static final String META =
      "{\"metadata\":{\"writer_id\":\"w\",\"page_sequence\":1,\"start_time\":5,"
          + "\"end_time\":6,\"event_count\":2,\"page_size_bytes\":0,\"format_version\":\"v1\","
          + "\"compression\":\"none\",\"tags\":{}}}\n";
  private static final String EVENT0 =
      "{\"event_id\":\"e0\",\"timestamp\":5,\"payload\":\"AAE=\",\"attributes\":{},\"sequence\":0}\n";
  private static final String EVENT1 =
      "{\"event_id\":\"e1\",\"timestamp\":6,\"payload\":\"\",\"attributes\":{\"a\":\"b\"},\"sequence\":1}\n";

  private final PageReader reader = new PageReader();

  @Test
  void theHandWrittenNdjsonFixtureIsValid() throws Exception {
    Page page = readNdjson(META + EVENT0 + EVENT1);
    assertThat(page.events()).hasSize(2);
    assertThat(page.events().get(0).payload()).containsExactly(0, 1);
  }

  @Test
  void ndjsonBadBase64SaysLineAndWhat() {
    assertNdjsonRejected(
        META + EVENT0 + EVENT1.replace("\"payload\":\"\"", "\"payload\":\"not base64!\""),
        "NDJSON line 3 (byte offset "
            + (META.length() + EVENT0.length())
            + "): payload is not valid base64");
  }

  @Test
  void ndjsonFirstLineNotJson() {
    assertNdjsonRejected("{this is not json}\n" + EVENT0, "NDJSON line 1");
    assertNdjsonRejected(
        "{\"event_id\":\"e0\"}\n" + EVENT0,
        "NDJSON line 1 (byte offset 0): the first line must be");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"timestamp\":5,",
        "\"event_id\":\"e0\",",
        "\"payload\":\"AAE=\",",
        "\"sequence\":0"
      })
  void ndjsonMissingRequiredEventFieldsAreNamed(String field) {
    String broken = EVENT0.replace(field, "").replace(",}", "}");
    assertNdjsonRejected(META + broken + EVENT1, "NDJSON line 2");
  }

  @Test
  void ndjsonWrongTypesDuplicatesAndTrailingDataAreRejected() {
    assertNdjsonRejected(
        META + EVENT0.replace("\"timestamp\":5", "\"timestamp\":\"5\"") + EVENT1,
        "NDJSON line 2 (byte offset " + META.length() + "): timestamp must be an integer");
    assertNdjsonRejected(
        META + EVENT0.replace("\"attributes\":{}", "\"attributes\":{\"a\":1}") + EVENT1,
        "attributes.a must be a string");
    assertNdjsonRejected(
        META + EVENT0.replace("\"sequence\":0", "\"sequence\":0,\"sequence\":0") + EVENT1,
        "Duplicate field 'sequence'");
    assertNdjsonRejected(META + EVENT0.replace("}\n", "} {}\n") + EVENT1, "trailing data");
    assertNdjsonRejected(META + EVENT0 + "\n" + EVENT1, "NDJSON line 3");
    assertNdjsonRejected(META + EVENT0 + "[1,2]\n", "NDJSON line 3");
    assertNdjsonRejected(
        META + EVENT0.replace("\"timestamp\":5", "\"timestamp\":99999999999999999999") + EVENT1,
        "NDJSON line 2");
  }

  /**
   * Fuzzing finding: a JSON escape of an unpaired surrogate used to reach the reader's last-resort
   * catch.
   */
  @Test
  void ndjsonUnpairedSurrogateEscapesAreRejectedNamingTheField() {
    assertNdjsonRejected(
        META + EVENT0.replace("\"e0\"", "\"\\ud800\"") + EVENT1,
        "NDJSON line 2 (byte offset "
            + META.length()
            + "): event_id is not valid Unicode: unpaired surrogate U+D800");
    assertNdjsonRejected(
        META + EVENT0 + EVENT1.replace("\"b\"", "\"x\\udc00\""),
        "NDJSON line 3 (byte offset "
            + (META.length() + EVENT0.length())
            + "): attributes.a is not valid Unicode: unpaired surrogate U+DC00 at index 1");
    assertNdjsonRejected(
        META + EVENT0 + EVENT1.replace("\"a\"", "\"\\udc00\""),
        "NDJSON line 3 (byte offset "
            + (META.length() + EVENT0.length())
            + "): Unexpected low surrogate in field name");
    assertNdjsonRejected(
        META.replace("\"w\"", "\"\\ud800\"") + EVENT0 + EVENT1,
        "NDJSON line 1 (byte offset 0): writer_id is not valid Unicode");
    assertNdjsonRejected(
        META.replace("\"tags\":{}", "\"tags\":{\"t\":\"\\ud800\"}") + EVENT0 + EVENT1,
        "tags.t is not valid Unicode");
  }

  @Test
  void ndjsonCountsAndSequencesMustAgreeWithTheMetadata() {
    assertNdjsonRejected(
        META + EVENT0, "the page ends after 1 events but its metadata declares event_count 2");
    assertNdjsonRejected(
        META + EVENT0 + EVENT1 + EVENT1.replace("\"sequence\":1", "\"sequence\":2"),
        "more events than the declared event_count 2");
    assertNdjsonRejected(
        META + EVENT1 + EVENT0,
        "NDJSON line 2 (byte offset " + META.length() + "): sequence is 1, expected 0");
    assertNdjsonRejected(
        META.replace("\"v1\"", "\"v2\"") + EVENT0 + EVENT1, "unsupported format_version 'v2'");
    assertNdjsonRejected(
        META.replace("\"none\"", "\"lz4\"") + EVENT0 + EVENT1, "unknown compression 'lz4'");
    assertNdjsonRejected(
        META.replace("\"none\"", "\"gzip\"") + EVENT0 + EVENT1,
        "metadata says compression 'gzip' but the page is stored with 'none'");
    assertNdjsonRejected(
        META.replace("\"event_count\":2", "\"event_count\":-1"), "event_count -1 is outside");
    assertNdjsonRejected(META.replace("\"writer_id\":\"w\",", ""), "missing field writer_id");
  }

  @Test
  void ndjsonLinesLongerThanTheLimitFailBeforeTheyAreRead() {
    PageReader small = new PageReader(new PageLimits(1 << 20, 1000, 10, 10));
    String longLine = "{\"event_id\":\"" + "x".repeat(5000) + "\"}\n";
    assertThatThrownBy(
            () -> small.read(bytes(META + longLine), PageFormat.NDJSON, Compression.NONE))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining("NDJSON line 2")
        .hasMessageContaining("longer than the limit of 1000 bytes");
  }

  @Test
  void tooManyAttributesAreRejected() {
    PageReader small = new PageReader(new PageLimits(1 << 20, 1 << 20, 10, 3));
    String attrs = "{\"a\":\"\",\"b\":\"\",\"c\":\"\",\"d\":\"\"}";
    assertThatThrownBy(
            () -> small.read(bytes(META + EVENT0.replace("{}", attrs) + EVENT1), "x.ndjson"))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining("more than 3 attributes");

    EventPage page = protobufPage(1, "none");
    EventPage flooded =
        page.toBuilder()
            .setEvents(
                0,
                page.getEvents(0).toBuilder()
                    .putAttributes("a", "")
                    .putAttributes("b", "")
                    .putAttributes("c", "")
                    .putAttributes("d", ""))
            .build();
    assertThatThrownBy(() -> small.read(new ByteArrayInputStream(flooded.toByteArray()), "x.pb"))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining("(event 0): more than 3 attributes");
  }

  @Test
  void protobufWrongWireTypesAreErrorsNotUnknownFields() throws Exception {
    EventPage page = protobufPage(2, "none");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeMessage(1, page.getMetadata());
    out.writeInt64(2, 7); // events as a varint
    out.flush();
    assertProtobufRejected(bytes.toByteArray(), "EventPage field 2 has the wrong wire type 0");

    byte[] payloadAsVarint = page.toByteArray();
    int payloadTag = indexOf(payloadAsVarint, new byte[] {0x1a, 3, 1, 2, 3});
    payloadAsVarint[payloadTag] = 0x18;
    assertProtobufRejected(payloadAsVarint, "(event 0): event field 3 has the wrong wire type 0");
  }

  @Test
  void protobufStructureAndCountsAreChecked() throws Exception {
    EventPage page = protobufPage(2, "none");
    EventPage noMetadata = page.toBuilder().clearMetadata().build();
    assertProtobufRejected(noMetadata.toByteArray(), "a page must start with its metadata");

    byte[] twice =
        concat(
            page.toByteArray(),
            EventPage.newBuilder().setMetadata(page.getMetadata()).build().toByteArray());
    assertProtobufRejected(twice, "a second metadata field");

    EventPage wrongCount =
        page.toBuilder().setMetadata(page.getMetadata().toBuilder().setEventCount(3)).build();
    assertProtobufRejected(
        wrongCount.toByteArray(),
        "the page ends after 2 events but its metadata declares event_count 3");

    EventPage wrongSequence =
        page.toBuilder().setEvents(1, page.getEvents(1).toBuilder().setSequence(5)).build();
    assertProtobufRejected(wrongSequence.toByteArray(), "(event 1): sequence is 5, expected 1");

    assertProtobufRejected(new byte[0], "empty page");
    assertProtobufRejected(new byte[] {0x0a}, "protobuf byte 1 (metadata)");
  }

  @Test
  void protobufInvalidUtf8InAStringIsRejected() {
    byte[] raw = protobufPage(1, "none").toByteArray();
    int id = indexOf(raw, "evt-0".getBytes(StandardCharsets.UTF_8));
    raw[id] = (byte) 0xff;
    assertProtobufRejected(raw, "(event 0)");
  }

  @ParameterizedTest
  @ValueSource(longs = {0x7fff_ffffL, 0xffff_ffffL, Long.MAX_VALUE, -1L, 64L << 20 + 1})
  void hostileLengthVarintsFailBeforeAllocating(long length) throws Exception {
    EventPage page = protobufPage(1, "none");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeMessage(1, page.getMetadata());
    out.writeTag(2, 2);
    out.writeUInt64NoTag(length);
    out.writeRawBytes(new byte[100]);
    out.flush();
    assertProtobufRejected(bytes.toByteArray(), "event length");

    ByteArrayOutputStream metadataFirst = new ByteArrayOutputStream();
    CodedOutputStream meta = CodedOutputStream.newInstance(metadataFirst);
    meta.writeTag(1, 2);
    meta.writeUInt64NoTag(length);
    meta.flush();
    assertProtobufRejected(metadataFirst.toByteArray(), "metadata length");

    // A payload length inside an event larger than the event itself.
    ByteArrayOutputStream inner = new ByteArrayOutputStream();
    CodedOutputStream event = CodedOutputStream.newInstance(inner);
    event.writeTag(3, 2);
    event.writeUInt64NoTag(length);
    event.flush();
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    CodedOutputStream w = CodedOutputStream.newInstance(whole);
    w.writeMessage(1, page.getMetadata());
    w.writeByteArray(2, inner.toByteArray());
    w.flush();
    assertProtobufRejected(whole.toByteArray(), "(event 0)");
  }

  @Test
  void aPageOverTheSizeLimitIsRejected() {
    PageReader small = new PageReader(new PageLimits(50_000, 1 << 20, 1_000_000, 10));
    for (PageFormat format : PageFormat.values()) {
      TestPages.EncodedBytes big =
          TestPages.encode(format, Compression.ZSTD, TestPages.many(10_000));
      assertThatThrownBy(() -> small.read(new ByteArrayInputStream(big.bytes()), null))
          .isInstanceOf(PageFormatException.class)
          .hasMessageContaining("larger than the limit of 50000 uncompressed bytes");
    }
  }

  static Stream<Compression> compressed() {
    return Stream.of(Compression.GZIP, Compression.ZSTD);
  }

  /** 1 GiB of zeros as 1024 concatenated 1 MiB members/frames, never materialised. */
  @ParameterizedTest
  @MethodSource("compressed")
  void decompressionBombsStopAtTheLimit(Compression compression) throws Exception {
    byte[] zerosMember = TestPages.plainCompress(compression, new byte[1 << 20]);
    assertThatThrownBy(() -> reader.read(bomb(new byte[0], zerosMember, 1024), null))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining("not a page");

    // A valid head, then a gigabyte-long NDJSON line.
    byte[] head =
        TestPages.plainCompress(
            compression,
            META.replace("\"none\"", "\"" + compression.configName() + "\"")
                .getBytes(StandardCharsets.UTF_8));
    byte[] aMember =
        TestPages.plainCompress(compression, "a".repeat(1 << 20).getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> reader.read(bomb(head, aMember, 1024), null))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining("NDJSON line 2")
        .hasMessageContaining("longer than the limit");

    // A protobuf event claiming 60 MiB, followed by a gigabyte of zeros.
    ByteArrayOutputStream protoHead = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(protoHead);
    out.writeMessage(1, protobufPage(1, compression.configName()).getMetadata());
    out.writeTag(2, 2);
    out.writeUInt32NoTag(60 << 20);
    out.flush();
    byte[] compressedHead = TestPages.plainCompress(compression, protoHead.toByteArray());
    assertThatThrownBy(() -> reader.read(bomb(compressedHead, zerosMember, 1024), null))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining("(event 0)");

    // Streaming does not help a bomb either: the page limit holds.
    PageReader small = new PageReader(new PageLimits(8 << 20, 64 << 20, 10, 10));
    assertThatThrownBy(() -> small.read(bomb(head, aMember, 1024), null))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining("larger than the limit of 8388608 uncompressed bytes");
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void aFailingSourceIsAnIOExceptionNotAFormatError(Compression compression) {
    TestPages.EncodedBytes encoded =
        TestPages.encode(PageFormat.PROTOBUF, compression, TestPages.many(5000));
    IOException failure = new IOException("connection reset");
    InputStream failing =
        new SequenceInputStream(
            new ByteArrayInputStream(Arrays.copyOf(encoded.bytes(), encoded.bytes().length / 2)),
            new InputStream() {
              @Override
              public int read() throws IOException {
                throw failure;
              }
            });
    assertThatThrownBy(() -> reader.read(failing, "x.pb" + compression.extension()))
        .isSameAs(failure);
  }

  @Test
  void zstdCorruptionIsAFormatErrorWithAnOffset() {
    byte[] stored =
        TestPages.encode(PageFormat.PROTOBUF, Compression.ZSTD, TestPages.many(2000)).bytes();
    byte[] corrupt = stored.clone();
    corrupt[corrupt.length / 2] ^= 0x55;
    assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(corrupt), null))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining("protobuf byte");

    // A bad frame checksum surfaces only at the end, from the decoder.
    byte[] badChecksum = stored.clone();
    badChecksum[badChecksum.length - 1] ^= 0x55;
    assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(badChecksum), null))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining(
            "zstd data is corrupt or truncated, within the first "
                + stored.length
                + " stored bytes")
        .hasMessageContaining("checksum");
  }

  /**
   * One stream, so JDK 17's GZIPInputStream (which looks for another member only while {@code
   * available() > 0}) sees every member.
   */
  private static InputStream bomb(byte[] head, byte[] member, int copies) {
    ByteArrayOutputStream all = new ByteArrayOutputStream(head.length + member.length * copies);
    all.writeBytes(head);
    for (int i = 0; i < copies; i++) {
      all.writeBytes(member);
    }
    return new ByteArrayInputStream(all.toByteArray());
  }

  private Page readNdjson(String page) throws Exception {
    return reader.read(bytes(page), "x.ndjson");
  }

  private void assertNdjsonRejected(String page, String message) {
    assertThatThrownBy(() -> readNdjson(page))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining(message);
  }

  private void assertProtobufRejected(byte[] page, String message) {
    assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(page), "x.pb"))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining(message);
  }

  private static ByteArrayInputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  static EventPage protobufPage(int events, String compression) {
    EventPage.Builder page =
        EventPage.newBuilder()
            .setMetadata(
                io.prism.snapshotter.proto.PageMetadata.newBuilder()
                    .setWriterId("w")
                    .setPageSequence(1)
                    .setStartTime(5)
                    .setEndTime(6)
                    .setEventCount(events)
                    .setFormatVersion("v1")
                    .setCompression(compression)
                    .putTags("t", "v"));
    for (int i = 0; i < events; i++) {
      page.addEvents(
          io.prism.snapshotter.proto.Event.newBuilder()
              .setEventId("evt-" + i)
              .setTimestamp(5 + i)
              .setPayload(ByteString.copyFrom(new byte[] {1, 2, 3}))
              .putAttributes("k", "v")
              .setSequence(i));
    }
    return page.build();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
