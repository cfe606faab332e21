package io.prism.snapshotter.cli;

import java.io.IOException;
import java.io.OutputStream;

/** Stdout that takes {@code limit} bytes, then fails every write with the OS's {@code message}. */
final class FailingStdout extends OutputStream {
  static final String BROKEN_PIPE = "Broken pipe";
  static final String DISK_FULL = "No space left on device";

  private final int limit;
  private final String message;
  private int written;

  FailingStdout(int limit, String message) {
    this.limit = limit;
    this.message = message;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (written + len > limit) {
      throw new IOException(message);
    }
    written += len;
  }
}
