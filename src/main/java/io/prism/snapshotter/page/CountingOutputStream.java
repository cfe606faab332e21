package io.prism.snapshotter.page;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Counts the bytes passed to the wrapped stream, and shields it from {@link #close()} (which only
 * flushes): the encoder closes its compressor to finish the frame, but the caller owns the output.
 */
final class CountingOutputStream extends FilterOutputStream {
  private long count;

  CountingOutputStream(OutputStream out) {
    super(out);
  }

  long count() {
    return count;
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    count++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    count += len;
  }

  @Override
  public void close() throws IOException {
    out.flush();
  }

  /** Discards everything: for measuring. */
  static CountingOutputStream toNowhere() {
    return new CountingOutputStream(OutputStream.nullOutputStream());
  }
}
