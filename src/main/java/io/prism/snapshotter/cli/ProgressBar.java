package io.prism.snapshotter.cli;

import io.prism.snapshotter.sink.Reindexer;
import java.io.PrintStream;

/**
 * A one-line progress bar, redrawn in place with {@code \r}, at most a few times a second. Only for
 * a terminal: piped or redirected output gets no bar.
 */
final class ProgressBar implements Reindexer.Progress {
  private static final int WIDTH = 40;
  private static final long REDRAW_NANOS = 200_000_000L;

  private final PrintStream out;
  private final String label;
  private long lastDraw;

  ProgressBar(PrintStream out, String label) {
    this.out = out;
    this.label = label;
  }

  /** A bar on {@code out} when the process has a terminal, else nothing. */
  static Reindexer.Progress forTerminal(PrintStream out, String label) {
    return System.console() != null ? new ProgressBar(out, label) : (done, total) -> {};
  }

  @Override
  public void update(long done, long total) {
    long now = System.nanoTime();
    if (done < total && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
    out.print(
        "\r"
            + label
            + " ["
            + "=".repeat(filled)
            + " ".repeat(WIDTH - filled)
            + "] "
            + done
            + "/"
            + total);
    if (done >= total) {
      out.println();
    }
    out.flush();
  }
}
