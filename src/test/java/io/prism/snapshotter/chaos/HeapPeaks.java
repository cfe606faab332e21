package io.prism.snapshotter.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A worker's heap over all its starts, read from its unified GC logs ({@code -Xlog:gc}): each
 * collection logs {@code <used before>M-><used after>M(<committed>M)}. The log is written as the
 * JVM runs, so it survives a SIGKILL.
 *
 * @param worker the worker's name
 * @param collections collections seen
 * @param peakUsedMb the most heap in use, just before a collection
 * @param peakLiveMb the most heap still in use just after a collection (the live set, roughly)
 * @param peakCommittedMb the largest heap the JVM had reserved
 */
record HeapPeaks(
    String worker, long collections, long peakUsedMb, long peakLiveMb, long peakCommittedMb) {
  private static final Pattern SIZES = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

  static HeapPeaks read(Path logs, String worker) throws IOException {
    long collections = 0;
    long used = 0;
    long live = 0;
    long committed = 0;
    List<Path> files;
    try (Stream<Path> all = Files.list(logs)) {
      files =
          all.filter(
                  f ->
                      f.getFileName().toString().startsWith(worker + "-")
                          && f.getFileName().toString().endsWith("-gc.log"))
              .toList();
    }
    for (Path file : files) {
      for (String line : Files.readAllLines(file)) {
        Matcher m = SIZES.matcher(line);
        if (m.find()) {
          collections++;
          used = Math.max(used, Long.parseLong(m.group(1)));
          live = Math.max(live, Long.parseLong(m.group(2)));
          committed = Math.max(committed, Long.parseLong(m.group(3)));
        }
      }
    }
    return new HeapPeaks(worker, collections, used, live, committed);
  }

  boolean withinBudget(int budgetMb) {
    return collections > 0 && peakCommittedMb <= budgetMb && peakUsedMb <= budgetMb;
  }
}
