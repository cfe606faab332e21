package io.prism.snapshotter.page;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The caller's stream as the reader sees it. It marks every {@link IOException} the caller's stream
 * throws as a {@link SourceReadException}, so the reader can tell a failing source (a dropped
 * connection: the caller's problem, rethrown as is) from a decoder rejecting the bytes (a corrupt
 * page: a {@link PageFormatException}). Closing it does not close the caller's stream.
 */
final class SourceInputStream extends FilterInputStream {

  /** An I/O failure of the caller's stream, carrying the original exception as its cause. */
  static final class SourceReadException extends IOException {
    private static final long serialVersionUID = 1L;

    SourceReadException(IOException cause) {
      super(cause.getMessage(), cause);
    }

    IOException original() {
      return (IOException) getCause();
    }
  }

  private long count;

  SourceInputStream(InputStream in) {
    super(in);
  }

  /** Stored (compressed) bytes read so far, for locating decompressor errors. */
  long count() {
    return count;
  }

  @Override
  public int read() throws IOException {
    try {
      int b = in.read();
      if (b >= 0) {
        count++;
      }
      return b;
    } catch (IOException e) {
      throw new SourceReadException(e);
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      int n = in.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    } catch (IOException e) {
      throw new SourceReadException(e);
    }
  }

  @Override
  public long skip(long n) throws IOException {
    try {
      long skipped = in.skip(n);
      if (skipped > 0) {
        count += skipped;
      }
      return skipped;
    } catch (IOException e) {
      throw new SourceReadException(e);
    }
  }

  @Override
  public void close() {
    // The caller owns the source.
  }
}
