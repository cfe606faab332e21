package io.prism.snapshotter.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU time of this JVM's threads over one benchmark run, from Linux's {@code /proc/self/task}, so
 * the garbage collector's and JIT compiler's native threads count too. Threads are grouped by name
 * with numbers stripped ({@code page-uploader-1} and {@code -2} count together; Linux keeps the
 * first 15 characters of a name). The broker, the consumers and the sink all run in this JVM, so
 * this says who used the cores. Elsewhere than Linux it gives the process total only.
 */
final class CpuByThread {
  private static final Path TASKS = Path.of("/proc/self/task");

  /** {@code /proc} counts in clock ticks; 100 per second on every Linux this runs on. */
  private static final double TICKS_PER_SECOND = 100;

  private static final com.sun.management.OperatingSystemMXBean PROCESS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private final Map<String, Long> ticksAtStart;
  private final long processCpuAtStart;
  private final long wallAtStart;
  private String marked;

  private CpuByThread() {
    // by thread id alone: Connect renames its executor's threads when it gives them a task
    ticksAtStart = new HashMap<>();
    ticksByThread().forEach((thread, ticks) -> ticksAtStart.put(id(thread), ticks));
    processCpuAtStart = PROCESS.getProcessCpuTime();
    wallAtStart = System.nanoTime();
  }

  static CpuByThread start() {
    return new CpuByThread();
  }

  /**
   * Takes the summary now, for {@link #summary()} to return: a run whose threads end before it
   * returns (the sink task's upload pool stops with the task) marks the moment its work is done.
   */
  void mark() {
    if (marked == null) {
      marked = measure();
    }
  }

  /** The summary taken at {@link #mark()}, or now when nothing was marked. */
  String summary() {
    return marked != null ? marked : measure();
  }

  /**
   * Since {@link #start()}: the process's CPU seconds, cores busy on average, and the thread groups
   * that used at least 3 % of it (threads that ended meanwhile are missed).
   */
  private String measure() {
    double wall = (System.nanoTime() - wallAtStart) / 1e9;
    double processCpu = (PROCESS.getProcessCpuTime() - processCpuAtStart) / 1e9;
    Map<String, Double> byGroup = new HashMap<>();
    ticksByThread()
        .forEach(
            (thread, ticks) -> {
              long used = ticks - ticksAtStart.getOrDefault(id(thread), 0L);
              if (used > 0) {
                byGroup.merge(group(thread), used / TICKS_PER_SECOND, Double::sum);
              }
            });
    Map<String, Double> top =
        byGroup.entrySet().stream()
            .filter(e -> e.getValue() >= processCpu * 0.03)
            .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
            .collect(
                Collectors.toMap(
                    Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    StringBuilder out =
        new StringBuilder(
            String.format(
                Locale.ROOT, "%.2f CPU s, %.2f cores busy:", processCpu, processCpu / wall));
    top.forEach(
        (name, cpu) ->
            out.append(String.format(Locale.ROOT, " %s %.0f%%", name, 100 * cpu / processCpu)));
    return out.toString();
  }

  /** User + system ticks of every live thread, keyed by {@code tid/name}. */
  private static Map<String, Long> ticksByThread() {
    Map<String, Long> ticks = new HashMap<>();
    if (!Files.isDirectory(TASKS)) {
      return ticks;
    }
    try (Stream<Path> threads = Files.list(TASKS)) {
      threads.forEach(
          thread -> {
            try {
              String stat = Files.readString(thread.resolve("stat"));
              // "tid (name) state ..." -- the name may hold spaces and parentheses: split after the
              // last ')'
              int close = stat.lastIndexOf(')');
              String name = stat.substring(stat.indexOf('(') + 1, close);
              String[] fields = stat.substring(close + 2).split(" ");
              // after the name: state is field 0, utime field 11, stime field 12
              ticks.put(
                  thread.getFileName() + "/" + name,
                  Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
            } catch (IOException | RuntimeException e) {
              // the thread ended while listing
            }
          });
    } catch (IOException e) {
      return ticks;
    }
    return ticks;
  }

  private static String id(String thread) {
    return thread.substring(0, thread.indexOf('/'));
  }

  /** {@code 1234/GC Thread#1} and {@code 1240/page-uploader-} lose their id and numbers. */
  private static String group(String thread) {
    String name = thread.substring(thread.indexOf('/') + 1);
    return name.replaceAll("[-_# ]?\\d+", "").replaceAll("[-_ ]+$", "");
  }
}
