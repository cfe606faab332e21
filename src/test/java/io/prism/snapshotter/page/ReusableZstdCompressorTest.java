package io.prism.snapshotter.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One encoder's zstd context is reused page after page; every page must still be the exact bytes a
 * fresh {@code ZstdOutputStreamNoFinalizer} (at the page's level, with checksum) writes for the
 * same calls.
 */
class ReusableZstdCompressorTest {

  @Test
  void pagesFromAReusedContextAreByteForByteThoseOfAFreshZstdStream() throws IOException {
    PageEncoder reused = new PageEncoder();
    List<List<Event>> pages =
        List.of(
            TestPages.tricky(),
            TestPages.many(700),
            large(2000),
            TestPages.many(3),
            large(300),
            TestPages.tricky());
    for (List<Event> events : pages) {
      ByteArrayOutputStream stored = new ByteArrayOutputStream();
      reused.encode(PageFormat.PROTOBUF, Compression.ZSTD, TestPages.SPEC, events, stored);

      byte[] page = TestPages.plainDecompress(Compression.ZSTD, stored.toByteArray());
      assertThat(stored.toByteArray()).isEqualTo(freshZstd(page, Compression.ZSTD_LEVEL));
    }
  }

  @Test
  void oneContextSwitchingLevelsWritesEachPageAsAFreshStreamAtThatLevel() throws IOException {
    PageEncoder reused = new PageEncoder();
    List<Event> events = large(600);
    for (int level : new int[] {19, 1, -5, 3, 19, 1}) {
      ByteArrayOutputStream stored = new ByteArrayOutputStream();
      reused.encode(
          PageFormat.PROTOBUF,
          Compression.ZSTD,
          CompressionLevel.of(level),
          TestPages.SPEC,
          events,
          stored);

      byte[] page = TestPages.plainDecompress(Compression.ZSTD, stored.toByteArray());
      assertThat(stored.toByteArray()).as("level %d", level).isEqualTo(freshZstd(page, level));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 20, 22, Integer.MIN_VALUE})
  void aLevelZstdDoesNotTakeIsRefusedBeforeAnyByteIsWritten(int level) {
    ReusableZstdCompressor compressor = new ReusableZstdCompressor();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThatThrownBy(() -> compressor.open(out, level))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1..19");
    assertThat(out.size()).isZero();
  }

  @Test
  void aFrameAbandonedMidwayDoesNotLeakIntoTheNext() throws IOException {
    ReusableZstdCompressor compressor = new ReusableZstdCompressor();
    var abandoned = compressor.open(new ByteArrayOutputStream());
    abandoned.write(new byte[50_000]);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] data = "a page's worth of bytes ".repeat(1000).getBytes(StandardCharsets.UTF_8);
    try (var frame = compressor.open(out)) {
      frame.write(data);
    }
    assertThat(TestPages.plainDecompress(Compression.ZSTD, out.toByteArray())).isEqualTo(data);
  }

  /**
   * The uncompressed page, fed to ZstdOutputStreamNoFinalizer with the encoder's flush after the
   * metadata.
   */
  private static byte[] freshZstd(byte[] page, int level) throws IOException {
    int metadataEnd = metadataFieldEnd(page);

    ByteArrayOutputStream stored = new ByteArrayOutputStream();
    try (var zstd =
        new ZstdOutputStreamNoFinalizer(stored, RecyclingBufferPool.INSTANCE, level)
            .setChecksum(true)) {
      zstd.write(page, 0, metadataEnd);
      zstd.flush();
      zstd.write(page, metadataEnd, page.length - metadataEnd);
    }
    return stored.toByteArray();
  }

  /** One-byte tag, varint length, then the metadata message. */
  private static int metadataFieldEnd(byte[] page) {
    int pos = 1;
    int length = 0;
    int shift = 0;
    byte b;
    do {
      b = page[pos++];
      length |= (b & 0x7f) << shift;
      shift += 7;
    } while (b < 0);
    return pos + length;
  }

  /**
   * {@code count} events with ~1 KB compressible JSON-ish payloads: pages well past zstd's 128 KB
   * block.
   */
  private static List<Event> large(int count) {
    Random random = new Random(count);
    List<Event> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      StringBuilder json =
          new StringBuilder("{\"user\":\"u-").append(random.nextInt(500)).append("\",\"words\":[");
      for (int w = 0; w < 60; w++) {
        json.append('"').append(Integer.toString(random.nextInt(5000), 36)).append("\",");
      }
      json.append("\"end\"]}");
      events.add(
          Event.wrap(
              "e-" + i,
              1_700_000_000_000L + i,
              json.toString().getBytes(StandardCharsets.UTF_8),
              Map.of("type", "t" + random.nextInt(4), "source", "bench")));
    }
    return events;
  }
}
