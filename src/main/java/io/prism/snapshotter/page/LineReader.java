package io.prism.snapshotter.page;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits the decompressed NDJSON page into '\n'-terminated lines of at most {@code maxLineBytes},
 * reusing one growing line buffer. A line over the limit fails as soon as the limit is passed,
 * before the rest of it is read.
 */
final class LineReader {
  private static final int CHUNK_BYTES = 16 * 1024;

  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] chunk = new byte[CHUNK_BYTES];
  private int chunkPos;
  private int chunkLen;
  private byte[] line = new byte[1024];
  private int lineLength;
  private long lineNumber;
  private long lineStart;
  private long consumed;

  LineReader(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /** Reads the next line into {@link #buffer()}; false at the end of the page. */
  boolean next() throws IOException, PageFormatException {
    lineLength = 0;
    lineStart = consumed;
    lineNumber++;
    boolean any = false;
    while (true) {
      if (chunkPos == chunkLen) {
        int n = in.read(chunk, 0, chunk.length);
        if (n < 0) {
          if (!any) {
            lineNumber--;
            return false;
          }
          return true; // a last line without '\n'
        }
        chunkPos = 0;
        chunkLen = n;
        continue;
      }
      any = true;
      int newline = indexOfNewline();
      int end = newline >= 0 ? newline : chunkLen;
      int add = end - chunkPos;
      if (lineLength + (long) add > maxLineBytes) {
        throw new PageFormatException(
            where() + ": the line is longer than the limit of " + maxLineBytes + " bytes");
      }
      if (lineLength + add > line.length) {
        line =
            Arrays.copyOf(
                line, (int) Math.min(maxLineBytes, Math.max(lineLength + add, 2L * line.length)));
      }
      System.arraycopy(chunk, chunkPos, line, lineLength, add);
      lineLength += add;
      consumed += add;
      chunkPos = end;
      if (newline >= 0) {
        chunkPos++;
        consumed++;
        return true;
      }
    }
  }

  private int indexOfNewline() {
    for (int i = chunkPos; i < chunkLen; i++) {
      if (chunk[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  byte[] buffer() {
    return line;
  }

  int length() {
    return lineLength;
  }

  /** "NDJSON line 3 (byte offset 812)": the line being read or just read. */
  String where() {
    return "NDJSON line " + Math.max(1, lineNumber) + " (byte offset " + lineStart + ")";
  }
}
