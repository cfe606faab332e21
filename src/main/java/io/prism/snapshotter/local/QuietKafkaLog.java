package io.prism.snapshotter.local;

import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;

/**
 * Kafka's own log turned off while the embedded broker starts (and stops after a failed start). A
 * broker that cannot start logs the same failure three times, each with a stack trace, from several
 * threads, before {@link LocalStack} can say it once in a sentence; a broker that does start warns
 * about its first metadata log. Neither helps someone running {@code bin/snapshotter local}: with
 * {@code SNAPSHOTTER_LOG_LEVEL=debug} nothing is turned off, for a bug report.
 *
 * <p>Log4j 2 is the CLI's logging backend; under any other (no {@code bin/snapshotter}) this does
 * nothing. Once closed, the loggers are as the configuration made them.
 */
final class QuietKafkaLog implements AutoCloseable {
  /**
   * The broker's Scala classes ({@code kafka.*}) and its Java ones ({@code org.apache.kafka.*}).
   */
  static final List<String> KAFKA_LOGGERS = List.of("kafka", "org.apache.kafka");

  private final LoggerContext context;

  private QuietKafkaLog(LoggerContext context) {
    this.context = context;
  }

  /**
   * @param keepLogging true (the user asked for debug logging): nothing is turned off
   */
  static QuietKafkaLog unless(boolean keepLogging) {
    if (keepLogging || !(LogManager.getContext(false) instanceof LoggerContext context)) {
      return new QuietKafkaLog(null);
    }
    Configuration config = context.getConfiguration();
    for (String name : KAFKA_LOGGERS) {
      if (config.getLoggers().containsKey(name)) {
        // A logging configuration that names Kafka's loggers itself is left as it is.
        return new QuietKafkaLog(null);
      }
    }
    for (String name : KAFKA_LOGGERS) {
      config.addLogger(name, new LoggerConfig(name, Level.OFF, true));
    }
    context.updateLoggers();
    return new QuietKafkaLog(context);
  }

  /** True when {@code SNAPSHOTTER_LOG_LEVEL} asks for debug (or trace) logging. */
  static boolean debugRequested() {
    String level = System.getenv("SNAPSHOTTER_LOG_LEVEL");
    return "debug".equalsIgnoreCase(level) || "trace".equalsIgnoreCase(level);
  }

  @Override
  public void close() {
    if (context == null) {
      return;
    }
    Configuration config = context.getConfiguration();
    for (String name : KAFKA_LOGGERS) {
      config.removeLogger(name);
    }
    context.updateLoggers();
  }
}
