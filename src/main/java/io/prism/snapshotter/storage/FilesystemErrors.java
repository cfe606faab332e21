package io.prism.snapshotter.storage;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.ReadOnlyFileSystemException;

/** The one place that turns the filesystem store's I/O errors into {@link StorageException}s. */
final class FilesystemErrors {

  private FilesystemErrors() {}

  /**
   * Classifies {@code error} from {@code operation} on {@code key}. Missing files become {@link
   * NoSuchObjectException}; permissions, a read-only filesystem and key/directory clashes are fatal
   * (they do not heal by themselves); anything else (a full disk, an I/O error, a vanished mount)
   * is retriable.
   */
  static StorageException classify(String operation, String key, String store, Throwable error) {
    if (error instanceof StorageException storageException) {
      return storageException;
    }
    FailedCall call = new FailedCall(operation, key, store);
    if (error instanceof NoSuchFileException) {
      return call.noSuchObject("", error);
    }
    boolean fatal =
        error instanceof AccessDeniedException
            || error instanceof ReadOnlyFileSystemException
            || error instanceof NotDirectoryException
            || error
                instanceof
                FileAlreadyExistsException // a key segment is a file where a directory must be
            || error instanceof DirectoryNotEmptyException // the key is a directory of other keys
            || error instanceof FileSystemLoopException
            || nameTooLong(error) // a key the filesystem cannot hold, at every retry
            || error instanceof SecurityException
            || !(error instanceof IOException);
    return call.failed(": " + error, !fatal, error);
  }

  /** ENAMETOOLONG: Java has no exception class of its own for it, only the OS's reason text. */
  static boolean nameTooLong(Throwable error) {
    return error instanceof FileSystemException e
        && e.getReason() != null
        && e.getReason().contains("File name too long");
  }

  /** ENOTDIR: a path segment that must be a directory is a file. */
  static boolean notADirectory(FileSystemException e) {
    return e.getReason() != null && e.getReason().contains("Not a directory");
  }
}
