package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/** The filesystem classification table, for the errors a test running as root cannot provoke. */
class FilesystemErrorsTest {

  @Test
  void permissionProblemsAndKeyClashesAreFatal() {
    assertThat(classify(new AccessDeniedException("/data/k")).retriable()).isFalse();
    assertThat(classify(new DirectoryNotEmptyException("/data/k")).retriable()).isFalse();
  }

  @Test
  void aNameTooLongForTheFilesystemIsFatal() {
    // Keys allow 255-byte segments; some filesystems (eCryptfs: 143) hold less. No retry helps.
    assertThat(classify(new FileSystemException("/data/k", null, "File name too long")).retriable())
        .isFalse();
  }

  @Test
  void aFullDiskOrAnIoErrorIsRetriable() {
    assertThat(
            classify(new FileSystemException("/data/k", null, "No space left on device"))
                .retriable())
        .isTrue();
    assertThat(classify(new IOException("Input/output error")).retriable()).isTrue();
  }

  @Test
  void aMissingFileIsAMissingObject() {
    assertThat(classify(new NoSuchFileException("/data/k")))
        .isInstanceOf(NoSuchObjectException.class)
        .hasMessageContaining("get of 'a/k' in file:/data");
  }

  @Test
  void messagesNameOperationKeyAndStore() {
    assertThat(classify(new IOException("boom")))
        .hasMessageContaining("get")
        .hasMessageContaining("'a/k'")
        .hasMessageContaining("file:/data")
        .hasMessageContaining("boom");
  }

  private static StorageException classify(Exception error) {
    return FilesystemErrors.classify("get", "a/k", "file:/data", error);
  }
}
