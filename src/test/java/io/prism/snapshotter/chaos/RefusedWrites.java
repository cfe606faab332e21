package io.prism.snapshotter.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Create-only writes the store refused, counted from the workers' logs: PageCommitter logs each one
 * ("was already stored as" when the earlier copy held every event, "an earlier copy" when it wrote
 * only the rest as a new page).
 */
final class RefusedWrites {
  /** A log line proper (stack trace lines carry no time). */
  private static final java.util.regex.Pattern TIMESTAMPED =
      java.util.regex.Pattern.compile("\\d\\d:\\d\\d:\\d\\d");

  static final List<String> MARKERS = List.of("was already stored as", "an earlier copy");

  private RefusedWrites() {}

  /** Refusals over every worker log in {@code logs}. */
  static long inAllWorkerLogs(Path logs) throws IOException {
    long n = 0;
    try (Stream<Path> files = Files.list(logs)) {
      for (Path f :
          files.filter(f -> f.getFileName().toString().matches("worker-.*-\\d+\\.log")).toList()) {
        n += count(f, "");
      }
    }
    return n;
  }

  /** Refusals in one log at or after {@code since} (HH:mm:ss.SSS, the log's time format). */
  static long count(Path log, String since) throws IOException {
    if (!Files.exists(log)) {
      return 0;
    }
    try (Stream<String> lines = Files.lines(log)) {
      return lines
          .filter(l -> TIMESTAMPED.matcher(l).lookingAt() && l.compareTo(since) >= 0)
          .filter(l -> MARKERS.stream().anyMatch(l::contains))
          .count();
    }
  }
}
