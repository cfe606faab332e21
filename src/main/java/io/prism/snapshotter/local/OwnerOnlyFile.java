package io.prism.snapshotter.local;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a file only its owner can read, for files that hold secrets (the connector's effective
 * settings carry S3 keys, session tokens and index passwords, with {@code ${ENV}} already filled
 * in). The content goes to a temporary file created owner-only, which then replaces the target: at
 * no moment does a readable file hold the secrets, also when the target existed before with wider
 * permissions. On a file system without POSIX permissions the file gets that system's defaults.
 */
final class OwnerOnlyFile {
  static final Set<PosixFilePermission> OWNER_READ_WRITE =
      PosixFilePermissions.fromString("rw-------");

  /** What goes into the file. */
  @FunctionalInterface
  interface Content {
    void writeTo(Writer writer) throws IOException;
  }

  private OwnerOnlyFile() {}

  static void write(Path target, Content content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path temp =
        posix(dir)
            ? Files.createTempFile(
                dir,
                "." + target.getFileName(),
                ".tmp",
                PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE))
            : Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
        content.writeTo(w);
      }
      try {
        Files.move(
            temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static boolean posix(Path dir) {
    return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
