package io.prism.snapshotter.page;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The decompressed page: counts its bytes (the offset every error message reports) and fails once
 * more than the page limit has been read, so a decompression bomb stops at the limit.
 */
final class LimitedInputStream extends FilterInputStream {

  /** Thrown through the decoders as an IOException; the reader turns it into its format error. */
  static final class LimitExceededException extends IOException {
    private static final long serialVersionUID = 1L;

    LimitExceededException(String message) {
      super(message);
    }
  }

  private final long limit;
  private long count;

  LimitedInputStream(InputStream in, long limit) {
    super(in);
    this.limit = limit;
  }

  /** Uncompressed bytes read so far. */
  long count() {
    return count;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      advance(1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    // Never pull more than one byte past the limit from the decompressor.
    int n = in.read(b, off, (int) Math.min(len, limit - count + 1));
    if (n > 0) {
      advance(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = in.skip(Math.min(n, limit - count + 1));
    if (skipped > 0) {
      advance(skipped);
    }
    return skipped;
  }

  private void advance(long n) throws LimitExceededException {
    count += n;
    if (count > limit) {
      throw new LimitExceededException(
          "the page is larger than the limit of " + limit + " uncompressed bytes");
    }
  }

  @Override
  public boolean markSupported() {
    return false;
  }
}
