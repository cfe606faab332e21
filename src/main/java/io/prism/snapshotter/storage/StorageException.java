package io.prism.snapshotter.storage;

/**
 * A failed object-store operation. Unchecked, so callers decide where to handle it; every backend
 * classifies its own low-level errors into this type in one place ({@code S3Errors}, {@code
 * AzureErrors}, {@code GcsErrors}, {@code FilesystemErrors}), with messages built by {@code
 * FailedCall}.
 *
 * <p>{@link #retriable()} tells the caller whether trying the same operation again later may
 * succeed (throttling, 5xx, connection refused, timeouts, a full disk) or whether it never will
 * without a change of configuration or input (403, 400, a missing bucket, a bad key).
 */
public class StorageException extends RuntimeException {

  private final boolean retriable;

  public StorageException(String message, boolean retriable, Throwable cause) {
    super(message, cause);
    this.retriable = retriable;
  }

  public StorageException(String message, boolean retriable) {
    this(message, retriable, null);
  }

  /** True when the same operation may succeed if tried again later. */
  public boolean retriable() {
    return retriable;
  }
}
