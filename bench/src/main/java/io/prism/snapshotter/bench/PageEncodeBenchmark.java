package io.prism.snapshotter.bench;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.CompressionLevel;
import io.prism.snapshotter.page.EncodedPage;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageEncoder;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.page.PageSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Encode + compress throughput of one page of 10,000 events (~1 KB JSON-ish payloads, a few
 * attributes) for every format x compression, against the limit: raw zstd-jni and raw gzip
 * compressing the same page already serialized as protobuf, with the same settings the codec uses.
 * One operation is one page; {@link #main} converts to MB/s of payload and prints stored sizes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PageEncodeBenchmark {
  static final int EVENTS = 10_000;
  private static final PageSpec SPEC = new PageSpec("user-123", 42, Map.of("environment", "bench"));
  private static final CompressionLevel ZSTD_LEVEL_1 = CompressionLevel.of(1);

  /** The events, built once per run. */
  @State(Scope.Benchmark)
  public static class Events {
    final PageEncoder encoder = new PageEncoder();
    List<Event> events;
    byte[] protobufPage;

    @Setup
    public void build() throws IOException {
      events = events();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      new PageEncoder().encode(PageFormat.PROTOBUF, Compression.NONE, SPEC, events, out);
      protobufPage = out.toByteArray();
    }
  }

  @State(Scope.Benchmark)
  public static class Codec {
    @Param({"PROTOBUF", "NDJSON"})
    public PageFormat format;

    @Param({"NONE", "GZIP", "ZSTD"})
    public Compression compression;
  }

  @Benchmark
  public EncodedPage encode(Events e, Codec c) throws IOException {
    return e.encoder.encode(
        c.format, c.compression, SPEC, e.events, OutputStream.nullOutputStream());
  }

  /**
   * protobuf + zstd at {@code page.compression.level=1}: what the fastest positive level buys over
   * 3.
   */
  @Benchmark
  public EncodedPage encodeZstdLevel1(Events e) throws IOException {
    return e.encoder.encode(
        PageFormat.PROTOBUF,
        Compression.ZSTD,
        ZSTD_LEVEL_1,
        SPEC,
        e.events,
        OutputStream.nullOutputStream());
  }

  /** The limit for protobuf + zstd: zstd alone on the serialized page, same level and checksum. */
  @Benchmark
  public long rawZstd(Events e) throws IOException {
    Counting sink = new Counting();
    try (OutputStream z =
        new ZstdOutputStreamNoFinalizer(sink, RecyclingBufferPool.INSTANCE, Compression.ZSTD_LEVEL)
            .setChecksum(true)) {
      z.write(e.protobufPage);
    }
    return sink.count;
  }

  /** The limit for protobuf + gzip: the JDK's gzip alone on the serialized page. */
  @Benchmark
  public long rawGzip(Events e) throws IOException {
    Counting sink = new Counting();
    try (OutputStream z = new GZIPOutputStream(sink, 64 * 1024)) {
      z.write(e.protobufPage);
    }
    return sink.count;
  }

  /**
   * 10,000 events of ~1 KB semi-realistic JSON ({@link BenchPayloads}, the sink benchmark's): a
   * fixed seed, so every run encodes the same bytes.
   */
  static List<Event> events() {
    BenchPayloads payloads = new BenchPayloads(1024);
    List<Event> events = new ArrayList<>(EVENTS);
    long t0 = 1_700_000_000_000L;
    for (int i = 0; i < EVENTS; i++) {
      String action = payloads.nextAction();
      byte[] payload = payloads.next(action, t0 + i * 7L);
      Map<String, String> attributes = new LinkedHashMap<>();
      attributes.put("type", "user." + action);
      attributes.put("source", payloads.nextBoolean() ? "web" : "ios");
      attributes.put("kafka.topic", "events");
      events.add(Event.wrap("events-3-" + (5_000_000 + i), t0 + i * 7L, payload, attributes));
    }
    return events;
  }

  static final class Counting extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }

  /**
   * Runs the benchmarks (JMH options from the command line, e.g. {@code -f 1 -wi 2 -i 3 -w 1s -r
   * 2s}), then prints a table in MB/s of payload and the stored size of every combination.
   */
  public static void main(String[] args) throws Exception {
    CommandLineOptions cli = new CommandLineOptions(args);
    Collection<RunResult> results =
        new Runner(
                new OptionsBuilder()
                    .parent(cli)
                    .include(PageEncodeBenchmark.class.getSimpleName())
                    .build())
            .run();

    List<Event> events = events();
    long payloadBytes = events.stream().mapToLong(Event::payloadLength).sum();
    Events state = new Events();
    state.build();
    System.out.printf(
        Locale.ROOT,
        "%n%,d events, %,d payload bytes (%.1f bytes/event), protobuf page %,d bytes%n%n",
        EVENTS,
        payloadBytes,
        payloadBytes / (double) EVENTS,
        state.protobufPage.length);
    System.out.println(
        "| Benchmark | Pages/s | Payload MB/s | Stored size (bytes) | Stored / payload |");
    System.out.println("|---|---:|---:|---:|---:|");
    Map<String, Double> mbPerSecond = new LinkedHashMap<>();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark().replaceAll(".*\\.", "");
      long stored;
      if (name.equals("encode")) {
        PageFormat f = PageFormat.valueOf(r.getParams().getParam("format"));
        Compression c = Compression.valueOf(r.getParams().getParam("compression"));
        name = f.configName() + " + " + c.configName();
        Counting sink = new Counting();
        stored = new PageEncoder().encode(f, c, SPEC, events, sink).storedSizeBytes();
      } else if (name.equals("encodeZstdLevel1")) {
        name = "protobuf + zstd level 1";
        stored =
            new PageEncoder()
                .encode(
                    PageFormat.PROTOBUF,
                    Compression.ZSTD,
                    ZSTD_LEVEL_1,
                    SPEC,
                    events,
                    new Counting())
                .storedSizeBytes();
      } else {
        PageEncodeBenchmark b = new PageEncodeBenchmark();
        stored = name.equals("rawZstd") ? b.rawZstd(state) : b.rawGzip(state);
        name =
            name.equals("rawZstd")
                ? "raw zstd-jni (protobuf bytes)"
                : "raw JDK gzip (protobuf bytes)";
      }
      double pagesPerSecond = r.getPrimaryResult().getScore();
      double mb = pagesPerSecond * payloadBytes / 1e6;
      mbPerSecond.put(name, mb);
      System.out.printf(
          Locale.ROOT,
          "| %s | %.1f ± %.1f | %.0f | %,d | %.3f |%n",
          name,
          pagesPerSecond,
          r.getPrimaryResult().getScoreError(),
          mb,
          stored,
          stored / (double) payloadBytes);
    }
    Double pz = mbPerSecond.get("protobuf + zstd");
    Double rz = mbPerSecond.get("raw zstd-jni (protobuf bytes)");
    Double pg = mbPerSecond.get("protobuf + gzip");
    Double rg = mbPerSecond.get("raw JDK gzip (protobuf bytes)");
    if (pz != null && rz != null) {
      System.out.printf(
          Locale.ROOT, "%nJMH: protobuf+zstd / raw zstd throughput ratio: %.2f%n", pz / rz);
    }
    if (pg != null && rg != null) {
      System.out.printf(
          Locale.ROOT, "JMH: protobuf+gzip / raw gzip throughput ratio: %.2f%n", pg / rg);
    }

    // On a shared machine the load drifts between JMH's forks, which run one after the other,
    // so a ratio of two JMH scores mixes in that drift. Alternating the two operations round by
    // round and taking the median of the per-round ratios cancels it.
    PageEncodeBenchmark b = new PageEncodeBenchmark();
    Codec zstd = codec(PageFormat.PROTOBUF, Compression.ZSTD);
    Codec gzip = codec(PageFormat.PROTOBUF, Compression.GZIP);
    System.out.printf(
        Locale.ROOT,
        "Paired (alternating, median of %d rounds): protobuf+zstd / raw zstd = %.2f%n",
        PAIRED_ROUNDS,
        pairedRatio(() -> b.encode(state, zstd), () -> b.rawZstd(state)));
    System.out.printf(
        Locale.ROOT,
        "Paired (alternating, median of %d rounds): protobuf+gzip / raw gzip = %.2f%n",
        PAIRED_ROUNDS,
        pairedRatio(() -> b.encode(state, gzip), () -> b.rawGzip(state)));
  }

  private static final int PAIRED_WARMUP = 5;
  private static final int PAIRED_ROUNDS = 15;

  @FunctionalInterface
  interface Op {
    Object run() throws IOException;
  }

  /** Throughput of {@code ours} relative to {@code limit}: limit time / our time, per round. */
  static double pairedRatio(Op ours, Op limit) throws IOException {
    double[] ratios = new double[PAIRED_ROUNDS];
    for (int round = -PAIRED_WARMUP; round < PAIRED_ROUNDS; round++) {
      long t0 = System.nanoTime();
      ours.run();
      long t1 = System.nanoTime();
      limit.run();
      long t2 = System.nanoTime();
      if (round >= 0) {
        ratios[round] = (t2 - t1) / (double) (t1 - t0);
      }
    }
    java.util.Arrays.sort(ratios);
    return ratios[PAIRED_ROUNDS / 2];
  }

  private static Codec codec(PageFormat format, Compression compression) {
    Codec c = new Codec();
    c.format = format;
    c.compression = compression;
    return c;
  }
}
