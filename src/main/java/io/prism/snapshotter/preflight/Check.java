package io.prism.snapshotter.preflight;

/**
 * One pre-flight check: what was checked ({@code subject}: config, storage, index), and how it
 * went.
 */
public record Check(String subject, String name, Outcome outcome, String detail) {
  public enum Outcome {
    PASSED,
    FAILED,
    /** Not run: an earlier check it depends on failed, or the options left it out. */
    SKIPPED
  }

  static Check passed(String subject, String name, String detail) {
    return new Check(subject, name, Outcome.PASSED, detail);
  }

  static Check failed(String subject, String name, String detail) {
    return new Check(subject, name, Outcome.FAILED, detail);
  }

  static Check skipped(String subject, String name, String detail) {
    return new Check(subject, name, Outcome.SKIPPED, detail);
  }

  /** A failure in words: its message, or its type when it has none. */
  public static String reason(Throwable failure) {
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.toString() : message;
  }

  public boolean failed() {
    return outcome == Outcome.FAILED;
  }
}
