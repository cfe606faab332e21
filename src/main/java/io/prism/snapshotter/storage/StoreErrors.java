package io.prism.snapshotter.storage;

import io.prism.snapshotter.util.Causes;

/**
 * The rules every HTTP object-store backend's error classifier shares; each adds its own status and
 * code table.
 */
final class StoreErrors {

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
    return Causes.find(error, type).orElse(null);
  }
}
