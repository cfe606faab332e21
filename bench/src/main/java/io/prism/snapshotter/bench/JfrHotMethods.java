package io.prism.snapshotter.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * JDK 17 has no {@code jfr view hot-methods}: this prints the hot methods of the threads whose name
 * starts with a prefix, from {@code jdk.ExecutionSample} (threads running Java) plus {@code
 * jdk.NativeMethodSample} (threads in native code: zstd-jni, fsync, socket waits), which {@code
 * bench/sink-profile.jfc} samples at the same period, so together they are the thread's wall-clock
 * time. Self = the leaf frame; inclusive = every sample with the method anywhere on its stack
 * (counted once per sample). Also the top allocation sites of those threads.
 *
 * <p>Usage: {@code JfrHotMethods <recording.jfr> [threadNamePrefix] [top]}.
 */
public final class JfrHotMethods {
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    String prefix = args.length > 1 ? args[1] : "";
    int top = args.length > 2 ? Integer.parseInt(args[2]) : 25;
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> inclusive = new HashMap<>();
    Map<String, Long> allocationLeaf = new HashMap<>();
    Map<String, Long> allocationOurs = new HashMap<>();
    long javaSamples = 0;
    long nativeSamples = 0;
    long allocatedWeight = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
      String type = event.getEventType().getName();
      boolean execution = type.equals("jdk.ExecutionSample");
      boolean nativeSample = type.equals("jdk.NativeMethodSample");
      boolean allocation = type.equals("jdk.ObjectAllocationSample");
      if (!execution && !nativeSample && !allocation) {
        continue;
      }
      RecordedThread thread = event.getThread(allocation ? "eventThread" : "sampledThread");
      if (thread == null
          || thread.getJavaName() == null
          || !thread.getJavaName().startsWith(prefix)) {
        continue;
      }
      RecordedStackTrace stack = event.getStackTrace();
      if (stack == null || stack.getFrames().isEmpty()) {
        continue;
      }
      List<RecordedFrame> frames = stack.getFrames();
      if (allocation) {
        long weight = event.getLong("weight");
        allocatedWeight += weight;
        allocationLeaf.merge(
            event.getClass("objectClass").getName() + " in " + name(frames.get(0)),
            weight,
            Long::sum);
        for (RecordedFrame frame : frames) {
          if (frame.getMethod().getType().getName().startsWith("io.prism.")) {
            allocationOurs.merge(name(frame) + ":" + frame.getLineNumber(), weight, Long::sum);
            break;
          }
        }
        continue;
      }
      if (execution) {
        javaSamples++;
      } else {
        nativeSamples++;
      }
      self.merge(name(frames.get(0)), 1L, Long::sum);
      Set<String> seen = new HashSet<>();
      for (RecordedFrame frame : frames) {
        String name = name(frame);
        if (seen.add(name)) {
          inclusive.merge(name, 1L, Long::sum);
        }
      }
    }
    long total = javaSamples + nativeSamples;
    System.out.printf(
        Locale.ROOT,
        "threads '%s*': %d samples (%d in Java, %d in native code)%n",
        prefix,
        total,
        javaSamples,
        nativeSamples);
    print("self (leaf frame)", self, total, top, "%");
    print("inclusive (on the stack)", inclusive, total, top, "%");
    print("allocation, by leaf frame", allocationLeaf, allocatedWeight, top, "% of sampled bytes");
    print(
        "allocation, by first io.prism frame",
        allocationOurs,
        allocatedWeight,
        top,
        "% of sampled bytes");
  }

  private static String name(RecordedFrame frame) {
    String type = frame.getMethod().getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + frame.getMethod().getName();
  }

  private static void print(
      String title, Map<String, Long> counts, long total, int top, String unit) {
    System.out.printf(Locale.ROOT, "%n%s:%n", title);
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(top)
        .forEach(
            e ->
                System.out.printf(
                    Locale.ROOT,
                    "  %5.1f%s  %s%n",
                    100.0 * e.getValue() / Math.max(1, total),
                    unit,
                    e.getKey()));
  }
}
