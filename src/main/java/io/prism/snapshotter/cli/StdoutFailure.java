package io.prism.snapshotter.cli;

import io.prism.snapshotter.util.Causes;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;

/**
 * What a failed write to stdout means. A reader that stopped reading ({@code replay ... | head})
 * closes the pipe: the JVM ignores SIGPIPE, so the next write fails with EPIPE ("Broken pipe"), and
 * the command should end quietly, as a shell tool killed by SIGPIPE does, not report an error. Any
 * other failure (a full disk behind {@code > file}) loses output and must be reported.
 */
final class StdoutFailure {
  /** sysexits.h EX_IOERR: stdout could not be written. */
  static final int EXIT_IO_ERROR = 74;

  private StdoutFailure() {}

  /** True when the reader of stdout is gone (EPIPE), anywhere in {@code failure}'s causes. */
  static boolean readerGone(IOException failure) {
    for (Throwable t : Causes.chain(failure)) {
      String message = t.getMessage();
      if (message != null && message.toLowerCase(Locale.ROOT).contains("broken pipe")) {
        return true;
      }
    }
    return false;
  }

  /** A write to stdout that failed: told apart from failures to read the input. */
  static final class WriteFailed extends IOException {
    WriteFailed(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /**
   * Stdout that remembers its first failure and throws it as {@link WriteFailed}: a {@link
   * java.io.PrintStream} over it swallows the exception, {@link #failure()} still has it.
   */
  static final class Watched extends OutputStream {
    private final OutputStream out;
    private WriteFailed failure;

    Watched(OutputStream out) {
      this.out = out;
    }

    /** The first write or flush that failed, or null. */
    WriteFailed failure() {
      return failure;
    }

    @Override
    public void write(int b) throws IOException {
      try {
        out.write(b);
      } catch (IOException e) {
        throw failed(e);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      try {
        out.write(b, off, len);
      } catch (IOException e) {
        throw failed(e);
      }
    }

    @Override
    public void flush() throws IOException {
      try {
        out.flush();
      } catch (IOException e) {
        throw failed(e);
      }
    }

    private WriteFailed failed(IOException e) {
      WriteFailed wrapped = e instanceof WriteFailed already ? already : new WriteFailed(e);
      if (failure == null) {
        failure = wrapped;
      }
      return wrapped;
    }
  }
}
