package io.prism.snapshotter.bench;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.RedisPageIndex;
import io.prism.snapshotter.index.RedisSettings;
import io.prism.snapshotter.index.ReplicaWait;
import io.prism.snapshotter.testing.RedisProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What {@code index.redis.wait.replicas=1} costs a publish: a primary (append-only file, fsync on
 * every write, as docs/INDEX.md recommends for sync mode) and one replica, both redis-server
 * processes of its own on loopback; the index publishes without the wait and with it, in
 * alternating rounds (so that the machine's noise falls on both alike), single entries (the sync
 * path: one per stored page) and batches of 1,000 (reindex, the async queue). Prints the medians
 * and the ratio with/without. {@code bin/bench redis-wait [rounds=5]}.
 */
public final class RedisReplicaWaitBenchmark {
  static final int SINGLES = 1_000;
  static final int BATCHES = 20;

  public static void main(String[] args) throws Exception {
    int rounds = 5;
    for (String arg : args) {
      if (arg.startsWith("rounds=")) {
        rounds = Integer.parseInt(arg.substring("rounds=".length()));
      }
    }
    Path dir = Files.createTempDirectory("redis-wait-bench");
    RedisProcess primary = RedisProcess.startIn(dir.resolve("primary"));
    RedisProcess replica = RedisProcess.startReplicaIn(dir.resolve("replica"), primary);
    try {
      primary.awaitOnlineReplicas(1);
      RedisSettings plain = new RedisSettings(primary.url(), "bench", null, 0);
      RedisSettings waiting = plain.withReplicaWait(new ReplicaWait(1, Duration.ofSeconds(5)));
      double[][] singles = new double[2][rounds];
      double[][] batched = new double[2][rounds];
      int writer = 0;
      for (int round = -1; round < rounds; round++) { // round -1 warms up, uncounted
        for (int variant = 0; variant < 2; variant++) {
          try (RedisPageIndex index = RedisPageIndex.open(variant == 0 ? plain : waiting)) {
            String w = "writer-" + writer++;
            long started = System.nanoTime();
            for (int i = 0; i < SINGLES; i++) {
              index.publish(List.of(IndexBenchmark.entry(w, i)));
            }
            double single = SINGLES / IndexBenchmark.seconds(started);
            started = System.nanoTime();
            List<IndexEntry> batch = new ArrayList<>(1_000);
            for (int b = 0; b < BATCHES; b++) {
              for (int i = 0; i < 1_000; i++) {
                batch.add(IndexBenchmark.entry(w + "-batched", b * 1_000 + i));
              }
              index.publish(batch);
              batch.clear();
            }
            double batches = BATCHES * 1_000 / IndexBenchmark.seconds(started);
            if (round >= 0) {
              singles[variant][round] = single;
              batched[variant][round] = batches;
            }
            System.err.printf(
                Locale.ROOT,
                "round %d %s: %.0f single entries/s, %.0f batched entries/s%n",
                round,
                variant == 0 ? "no wait" : "wait 1",
                single,
                batches);
          }
        }
      }
      System.out.println(
          "| publish | no wait (entries/s, median) | wait for 1 replica (entries/s, median) | with / without |");
      System.out.println("|---|---:|---:|---:|");
      row("one entry per call", singles);
      row("batches of 1,000", batched);
    } finally {
      try {
        replica.stop();
      } finally {
        primary.stop();
      }
    }
  }

  private static void row(String name, double[][] figures) {
    double without = IndexBenchmark.median(figures[0]);
    double with = IndexBenchmark.median(figures[1]);
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %s | %.2fx |%n",
        name,
        IndexBenchmark.fmt(without),
        IndexBenchmark.fmt(with),
        with / without);
    System.out.println(
        "  per round, with / without: "
            + Arrays.toString(
                java.util.stream.IntStream.range(0, figures[0].length)
                    .mapToObj(
                        r -> String.format(Locale.ROOT, "%.2f", figures[1][r] / figures[0][r]))
                    .toArray()));
  }
}
