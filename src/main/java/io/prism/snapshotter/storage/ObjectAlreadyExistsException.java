package io.prism.snapshotter.storage;

/**
 * A create-only put found the key already taken; the existing object is left untouched. Never
 * retriable.
 */
public class ObjectAlreadyExistsException extends StorageException {

  public ObjectAlreadyExistsException(String message, Throwable cause) {
    super(message, false, cause);
  }
}
