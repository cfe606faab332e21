package io.prism.snapshotter.storage;

/**
 * A call to an object store that failed, named as every storage error message names it, and the
 * {@link StorageException}s built from it. The backends' classifiers ({@link S3Errors}, {@link
 * AzureErrors}, {@link GcsErrors}, {@link FilesystemErrors}) keep only their own tables of what an
 * error means and use these to say it, so that messages have one shape whatever the backend: {@code
 * put of 'a/key' in s3://bucket failed (HTTP 503 SlowDown): ...}.
 *
 * @param operation what was asked, e.g. {@code get} or {@code create-only put}
 * @param key the key (or {@code prefix*} for a list); printed escaped
 * @param store the store's {@link ObjectStore#describe()}
 */
record FailedCall(String operation, String key, String store) {

  /**
   * A put that may not replace an object: the backends' "precondition failed" answers mean the key
   * is taken.
   */
  boolean createOnly() {
    return operation.startsWith("create-only");
  }

  /**
   * {@code put of 'a/key' in s3://bucket}: what every message starts with; {@code open of
   * file:/var/lib/prism} for a call on the store itself (an empty key).
   */
  String where() {
    return key.isEmpty()
        ? operation + " of " + store
        : operation + " of '" + ObjectKeys.printable(key) + "' in " + store;
  }

  /** A create-only write found an object under its key; {@code detail} is the service's answer. */
  ObjectAlreadyExistsException keyTaken(String detail, Throwable cause) {
    return new ObjectAlreadyExistsException(where() + ": the key already exists" + detail, cause);
  }

  /** There is no object under the key; {@code detail} is the service's answer, if any. */
  NoSuchObjectException noSuchObject(String detail, Throwable cause) {
    return new NoSuchObjectException(where() + ": no such object" + detail, cause);
  }

  /**
   * Any other failure; {@code detail} says what went wrong, starting with its separator (" (HTTP
   * 403): ").
   */
  StorageException failed(String detail, boolean retriable, Throwable cause) {
    return new StorageException(where() + " failed" + detail, retriable, cause);
  }
}
