package io.prism.snapshotter.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.preflight.Check.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotCreatedYetTest {
  @TempDir Path dir;

  @Test
  void aPathUnderAWritableDirectoryPassesAndNothingIsCreated() throws IOException {
    Path store = dir.resolve("var/lib/prism/snapshots");

    Check check = NotCreatedYet.check("storage", store, "storage.filesystem.path");

    assertThat(check.outcome()).as(check.detail()).isEqualTo(Outcome.PASSED);
    assertThat(check.detail())
        .contains(store + " (storage.filesystem.path) does not exist yet")
        .contains("the sink creates it when it starts", "(" + dir + " is writable)");
    try (var left = Files.list(dir)) {
      assertThat(left).as("nothing made, the trial directory removed").isEmpty();
    }
  }

  @Test
  void aPathBelowAFileFailsNamingTheFile() throws IOException {
    Path file = Files.writeString(dir.resolve("prism"), "not a directory");

    Check check = NotCreatedYet.check("index", file.resolve("data/index.db"), "index.sqlite.path");

    assertThat(check.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(check.detail())
        .contains("index.sqlite.path", "the sink cannot create it", file + " is not a directory");
  }

  @Test
  void aPathBelowADirectoryThatTakesNoNewEntryFailsNamingIt() throws IOException {
    Path readOnly = unwritableDirectory();

    Check check = NotCreatedYet.check("storage", readOnly.resolve("prism/snapshots"), "key");

    assertThat(check.outcome()).as(check.detail()).isEqualTo(Outcome.FAILED);
    assertThat(check.detail())
        .contains("the sink cannot create it: " + readOnly + " is not writable");
    assertThat(readOnly.resolve("prism")).doesNotExist();
  }

  @Test
  void aSymbolicLinkToNothingFails() throws IOException {
    Path link = Files.createSymbolicLink(dir.resolve("pages"), dir.resolve("gone"));

    Check check = NotCreatedYet.check("storage", link, "storage.filesystem.path");

    assertThat(check.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(check.detail()).contains("a symbolic link to nothing");
  }

  /**
   * A directory this user cannot make entries in: a read-only one, unless the user (root) writes
   * there all the same; then /sys, which refuses new entries to root too.
   */
  private Path unwritableDirectory() throws IOException {
    Path readOnly = Files.createDirectory(dir.resolve("read-only"));
    Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
    if (!refusesEntries(readOnly)) {
      readOnly = Path.of("/sys");
      // Not a skip: without a directory that refuses entries the test proves nothing, so it fails.
      assertThat(Files.isDirectory(readOnly) && refusesEntries(readOnly))
          .as("a directory that refuses new entries (a read-only one, or /sys for root)")
          .isTrue();
    }
    return readOnly;
  }

  private static boolean refusesEntries(Path directory) {
    try {
      Files.delete(Files.createTempDirectory(directory, "probe"));
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
