package io.prism.snapshotter.page;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the seed corpus of {@link PageReaderFuzzTest}: valid pages of each format and compression,
 * behind control bytes that reach every packing and format hint. Run from the project root when the
 * page encoding changes (docs/FUZZING.md); the fuzzer's own findings live beside these seeds.
 */
final class PageFuzzSeeds {
  static final Path DIR =
      Path.of(
          "src/test/resources/io/prism/snapshotter/page/PageReaderFuzzTestInputs/"
              + "pagesDecodeOrAreRejectedWithAPageFormatException");

  private PageFuzzSeeds() {}

  public static void main(String[] args) throws IOException {
    Files.createDirectories(DIR);
    for (PageFormat format : PageFormat.values()) {
      for (Compression compression : Compression.values()) {
        byte[] stored = TestPages.encode(format, compression, GuardedDecode.EVENTS).bytes();
        int formatBit = format.ordinal() << 4;
        int namedBits = compression.ordinal() << 5;
        String name = format.configName() + "-" + compression.configName();
        // As stored, found by magic, by key, by explicit arguments, metadata only, trickled.
        write("stored-magic-" + name, 0, stored);
        write("stored-key-" + name, (1 << 2) | formatBit | namedBits, stored);
        write("stored-explicit-" + name, (2 << 2) | formatBit | namedBits, stored);
        write("stored-metadata-" + name, 3 << 2, stored);
        write("trickled-magic-" + name, 3, stored);
        if (compression != Compression.NONE) {
          // Uncompressed bytes the harness compresses, so mutations reach the page decoder.
          int packing = compression == Compression.GZIP ? 1 : 2;
          byte[] plain = TestPages.plainDecompress(compression, stored);
          write("packed-magic-" + name, packing, plain);
          write("packed-key-" + name, packing | (1 << 2) | formatBit, plain);
        }
      }
    }
  }

  private static void write(String name, int control, byte[] page) throws IOException {
    byte[] input = new byte[page.length + 1];
    input[0] = (byte) control;
    System.arraycopy(page, 0, input, 1, page.length);
    Files.write(DIR.resolve(name), input);
  }
}
