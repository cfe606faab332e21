package io.prism.snapshotter.page;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of {@link PageReader} with Jazzer (docs/FUZZING.md): every input must
 * decode to a page that agrees with its own metadata, or be rejected with a {@link
 * PageFormatException} that names the problem. Anything else (an unchecked exception, an {@link
 * IOException} from an in-memory stream, an OutOfMemoryError, a hang) is a finding.
 *
 * <p>The first input byte is a control byte ({@link Control}); the rest is the page. The seeds in
 * {@code PageReaderFuzzTestInputs/} are valid pages of both formats and every compression, so the
 * fuzzer mutates real structure; with control packing GZIP or ZSTD the harness compresses the
 * mutated bytes itself, so corrupt pages also reach the reader through a valid compressed frame.
 */
class PageReaderFuzzTest {
  /** The reader under test: small limits, so the limit paths are reachable by mutation too. */
  private static final PageReader READER =
      new PageReader(new PageLimits(64 << 10, 16 << 10, 100, 50));

  @FuzzTest(maxDuration = "25s")
  @DictionaryEntries({
    "\"metadata\"",
    "\"writer_id\"",
    "\"page_sequence\"",
    "\"start_time\"",
    "\"end_time\"",
    "\"event_count\"",
    "\"page_size_bytes\"",
    "\"format_version\"",
    "\"compression\"",
    "\"tags\"",
    "\"event_id\"",
    "\"timestamp\"",
    "\"payload\"",
    "\"attributes\"",
    "\"sequence\"",
    "\"v1\"",
    "\"none\"",
    "\"gzip\"",
    "\"zstd\"",
    "\\u0000",
    "\\ud800",
    "9223372036854775808",
    "-1",
    "1e3"
  })
  void pagesDecodeOrAreRejectedWithAPageFormatException(byte[] input) throws Exception {
    if (input.length == 0) {
      return;
    }
    Control control = new Control(input[0]);
    byte[] page = control.pack(Arrays.copyOfRange(input, 1, input.length));
    try {
      control.readAndCheck(page);
    } catch (PageFormatException e) {
      PageFuzzVerdicts.assertClearRejection(e);
    }
  }

  /**
   * What the control byte selects. Bits 0-1, packing: 0 the bytes as stored, 1 gzip them, 2 zstd
   * them, 3 as stored but handed over one byte per read. Bits 2-3, how the reader learns the
   * format: 0 magic bytes, 1 the key's extension, 2 explicit arguments, 3 metadata only (by magic).
   * Bit 4, the format named by key or arguments; bits 5-6, the compression they name when the
   * harness did not compress.
   */
  record Control(int packing, int hint, PageFormat format, Compression named) {
    Control(byte b) {
      this(
          b & 3,
          (b >> 2) & 3,
          PageFormat.values()[(b >> 4) & 1],
          switch (b & 3) {
            case 1 -> Compression.GZIP;
            case 2 -> Compression.ZSTD;
            default -> Compression.values()[((b >> 5) & 3) % 3];
          });
    }

    byte[] pack(byte[] body) {
      return switch (packing) {
        case 1 -> TestPages.plainCompress(Compression.GZIP, body);
        case 2 -> TestPages.plainCompress(Compression.ZSTD, body);
        default -> body;
      };
    }

    /** Reads the page as selected; a page read whole must hold as many events as it declares. */
    void readAndCheck(byte[] page) throws IOException, PageFormatException {
      InputStream in = packing == 3 ? new OneByteAtATime(page) : new ByteArrayInputStream(page);
      if (hint == 3) {
        assertThat(READER.readMetadata(in, null).eventCount())
            .isBetween(0L, READER.limits().maxEvents());
        return;
      }
      Page decoded =
          switch (hint) {
            case 0 -> READER.read(in, null);
            case 1 -> READER.read(in, TestPages.key(format, named));
            default -> READER.read(in, format, named);
          };
      assertThat(decoded.events()).hasSize((int) decoded.metadata().eventCount());
    }
  }

  /** A stream that returns at most one byte per read, as a slow network may. */
  private static final class OneByteAtATime extends FilterInputStream {
    OneByteAtATime(byte[] bytes) {
      super(new ByteArrayInputStream(bytes));
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return super.read(b, off, Math.min(len, 1));
    }
  }
}
