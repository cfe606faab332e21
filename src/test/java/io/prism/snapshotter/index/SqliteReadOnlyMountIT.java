package io.prism.snapshotter.index;

import static io.prism.snapshotter.index.PageIndexContract.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a SQLite index on a read-only mount (a backup, a snapshot, a replay job's read-only
 * volume), where SQLite cannot make the {@code -shm} file a WAL-mode file needs. The test makes a
 * real read-only bind mount ({@code mount --bind}, then {@code remount,ro}): root ignores file
 * permissions, so nothing short of a read-only file system shows the problem. bin/test runs as root
 * (CI too); a test that cannot mount fails, it does not skip.
 */
class SqliteReadOnlyMountIT {
  @TempDir Path dir;
  Path mounted;

  static void run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output;
    try (InputStream out = process.getInputStream()) {
      output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }

  /** {@code source} seen read-only at a new directory. */
  Path readOnlyView(Path source) throws Exception {
    Path view = Files.createDirectories(dir.resolve("ro"));
    run("mount", "--bind", source.toString(), view.toString());
    mounted = view;
    run("mount", "-o", "remount,ro,bind", view.toString());
    return view;
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted != null) {
      run("umount", mounted.toString());
    }
  }

  @Test
  void aCleanlyClosedIndexIsReadFromAReadOnlyMount() throws Exception {
    Path source = Files.createDirectories(dir.resolve("src"));
    List<IndexEntry> entries = List.of(entry("w", 1, 1_000, 2_000), entry("w", 2, 3_000, 4_000));
    try (SqlitePageIndex index = SqlitePageIndex.open(source.resolve("index.db"))) {
      index.publish(entries);
    }
    Path view = readOnlyView(source);
    assertThat(Files.isWritable(view)).as("the mount is read-only").isFalse();

    try (SqlitePageIndex index = SqlitePageIndex.openForReading(view.resolve("index.db"))) {
      assertThat(index.entries("w", TimeRange.ALL)).containsExactlyElementsOf(entries);
    }
    assertThat(Files.list(source).map(p -> p.getFileName().toString()).toList())
        .containsExactly("index.db");
  }

  @Test
  void aCopyTakenWhileASinkWroteItSaysItsWalCannotBeReadThere() throws Exception {
    Path live = Files.createDirectories(dir.resolve("live"));
    Path copy = Files.createDirectories(dir.resolve("copy"));
    try (SqlitePageIndex index = SqlitePageIndex.open(live.resolve("index.db"))) {
      index.publish(List.of(entry("w", 1, 1_000, 2_000)));
      // Copied as a file-level backup would, while the connection (a sink) still has the file
      // open: the newest entries are in the -wal, not yet in the file.
      List<String> names = new ArrayList<>();
      try (var files = Files.list(live)) {
        files.forEach(f -> names.add(f.getFileName().toString()));
      }
      assertThat(names).contains("index.db-wal");
      for (String name : names) {
        Files.copy(live.resolve(name), copy.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.deleteIfExists(copy.resolve("index.db-shm"));
    assertThat(Files.size(copy.resolve("index.db-wal"))).isPositive();
    Path view = readOnlyView(copy);

    assertThatThrownBy(() -> SqlitePageIndex.openForReading(view.resolve("index.db")))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining(view.resolve("index.db").toString())
        .hasMessageContaining("index.db-wal beside it holds changes not yet in the file")
        .hasMessageContaining(".backup");
  }
}
