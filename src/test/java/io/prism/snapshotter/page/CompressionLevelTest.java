package io.prism.snapshotter.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code page.compression.level} changes only how hard the writer works: pages of every level
 * decode to the same events with the reader's defaults, and the default level writes the bytes
 * pages had before levels existed.
 */
class CompressionLevelTest {
  private final PageReader reader = new PageReader();

  static Stream<Arguments> codecsAndLevels() {
    List<Arguments> cases = new ArrayList<>();
    for (PageFormat format : PageFormat.values()) {
      for (int level : new int[] {1, 6, 9}) {
        cases.add(Arguments.of(format, Compression.GZIP, level));
      }
      for (int level : new int[] {-5, 1, 3, 12, 19}) {
        cases.add(Arguments.of(format, Compression.ZSTD, level));
      }
      cases.add(Arguments.of(format, Compression.NONE, 7)); // ignored
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} + {1} level {2}")
  @MethodSource("codecsAndLevels")
  void pagesOfEveryLevelRoundTripWithoutTheReaderKnowingTheLevel(
      PageFormat format, Compression compression, int level) throws Exception {
    List<Event> events = new ArrayList<>(TestPages.tricky());
    events.addAll(TestPages.many(3000));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    EncodedPage encoded =
        new PageEncoder()
            .encode(format, compression, CompressionLevel.of(level), TestPages.SPEC, events, out);

    Page page =
        reader.read(
            new ByteArrayInputStream(out.toByteArray()), TestPages.key(format, compression));

    assertThat(page.events()).containsExactlyElementsOf(events);
    assertThat(page.metadata()).isEqualTo(encoded.metadata());
    assertThat(encoded.storedSizeBytes()).isEqualTo(out.size());
  }

  @ParameterizedTest(name = "{0} level {1}")
  @CsvSource({"GZIP, 1", "GZIP, 9", "ZSTD, -3", "ZSTD, 1", "ZSTD, 19"})
  void theStreamWrappersCompressAtTheLevelAndDecompressAsAlways(Compression compression, int level)
      throws IOException {
    byte[] raw =
        TestPages.encode(PageFormat.NDJSON, Compression.NONE, TestPages.many(2000)).bytes();
    ByteArrayOutputStream stored = new ByteArrayOutputStream();
    try (OutputStream out = compression.compress(stored, level)) {
      out.write(raw);
    }
    try (InputStream in = compression.decompress(new ByteArrayInputStream(stored.toByteArray()))) {
      assertThat(in.readAllBytes()).isEqualTo(raw);
    }
    assertThat(TestPages.plainDecompress(compression, stored.toByteArray())).isEqualTo(raw);
  }

  @Test
  void zstdLevel1And19PagesOfTheSameEventsDecodeIdenticallyAnd19IsSmaller() throws Exception {
    List<Event> events = TestPages.many(20_000); // small JSON payloads: very compressible
    ByteArrayOutputStream fast = new ByteArrayOutputStream();
    ByteArrayOutputStream strong = new ByteArrayOutputStream();
    PageEncoder encoder = new PageEncoder();
    encoder.encode(
        PageFormat.PROTOBUF,
        Compression.ZSTD,
        CompressionLevel.of(1),
        TestPages.SPEC,
        events,
        fast);
    encoder.encode(
        PageFormat.PROTOBUF,
        Compression.ZSTD,
        CompressionLevel.of(19),
        TestPages.SPEC,
        events,
        strong);

    String key = TestPages.key(PageFormat.PROTOBUF, Compression.ZSTD);
    Page fromFast = reader.read(new ByteArrayInputStream(fast.toByteArray()), key);
    Page fromStrong = reader.read(new ByteArrayInputStream(strong.toByteArray()), key);

    assertThat(fromStrong.metadata()).isEqualTo(fromFast.metadata());
    assertThat(fromStrong.events())
        .containsExactlyElementsOf(fromFast.events())
        .containsExactlyElementsOf(events);
    // The uncompressed pages are the same bytes; only their compression differs.
    assertThat(TestPages.plainDecompress(Compression.ZSTD, strong.toByteArray()))
        .isEqualTo(TestPages.plainDecompress(Compression.ZSTD, fast.toByteArray()));
    assertThat(strong.size()).isLessThan(fast.size());
  }

  @Test
  void gzipLevelsReachTheDeflater() throws IOException {
    byte[] raw =
        TestPages.encode(PageFormat.NDJSON, Compression.NONE, TestPages.many(20_000)).bytes();
    assertThat(compressAt(Compression.GZIP, 9, raw).length)
        .isLessThan(compressAt(Compression.GZIP, Compression.GZIP_DEFAULT_LEVEL, raw).length)
        .isLessThan(compressAt(Compression.GZIP, 1, raw).length);
  }

  @Test
  void theDefaultLevelWritesTheBytesPagesHadBeforeLevelsExisted() throws IOException {
    List<Event> events = TestPages.many(5000);
    for (PageFormat format : PageFormat.values()) {
      byte[] raw = TestPages.encode(format, Compression.NONE, events).bytes();
      // gzip: what Compression.GZIP was before levels, the JDK stream at zlib's default, fed the
      // same way; zstd: ReusableZstdCompressorTest pins level 3 against a plain zstd stream.
      assertThat(gzipAsBefore(raw))
          .isEqualTo(compressAt(Compression.GZIP, Compression.GZIP_DEFAULT_LEVEL, raw))
          .isEqualTo(compressAtDefault(Compression.GZIP, raw));
      for (Compression compression : Compression.values()) {
        assertThat(encodeAt(format, compression, CompressionLevel.CODEC_DEFAULT, events))
            .isEqualTo(
                encodeAt(
                    format, compression, CompressionLevel.of(compression.defaultLevel()), events))
            .isEqualTo(TestPages.encode(format, compression, events).bytes());
      }
    }
    assertThat(CompressionLevel.CODEC_DEFAULT.resolve(Compression.ZSTD)).isEqualTo(3);
    assertThat(CompressionLevel.CODEC_DEFAULT.resolve(Compression.GZIP)).isEqualTo(6);
  }

  @ParameterizedTest(name = "{0} level {1}")
  @CsvSource({
    "GZIP, 0, gzip levels are 1..9",
    "GZIP, 10, gzip levels are 1..9",
    "GZIP, -1, gzip levels are 1..9",
    "ZSTD, 0, zstd levels are 1..19",
    "ZSTD, 20, zstd levels are 1..19",
    "ZSTD, -200000, zstd levels are 1..19"
  })
  void aLevelTheCodecDoesNotTakeIsRefusedNamingItsRange(
      Compression compression, int level, String range) {
    assertThat(compression.acceptsLevel(level)).isFalse();
    assertThat(CompressionLevel.of(level).fits(compression)).isFalse();
    assertThatThrownBy(
            () ->
                new PageEncoder()
                    .encode(
                        PageFormat.PROTOBUF,
                        compression,
                        CompressionLevel.of(level),
                        TestPages.SPEC,
                        TestPages.many(3),
                        new ByteArrayOutputStream()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(range);
    assertThatThrownBy(() -> compression.compress(new ByteArrayOutputStream(), level))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(range);
  }

  @Test
  void noneTakesAnyLevelAndIgnoresIt() throws IOException {
    List<Event> events = TestPages.many(50);
    assertThat(CompressionLevel.of(99).fits(Compression.NONE)).isTrue();
    assertThat(encodeAt(PageFormat.NDJSON, Compression.NONE, CompressionLevel.of(99), events))
        .isEqualTo(TestPages.encode(PageFormat.NDJSON, Compression.NONE, events).bytes());
  }

  private static byte[] gzipAsBefore(byte[] raw) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes, 64 * 1024, false)) {
      out.write(raw);
    }
    return bytes.toByteArray();
  }

  private static byte[] compressAt(Compression compression, int level, byte[] raw)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = compression.compress(bytes, level)) {
      out.write(raw);
    }
    return bytes.toByteArray();
  }

  private static byte[] compressAtDefault(Compression compression, byte[] raw) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = compression.compress(bytes)) {
      out.write(raw);
    }
    return bytes.toByteArray();
  }

  private static byte[] encodeAt(
      PageFormat format, Compression compression, CompressionLevel level, List<Event> events)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PageEncoder().encode(format, compression, level, TestPages.SPEC, events, out);
    return out.toByteArray();
  }
}
