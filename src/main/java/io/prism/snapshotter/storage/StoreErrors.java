package io.prism.snapshotter.storage;

/**
 * The rules every HTTP object-store backend's error classifier shares; each adds its own status and
 * code table.
 */
final class StoreErrors {

  /**
   * How deep to look for a cause: far enough for any SDK's wrapping, and a guard against cause
   * cycles.
   */
  private static final int MAX_CAUSE_DEPTH = 20;

  private StoreErrors() {}

  /**
   * HTTP statuses that say "try again later" on every object store, whatever the error code: server
   * errors (5xx), 429 Too Many Requests and 408 Request Timeout.
   */
  static boolean isRetriableStatus(int status) {
    return status >= 500 || status == 429 || status == 408;
  }

  /** The first of {@code error} and its causes that is a {@code type}, or {@code null}. */
  static <T extends Throwable> T find(Throwable error, Class<T> type) {
    int depth = 0;
    for (Throwable t = error; t != null && depth < MAX_CAUSE_DEPTH; t = t.getCause(), depth++) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
