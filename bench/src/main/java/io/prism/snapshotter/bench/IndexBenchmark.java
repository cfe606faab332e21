package io.prism.snapshotter.bench;

import io.prism.snapshotter.index.ClickHousePageIndex;
import io.prism.snapshotter.index.ClickHouseSettings;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.RedisPageIndex;
import io.prism.snapshotter.index.RedisSettings;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.index.TimeRange;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Page index figures per backend, against the real servers (not a JMH benchmark: inserts grow the
 * state they measure). Publish throughput in batches of 1,000 (the reindex and async path) and of 1
 * (the sync path: one entry per stored page); query latency for a writer with 100,000 pages: the
 * whole history, and a one-hour window. Reads PRISM_TEST_CLICKHOUSE_URL and PRISM_TEST_REDIS_URL
 * (bin/lib/services.sh: {@code bin/bench index} starts both); prints a Markdown table, each figure
 * beside its ratio to SQLite's in the same run (the machines are shared: ratios mean more).
 */
public final class IndexBenchmark {
  static final int PAGES = 100_000;
  static final int SINGLES = 2_000;
  static final long START = 1_700_000_000_000L;
  static final long PAGE_MILLIS = 10_000;

  public static void main(String[] args) throws Exception {
    String unique = "bench_" + UUID.randomUUID().toString().substring(0, 8);
    Path sqlite = Files.createTempDirectory("index-bench").resolve("index.db");
    List<Figures> rows = new ArrayList<>(); // the first is the baseline
    rows.add(run("sqlite", () -> SqlitePageIndex.open(sqlite)));
    rows.add(
        run(
            "clickhouse 18.16",
            () ->
                ClickHousePageIndex.open(
                    new ClickHouseSettings(
                        URI.create(env("PRISM_TEST_CLICKHOUSE_URL")),
                        "prism_bench",
                        unique,
                        "default",
                        null,
                        0))));
    rows.add(
        run(
            "redis 7.0",
            () ->
                RedisPageIndex.open(
                    new RedisSettings(URI.create(env("PRISM_TEST_REDIS_URL")), unique, null, 0))));
    System.out.println(
        "| backend | publish, batches of 1,000 (entries/s) | publish, one entry per call (entries/s) "
            + "| query 100,000 pages (ms, median of 5) | query 1-hour window, 360 pages (ms, median of 20) |");
    System.out.println("|---|---:|---:|---:|---:|");
    for (Figures row : rows) {
      System.out.println(row.markdownRow(rows.get(0)));
    }
    System.out.println();
    System.out.println(
        "Ratios against "
            + rows.get(0).name()
            + " in this run (throughput: higher is faster; "
            + "query times: lower is faster).");
  }

  /** One backend's figures; a row shows each beside its ratio to the baseline's. */
  record Figures(
      String name, double batched, double singles, double fullQueryMs, double windowQueryMs) {
    String markdownRow(Figures baseline) {
      return "| "
          + String.join(
              " | ",
              name,
              withRatio(batched, baseline.batched),
              withRatio(singles, baseline.singles),
              withRatio(fullQueryMs, baseline.fullQueryMs),
              withRatio(windowQueryMs, baseline.windowQueryMs))
          + " |";
    }

    private static String withRatio(double value, double baseline) {
      return fmt(value) + String.format(Locale.ROOT, " (%.2fx)", value / baseline);
    }
  }

  static Figures run(String name, Supplier<PageIndex> open) {
    try (PageIndex index = open.get()) {
      List<IndexEntry> batch = new ArrayList<>(1_000);
      long started = System.nanoTime();
      for (int i = 0; i < PAGES; i++) {
        batch.add(entry("busy-writer", i));
        if (batch.size() == 1_000) {
          index.publish(batch);
          batch.clear();
        }
      }
      double batched = PAGES / seconds(started);

      started = System.nanoTime();
      for (int i = 0; i < SINGLES; i++) {
        index.publish(List.of(entry("single-writer", i)));
      }
      double singles = SINGLES / seconds(started);

      double[] full = new double[5];
      for (int i = 0; i < full.length; i++) {
        long t = System.nanoTime();
        int size = index.entries("busy-writer", TimeRange.ALL).size();
        full[i] = millis(t);
        check(size == PAGES, name + ": full query returned " + size);
      }
      double[] window = new double[20];
      for (int i = 0; i < window.length; i++) {
        long from = START + (long) (i * 4_000L) * PAGE_MILLIS;
        long t = System.nanoTime();
        int size = index.entries("busy-writer", new TimeRange(from, from + 3_600_000)).size();
        window[i] = millis(t);
        check(size >= 360 && size <= 361, name + ": window query returned " + size);
      }
      System.err.printf(Locale.ROOT, "%s done%n", name);
      return new Figures(name, batched, singles, median(full), median(window));
    }
  }

  static IndexEntry entry(String writer, int i) {
    long start = START + i * PAGE_MILLIS;
    return new IndexEntry(
        "snapshots/2023/11/14/" + writer + "/" + start + "_events-0-" + i + ".pb.zst",
        writer,
        i,
        start,
        start + PAGE_MILLIS - 1,
        1_000,
        1_000_000,
        250_000,
        "protobuf",
        "zstd",
        "events",
        0,
        i * 1_000L,
        i * 1_000L + 999);
  }

  static String env(String name) {
    String value = System.getenv(name);
    if (value == null) {
      throw new IllegalStateException(
          name + " is not set: source bin/lib/services.sh; start_clickhouse; start_redis");
    }
    return value;
  }

  static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalStateException(message);
    }
  }

  static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  static double millis(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e6;
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  static String fmt(double value) {
    return value >= 100
        ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%.1f", value);
  }
}
