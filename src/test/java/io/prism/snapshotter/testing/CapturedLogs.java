package io.prism.snapshotter.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Every log line of this JVM at INFO and above (as a Connect worker logs by default), each with its
 * logger, message and stack trace, while open: for tests that look for what must never be logged.
 */
public final class CapturedLogs extends AbstractAppender implements AutoCloseable {
  /**
   * Emptied at close: a test class that keeps its capture in a static field stays loaded until the
   * fork that runs every IT ends, and a Connect cluster's lines with their stack traces are many.
   */
  private final ArrayList<String> lines = new ArrayList<>();

  private boolean closed; // guarded by lines
  private final Level rootBefore;

  private CapturedLogs() {
    super("captured-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    Configuration config = context.getConfiguration();
    LoggerConfig root = config.getRootLogger();
    rootBefore = root.getLevel();
    start();
    root.addAppender(this, Level.INFO, null);
    root.setLevel(Level.INFO);
    context.updateLoggers();
  }

  public static CapturedLogs capture() {
    return new CapturedLogs();
  }

  @Override
  public void append(LogEvent event) {
    StringBuilder line =
        new StringBuilder()
            .append(event.getLevel())
            .append(' ')
            .append(event.getLoggerName())
            .append(" - ")
            .append(event.getMessage().getFormattedMessage());
    if (event.getThrown() != null) {
      StringWriter trace = new StringWriter();
      event.getThrown().printStackTrace(new PrintWriter(trace));
      line.append('\n').append(trace);
    }
    synchronized (lines) {
      if (!closed) {
        lines.add(line.toString());
      }
    }
  }

  public List<String> lines() {
    synchronized (lines) {
      if (closed) {
        // Never an empty list: a test asserting that nothing bad was logged would pass unseen.
        throw new IllegalStateException("these captured logs are closed");
      }
      return List.copyOf(lines);
    }
  }

  @Override
  public void close() {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    LoggerConfig root = context.getConfiguration().getRootLogger();
    root.removeAppender(getName());
    root.setLevel(rootBefore);
    context.updateLoggers();
    stop();
    synchronized (lines) {
      closed = true;
      lines.clear();
      lines.trimToSize();
    }
  }
}
