package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.SqlitePageIndex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compact --dry-run} of a writer with 200,000 index entries in a JVM of 64 MB of heap: the
 * plan is made in bounded memory. Holding the writer's whole history to plan took about 650 bytes
 * an entry, some 130 MB here (docs/COMPACTION.md, Memory), and died with OutOfMemoryError.
 */
class CompactCommandMemoryTest {
  private static final int PAGES = 200_000;
  private static final String HEAP = "-Xmx64m";

  @TempDir Path dir;

  @Test
  void aDryRunOfAWriterWithAHugeHistoryPlansInASmallHeap() throws Exception {
    Path pages = Files.createDirectories(dir.resolve("pages"));
    Path indexFile = dir.resolve("index.db");
    publishSmallOldPages(indexFile);
    Path config = dir.resolve("snapshotter.properties");
    Files.writeString(
        config,
        "storage.backend=filesystem\nstorage.filesystem.path="
            + pages
            + "\nindex.backend=sqlite\nindex.sqlite.path="
            + indexFile
            + "\npage.target.size.mb=1\n");
    Path stdout = dir.resolve("stdout.txt");
    Path stderr = dir.resolve("stderr.txt");
    String java = ProcessHandle.current().info().command().orElse("java");

    Process compact =
        new ProcessBuilder(
                java,
                HEAP,
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "compact",
                "--writer",
                "w",
                "--dry-run",
                "--min-page-size",
                "64k",
                "--config",
                config.toString())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    assertThat(compact.waitFor(120, TimeUnit.SECONDS)).as("compact finished").isTrue();

    // With -XX:+ExitOnOutOfMemoryError, a heap too small ends the JVM with exit code 3.
    assertThat(compact.exitValue())
        .as(
            "exit code; stderr: %s; stdout: %s",
            tail(Files.readString(stderr, StandardCharsets.UTF_8)),
            tail(Files.readString(stdout, StandardCharsets.UTF_8)))
        .isZero();
    // 1 KB pages under a 1 MiB target, keys of 73 characters: groups of 442 (32 KiB of source
    // keys a merged page lists), the last of 216 pages.
    List<String> lines =
        Files.readAllLines(stdout, StandardCharsets.UTF_8).stream()
            .filter(line -> line.startsWith("would merge ") || line.startsWith("writer "))
            .toList(); // the test classpath's logging writes to stdout too
    assertThat(lines).hasSize(453 + 1);
    assertThat(lines.get(0)).startsWith("would merge 442 pages (452608 bytes) into ");
    assertThat(lines.get(452)).startsWith("would merge 216 pages (221184 bytes) into ");
    assertThat(lines.get(453))
        .isEqualTo(
            "writer 'w': 453 merged pages would replace 200000 pages; 0 interrupted merges"
                + " finished; 0 unindexed leftovers deleted");
  }

  /**
   * {@link #PAGES} pages of writer "w" in one partition, 1 KB each, from 2023, with keys of the
   * default template. Their start times run against their offsets (a producer's clock), so the
   * index's order (by start time) is not the writer's (by offset).
   */
  private static void publishSmallOldPages(Path indexFile) {
    long start = 1_700_000_000_000L;
    try (SqlitePageIndex index = SqlitePageIndex.open(indexFile)) {
      List<IndexEntry> batch = new ArrayList<>();
      for (int i = 0; i < PAGES; i++) {
        long offset = 10L * i;
        long time = start + (PAGES - i) * 1_000L;
        batch.add(
            new IndexEntry(
                String.format("snapshots/2023/11/14/w/%d_events-0-%020d.pb.zst", time, offset),
                "w",
                offset,
                time,
                time + 999,
                10,
                2_000,
                1_024,
                "protobuf",
                "zstd",
                "events",
                0,
                offset,
                offset + 9));
        if (batch.size() == 10_000) {
          index.publish(batch);
          batch.clear();
        }
      }
    }
  }

  private static String tail(String text) {
    return text.length() <= 2_000 ? text : text.substring(text.length() - 2_000);
  }
}
