package io.prism.snapshotter.local;

import io.prism.snapshotter.util.Causes;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.apache.kafka.common.config.ConfigException;

/**
 * The local stack did not start. The message is one sentence for a person: which part failed, where
 * (address, directory), why (the innermost cause's own words, not a class name) and what to do
 * about it.
 */
public final class LocalStartException extends Exception {
  private final boolean badConfig;

  private LocalStartException(String message, Throwable cause, boolean badConfig) {
    super(message, cause);
    this.badConfig = badConfig;
  }

  /**
   * @param what the part that failed and where, e.g. "the Kafka broker did not start on
   *     127.0.0.1:9092"
   * @param advice what to do, or null
   */
  static LocalStartException of(String what, Throwable cause, String advice) {
    return new LocalStartException(
        what + ": " + reason(cause) + (advice == null ? "" : "; " + advice),
        cause,
        Causes.has(cause, ConfigException.class));
  }

  /** A setting was refused (exit 78), rather than a service that failed (exit 69). */
  public boolean badConfig() {
    return badConfig;
  }

  /**
   * The innermost cause's words: wrappers (ExecutionException, KafkaException) repeat them with
   * class names in front.
   */
  public static String reason(Throwable failure) {
    String reason = null;
    for (Throwable t : Causes.chain(failure)) {
      String words = words(t);
      if (words != null) {
        reason = words;
      }
    }
    return reason != null ? reason : "no reason given";
  }

  private static String words(Throwable t) {
    if (t instanceof FileSystemException e) {
      // Its message is only the path; the kind of failure is in its class.
      String kind =
          e instanceof FileAlreadyExistsException
              ? "a file is in the way"
              : e instanceof AccessDeniedException
                  ? "permission denied"
                  : e instanceof NoSuchFileException ? "no such file or directory" : e.getReason();
      return (kind == null ? "cannot use" : kind) + ": " + e.getFile();
    }
    String message = t.getMessage();
    return message == null || message.isBlank() ? null : message.strip();
  }
}
