package io.prism.snapshotter.storage;

/** The key does not exist in the store. Never retriable. */
public class NoSuchObjectException extends StorageException {

  public NoSuchObjectException(String message, Throwable cause) {
    super(message, false, cause);
  }
}
