package io.prism.snapshotter.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A zstd decoder allocates about the window its frame asks for, whatever the page's size: pages
 * asking for more than {@link PageLimits#maxZstdWindowLog()} are refused on their frame header,
 * naming the page and the window, and the decoder itself refuses larger windows in later frames.
 */
class ZstdWindowLimitTest {
  private static final String KEY = TestPages.key(PageFormat.PROTOBUF, Compression.ZSTD);

  /** An uncompressed page whose metadata says zstd, to compress as a test needs. */
  private static final byte[] RAW = rawZstdPage();

  private final PageReader reader = new PageReader();

  private static byte[] rawZstdPage() {
    try {
      return TestPages.plainDecompress(
          Compression.ZSTD,
          TestPages.encode(PageFormat.PROTOBUF, Compression.ZSTD, TestPages.many(500)).bytes());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** {@link #RAW} as one zstd frame asking for a window of 2^{@code windowLog} bytes. */
  private static byte[] zstdWithWindow(byte[] raw, int windowLog) throws IOException {
    ByteArrayOutputStream stored = new ByteArrayOutputStream();
    // A stream: zstd does not know the size, so it keeps the window asked for in the header.
    try (ZstdOutputStream out = new ZstdOutputStream(stored).setLevel(3).setWindowLog(windowLog)) {
      out.write(raw);
    }
    return stored.toByteArray();
  }

  @Test
  void aPageAskingForALargerWindowIsRefusedOnItsHeaderNamingThePageAndTheWindow()
      throws IOException {
    byte[] stored = zstdWithWindow(RAW, 25);
    assertThat(ZstdWindow.of(stored, stored.length)).isEqualTo(1L << 25);

    assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(stored), KEY))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining("page '" + KEY + "'")
        .hasMessageContaining("asks for a window of 32 MiB (2^25 bytes)")
        .hasMessageContaining("more than the 16 MiB (2^24 bytes) a reader allows")
        .hasMessageContaining("zstd --long or --ultra");
    assertThatThrownBy(() -> reader.readMetadata(new ByteArrayInputStream(stored), null))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining("the page is a zstd frame that asks for a window of 32 MiB");
  }

  @Test
  void aPageAtTheLimitIsReadAndARaisedLimitReadsLargerWindows() throws Exception {
    byte[] atLimit = zstdWithWindow(RAW, PageLimits.DEFAULT_MAX_ZSTD_WINDOW_LOG);
    byte[] larger = zstdWithWindow(RAW, 25);
    PageReader raised = new PageReader(PageLimits.DEFAULT.withMaxZstdWindowLog(25));

    Page page = reader.read(new ByteArrayInputStream(atLimit), KEY);
    Page fromLarger = raised.read(new ByteArrayInputStream(larger), KEY);

    assertThat(page.events()).hasSize(500);
    assertThat(fromLarger.events()).containsExactlyElementsOf(page.events());
  }

  /**
   * A single-segment frame keeps its whole content as the window: a header claiming 1 GiB of
   * content asks for a 1 GiB window, and is refused before anything is decoded.
   */
  @Test
  void aSingleSegmentFrameClaimingHugeContentIsRefusedOnItsHeader() {
    ByteBuffer header = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(0xFD2FB528);
    header.put((byte) 0b1110_0000); // 8-byte content size, single segment, no dictionary id
    header.putLong(1L << 30);
    byte[] stored = header.array(); // then zeros: never read
    assertThat(ZstdWindow.of(stored, stored.length)).isEqualTo(1L << 30);

    assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(stored), KEY))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining("page '" + KEY + "'")
        .hasMessageContaining("asks for a window of 1024 MiB (2^30 bytes)");
  }

  /**
   * zstd decodes concatenated frames as one stream: a page whose first frame is modest and whose
   * second asks for a large window is refused by the decoder's own limit.
   */
  @Test
  void aLaterFrameAskingForALargerWindowIsRefusedByTheDecoder() throws IOException {
    int half = RAW.length / 2;
    byte[] first = zstdWithWindow(Arrays.copyOfRange(RAW, 0, half), 20);
    byte[] second = zstdWithWindow(Arrays.copyOfRange(RAW, half, RAW.length), 25);
    ByteArrayOutputStream stored = new ByteArrayOutputStream();
    stored.write(first);
    stored.write(second);

    assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(stored.toByteArray()), KEY))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining("Frame requires too much memory for decoding");
  }

  /** What the claim behind the default rests on: no page written here asks for more than 8 MiB. */
  @ParameterizedTest(name = "level {0}")
  @ValueSource(ints = {-131072, -1, 1, 3, 12, 19})
  void pagesWrittenHereAskForAtMostTheWrittenWindowAtEveryLevel(int level) throws Exception {
    List<Event> events = new ArrayList<>(TestPages.many(20_000));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PageEncoder()
        .encode(
            PageFormat.NDJSON,
            Compression.ZSTD,
            CompressionLevel.of(level),
            TestPages.SPEC,
            events,
            out);
    byte[] stored = out.toByteArray();
    ByteArrayOutputStream streamed = new ByteArrayOutputStream();
    try (var compressing = Compression.ZSTD.compress(streamed, level)) {
      compressing.write(RAW);
    }

    assertThat(ZstdWindow.of(stored, stored.length))
        .isPositive()
        .isLessThanOrEqualTo(1L << PageLimits.WRITTEN_ZSTD_WINDOW_LOG);
    assertThat(ZstdWindow.of(streamed.toByteArray(), streamed.size()))
        .isPositive()
        .isLessThanOrEqualTo(1L << PageLimits.WRITTEN_ZSTD_WINDOW_LOG);
  }

  @Test
  void theLimitMustBeAZstdWindow() {
    assertThatThrownBy(() -> PageLimits.DEFAULT.withMaxZstdWindowLog(32))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxZstdWindowLog must be in 10..31: 32");
    assertThat(PageLimits.DEFAULT.maxZstdWindowBytes()).isEqualTo(16L << 20);
  }
}
