package io.prism.snapshotter.bench;

import io.prism.snapshotter.buffer.EvictionOrder;
import io.prism.snapshotter.buffer.FlushLimits;
import io.prism.snapshotter.buffer.FlushPolicy;
import io.prism.snapshotter.buffer.MemoryBudget;
import io.prism.snapshotter.buffer.PageAssembler;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.testing.ManualClock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;

/**
 * Which open pages should the memory budget store first: the oldest or the largest? Both orders run
 * the same skewed stream (Zipf-distributed writers: a few heavy, many that write now and then)
 * through a {@link PageAssembler} with a tight budget and a sink that only counts, so the figures
 * are about the policy, not I/O. Reported: pages stored, events per page, and the commit lag
 * (records between a partition's committable offset and its head), sampled every 1,000 records.
 *
 * <p>{@code bin/bench eviction [writers=20000 events=1000000 budgetMb=16 skew=1.1]}
 */
public final class EvictionBenchmark {
  public static void main(String[] args) {
    Map<String, String> options = new java.util.HashMap<>();
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      options.put(kv[0], kv[1]);
    }
    int writers = Integer.parseInt(options.getOrDefault("writers", "20000"));
    int events = Integer.parseInt(options.getOrDefault("events", "1000000"));
    long budget = Long.parseLong(options.getOrDefault("budgetMb", "16")) * 1024 * 1024;
    double skew = Double.parseDouble(options.getOrDefault("skew", "1.1"));
    System.out.printf(
        "writers=%d events=%d budget=%d MiB skew=%.2f partitions=4 payload=200 B%n",
        writers, events, budget >> 20, skew);
    System.out.println(
        "| order | pages stored | events per page (mean) | commit lag, mean (records) | commit lag, p99 | ms |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    for (EvictionOrder order : EvictionOrder.values()) {
      run(order, writers, events, budget, skew);
    }
  }

  private static void run(EvictionOrder order, int writers, int events, long budget, double skew) {
    long[] pages = {0};
    long[] pagedEvents = {0};
    ManualClock clock = new ManualClock();
    PageAssembler assembler =
        new PageAssembler(
            new FlushPolicy(new FlushLimits(1000, 10L << 20, Duration.ofDays(1))),
            new MemoryBudget(budget, 0.75),
            order,
            page -> {
              pages[0]++;
              pagedEvents[0] += page.eventCount();
            },
            clock);
    double[] cumulative = zipf(writers, skew);
    Random random = new Random(42);
    TopicPartition[] partitions = new TopicPartition[4];
    long[] next = new long[4];
    for (int p = 0; p < 4; p++) {
      partitions[p] = new TopicPartition("events", p);
    }
    byte[] payload = new byte[200];
    long[] lags = new long[events / 1000 * 4];
    int lagCount = 0;
    long started = System.nanoTime();
    for (int i = 0; i < events; i++) {
      int writer = Arrays.binarySearch(cumulative, random.nextDouble());
      writer = writer < 0 ? -writer - 1 : writer;
      int p = writer % 4;
      assembler.accept(
          partitions[p],
          next[p],
          "writer-" + writer,
          Event.wrap("e" + i, clock.millis(), payload, Map.of()));
      next[p]++;
      clock.advance(1);
      if (i % 500 == 499) {
        assembler.closePagesOverBudget();
        try {
          assembler.writeClosedPages();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
      if (i % 1000 == 999) {
        Map<TopicPartition, Long> committable = assembler.committableOffsets();
        for (int q = 0; q < 4; q++) {
          lags[lagCount++] = next[q] - committable.getOrDefault(partitions[q], 0L);
        }
      }
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    long[] sorted = Arrays.copyOf(lags, lagCount);
    Arrays.sort(sorted);
    double mean = Arrays.stream(sorted).average().orElse(0);
    long p99 = sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
    System.out.printf(
        "| %s | %,d | %.1f | %,.0f | %,d | %d |%n",
        order.configName(),
        pages[0],
        pages[0] == 0 ? 0.0 : (double) pagedEvents[0] / pages[0],
        mean,
        p99,
        millis);
  }

  private static double[] zipf(int n, double s) {
    double[] weights = new double[n];
    double total = 0;
    for (int k = 0; k < n; k++) {
      weights[k] = 1.0 / Math.pow(k + 1, s);
      total += weights[k];
    }
    double running = 0;
    for (int k = 0; k < n; k++) {
      running += weights[k] / total;
      weights[k] = running;
    }
    weights[n - 1] = 1.0;
    return weights;
  }
}
