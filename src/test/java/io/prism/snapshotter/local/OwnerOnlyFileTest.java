package io.prism.snapshotter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnerOnlyFileTest {
  @TempDir Path dir;

  @Test
  void aNewFileIsReadableByItsOwnerOnly() throws IOException {
    Path file = dir.resolve("connector.properties");

    OwnerOnlyFile.write(file, w -> w.write("storage.s3.secret.key=s3cr3t\n"));

    assertThat(Files.readString(file)).isEqualTo("storage.s3.secret.key=s3cr3t\n");
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(OwnerOnlyFile.OWNER_READ_WRITE);
  }

  @Test
  void aFileThatWasWorldReadableBeforeIsReplacedByAnOwnerOnlyOne() throws IOException {
    Path file = dir.resolve("connector.properties");
    Files.writeString(file, "old=1\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    OwnerOnlyFile.write(file, w -> w.write("new=2\n"));

    assertThat(Files.readString(file)).isEqualTo("new=2\n");
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(OwnerOnlyFile.OWNER_READ_WRITE);
  }

  @Test
  void aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
    Path file = dir.resolve("connector.properties");
    Files.writeString(file, "old=1\n");

    assertThatThrownBy(
            () ->
                OwnerOnlyFile.write(
                    file,
                    w -> {
                      w.write("half");
                      throw new IOException("disk full");
                    }))
        .hasMessage("disk full");

    assertThat(Files.readString(file)).isEqualTo("old=1\n");
    try (var entries = Files.list(dir)) {
      assertThat(entries).containsExactly(file);
    }
  }
}
