package io.prism.snapshotter.cli;

import java.io.IOException;

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
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && message.toLowerCase(java.util.Locale.ROOT).contains("broken pipe")) {
        return true;
      }
    }
    return false;
  }
}
