package io.prism.snapshotter.compact;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The temporary files of a compaction plan's sort ({@link WriterOrderSort}), and the ones a killed
 * run left behind. A run deletes its files when it ends, but not when it is killed ({@code kill
 * -9}, an OOM kill, a lost machine's disk kept): a big writer's sort leaves tens of MB a run in
 * {@code java.io.tmpdir} each time. So each file's name carries its process id, and the first sort
 * of a process deletes the files of processes that are gone. A file of a process still running is
 * never touched (it may be another compaction's, now); names of the older form, without a process
 * id, only once they are a day old.
 */
final class TempFileLeftovers {
  private static final Logger log = LoggerFactory.getLogger(TempFileLeftovers.class);

  static final String PREFIX = "prism-compact-plan-";
  static final String SUFFIX = ".entries";

  /** prism-compact-plan-<pid>-<random>.entries; the older form had no "<pid>-". */
  private static final Pattern WITH_PID =
      Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-\\d+" + Pattern.quote(SUFFIX));

  private static final Pattern WITHOUT_PID =
      Pattern.compile(Pattern.quote(PREFIX) + "\\d+" + Pattern.quote(SUFFIX));

  static final Duration OLD_FORM_AGE = Duration.ofDays(1);

  private static final AtomicBoolean SWEPT = new AtomicBoolean();

  private TempFileLeftovers() {}

  /** A new temporary file of this process, in {@code java.io.tmpdir}. */
  static Path create() throws IOException {
    return Files.createTempFile(PREFIX + ProcessHandle.current().pid() + "-", SUFFIX);
  }

  /** {@link #sweep} of {@code java.io.tmpdir}, once per process; never fails the run. */
  static void sweepOnce() {
    if (SWEPT.compareAndSet(false, true)) {
      sweep(Path.of(System.getProperty("java.io.tmpdir")), Instant.now());
    }
  }

  /**
   * Deletes the sort files in {@code dir} that no running process owns.
   *
   * @return how many were deleted
   */
  static int sweep(Path dir, Instant now) {
    int deleted = 0;
    long bytes = 0;
    try (DirectoryStream<Path> candidates = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
      for (Path file : candidates) {
        if (!isLeftover(file, now)) {
          continue;
        }
        try {
          long size = Files.size(file);
          if (Files.deleteIfExists(file)) {
            deleted++;
            bytes += size;
          }
        } catch (IOException e) {
          log.debug("Could not delete the leftover {}: {}", file, e.toString());
        }
      }
    } catch (IOException e) {
      log.debug("Could not look for a killed compaction's leftovers in {}: {}", dir, e.toString());
      return deleted;
    }
    if (deleted > 0) {
      log.info(
          "Deleted {} temporary files ({} bytes) that killed compaction runs left in {}",
          deleted,
          bytes,
          dir);
    }
    return deleted;
  }

  private static boolean isLeftover(Path file, Instant now) throws IOException {
    String name = file.getFileName().toString();
    Matcher withPid = WITH_PID.matcher(name);
    if (withPid.matches()) {
      long pid = Long.parseLong(withPid.group(1));
      return ProcessHandle.of(pid).isEmpty();
    }
    if (WITHOUT_PID.matcher(name).matches()) {
      Instant modified = Files.getLastModifiedTime(file).toInstant();
      return modified.isBefore(now.minus(OLD_FORM_AGE));
    }
    return false;
  }
}
