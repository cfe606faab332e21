package io.prism.snapshotter.bench;

import io.prism.snapshotter.connect.SnapshotterSinkTask;
import io.prism.snapshotter.storage.S3ObjectStore;
import io.prism.snapshotter.storage.S3Settings;
import io.prism.snapshotter.testing.StubSinkTaskContext;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What {@code storage.upload.threads} is worth against an S3 store across a network: the sink task,
 * driven directly with records made in memory (no broker: this measures the pages' way to storage,
 * not the reading), stores protobuf + zstd pages in S3Proxy (in this JVM, objects in memory) behind
 * a {@link DelayLine} that holds every byte {@code latencyMs} in each direction; a SQLite index on
 * tmpfs. Each round runs every thread count in turn (every other round in the reverse order); the
 * baseline is the connector's default (2 threads) in the same round, so the figure to read is the
 * ratio.
 *
 * <p>Arguments {@code name=value}: {@code records=100000 writers=100 pageEvents=100 payload=1024
 * partitions=4 latencyMs=10 threads=1,2,4,8,16 rounds=3 warmups=1}.
 */
public final class UploadThreadsBenchmark {
  private static final String TOPIC = "uploadbench";
  private static final String ACCESS_KEY = "bench-access";
  private static final String SECRET_KEY = "bench-secret";
  private static final int BASELINE_THREADS = 2;
  private static final Duration COMMIT_INTERVAL = Duration.ofMillis(200);
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);

  private final Map<String, String> given;
  private final int records;
  private final int writers;
  private final int pageEvents;
  private final int partitions;
  private final long latencyMillis;
  private final List<Integer> threadCounts;
  private final URI directEndpoint;
  private final URI delayedEndpoint;
  private final Path scratch;
  private final Map<TopicPartition, List<SinkRecord>> byPartition = new LinkedHashMap<>();
  private long payloadBytes;
  private int runs;

  private UploadThreadsBenchmark(
      Map<String, String> given, URI directEndpoint, URI delayedEndpoint, Path scratch) {
    this.given = given;
    this.records = intArg("records", 100_000);
    this.writers = intArg("writers", 100);
    this.pageEvents = intArg("pageEvents", 100);
    this.partitions = intArg("partitions", 4);
    this.latencyMillis = intArg("latencyMs", 10);
    this.threadCounts =
        Arrays.stream(given.getOrDefault("threads", "1,2,4,8,16").split(","))
            .map(String::trim)
            .map(Integer::valueOf)
            .toList();
    this.directEndpoint = directEndpoint;
    this.delayedEndpoint = delayedEndpoint;
    this.scratch = scratch;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> given = BenchArgs.parse(args);
    Set<String> known =
        Set.of(
            "records",
            "writers",
            "pageEvents",
            "payload",
            "partitions",
            "latencyMs",
            "threads",
            "rounds",
            "warmups");
    if (!known.containsAll(given.keySet())) {
      throw new IllegalArgumentException(
          "unknown arguments " + given.keySet().stream().filter(k -> !known.contains(k)).toList());
    }
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(BlobStores.create("transient", new Properties()))
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .stopTimeout(0)
            .build();
    proxy.start();
    Path shm = Path.of("/dev/shm");
    Path scratch =
        Files.isDirectory(shm) && Files.isWritable(shm)
            ? Files.createTempDirectory(shm, "prism-uploadbench-")
            : Files.createTempDirectory("prism-uploadbench-");
    long latency = given.containsKey("latencyMs") ? Long.parseLong(given.get("latencyMs")) : 10;
    try (DelayLine line = DelayLine.start("127.0.0.1", proxy.getPort(), latency)) {
      UploadThreadsBenchmark bench =
          new UploadThreadsBenchmark(
              given,
              URI.create("http://127.0.0.1:" + proxy.getPort()),
              URI.create("http://127.0.0.1:" + line.port()),
              scratch);
      bench.makeRecords(new BenchPayloads(bench.intArg("payload", 1024)));
      bench.runRounds(bench.intArg("warmups", 1), bench.intArg("rounds", 3));
    } finally {
      proxy.stop();
      try (var files = Files.walk(scratch)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private int intArg(String name, int fallback) {
    return given.containsKey(name) ? Integer.parseInt(given.get(name)) : fallback;
  }

  /** Writer {@code w} in partition {@code w % partitions}, round-robin, as a keyed topic has it. */
  private void makeRecords(BenchPayloads payloads) {
    long[] nextOffset = new long[partitions];
    for (int p = 0; p < partitions; p++) {
      byPartition.put(new TopicPartition(TOPIC, p), new ArrayList<>());
    }
    long t0 = System.currentTimeMillis() - records;
    for (int i = 0; i < records; i++) {
      int writer = i % writers;
      int partition = writer % partitions;
      String action = payloads.nextAction();
      byte[] value = payloads.next(action, t0 + i);
      payloadBytes += value.length;
      ConnectHeaders headers = new ConnectHeaders();
      headers.addString("type", "user." + action);
      headers.addString("source", payloads.nextBoolean() ? "web" : "ios");
      byPartition
          .get(new TopicPartition(TOPIC, partition))
          .add(
              new SinkRecord(
                  TOPIC,
                  partition,
                  Schema.STRING_SCHEMA,
                  "writer-" + writer,
                  Schema.BYTES_SCHEMA,
                  value,
                  nextOffset[partition]++,
                  t0 + i,
                  TimestampType.CREATE_TIME,
                  headers));
    }
  }

  private void runRounds(int warmups, int rounds) throws Exception {
    System.out.printf(
        Locale.ROOT,
        "%,d records (%,d payload bytes), %d writers over %d partitions, pages of %d events,"
            + " protobuf + zstd; S3Proxy behind a %d ms delay each way; %d cores%n",
        records,
        payloadBytes,
        writers,
        partitions,
        pageEvents,
        latencyMillis,
        Runtime.getRuntime().availableProcessors());
    Map<Integer, double[]> rates = new LinkedHashMap<>();
    threadCounts.forEach(t -> rates.put(t, new double[rounds]));
    for (int round = -warmups + 1; round <= rounds; round++) {
      // Every other round in the reverse order: the later runs of a round find the JIT compiler
      // further along, which favoured the higher counts when every round went up.
      List<Integer> order = new ArrayList<>(threadCounts);
      if (Math.floorMod(round, 2) == 0) {
        java.util.Collections.reverse(order);
      }
      for (int threads : order) {
        CpuByThread cpu = CpuByThread.start();
        double seconds = run(threads, cpu);
        double rate = records / seconds;
        System.out.printf(
            Locale.ROOT,
            "%s %d, threads %2d: %6.2f s, %,9.0f records/s [%s]%n",
            round <= 0 ? "warm-up" : "round",
            round <= 0 ? round + warmups : round,
            threads,
            seconds,
            rate,
            cpu.summary());
        if (round > 0) {
          rates.get(threads)[round - 1] = rate;
        }
      }
    }
    System.out.println();
    System.out.println(
        "| storage.upload.threads | records/s (median) | vs "
            + BASELINE_THREADS
            + " threads, per round | median |");
    System.out.println("|---:|---:|---|---:|");
    double[] baseline = rates.get(BASELINE_THREADS);
    for (Map.Entry<Integer, double[]> entry : rates.entrySet()) {
      double[] values = entry.getValue();
      String perRound = "n/a";
      String median = "n/a";
      if (baseline != null) {
        double[] ratios = new double[values.length];
        for (int r = 0; r < values.length; r++) {
          ratios[r] = values[r] / baseline[r];
        }
        perRound =
            Arrays.stream(ratios)
                .mapToObj(x -> String.format(Locale.ROOT, "%.2f", x))
                .collect(Collectors.joining(" / "));
        median = String.format(Locale.ROOT, "**%.2fx**", median(ratios));
      }
      System.out.printf(
          Locale.ROOT,
          "| %d | %,.0f | %s | %s |%n",
          entry.getKey(),
          median(values),
          perRound,
          median);
    }
  }

  /** One run on a fresh bucket and index: seconds from the task's start until all is durable. */
  private double run(int threads, CpuByThread cpu) throws InterruptedException {
    String bucket = "bench-" + ++runs;
    S3Settings settings =
        S3Settings.forBucket(bucket)
            .withEndpoint(directEndpoint, true)
            .withRegion("us-east-1")
            .withCredentials(ACCESS_KEY, new Password(SECRET_KEY));
    try (S3Client client = S3ObjectStore.buildClient(settings)) {
      client.createBucket(b -> b.bucket(bucket));
    }
    Map<String, String> config = new HashMap<>();
    config.put("topics", TOPIC);
    config.put("buffer.max.events", Integer.toString(pageEvents));
    config.put("buffer.max.age.seconds", "60");
    config.put("page.format", "protobuf");
    config.put("page.compression", "zstd");
    config.put("storage.backend", "s3");
    config.put("storage.s3.bucket", bucket);
    config.put("storage.s3.endpoint", delayedEndpoint.toString());
    config.put("storage.s3.region", "us-east-1");
    config.put("storage.s3.path.style", "true");
    config.put("storage.s3.access.key", ACCESS_KEY);
    config.put("storage.s3.secret.key", SECRET_KEY);
    config.put("storage.upload.threads", Integer.toString(threads));
    config.put("index.sqlite.path", scratch.resolve(bucket + "-index.db").toString());

    long start = System.nanoTime();
    SnapshotterSinkTask task = new SnapshotterSinkTask();
    StubSinkTaskContext context = new StubSinkTaskContext(config, byPartition.keySet());
    task.initialize(context);
    task.start(config);
    try {
      feed(task, context, start + RUN_TIMEOUT.toNanos());
    } finally {
      cpu.mark();
      task.stop();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long pages = countPagesAndDropBucket(settings);
    if (pages != records / pageEvents) {
      throw new IllegalStateException(
          bucket + " holds " + pages + " pages, not " + records / pageEvents);
    }
    return seconds;
  }

  /**
   * Hands the records over as a consumer's polls would (up to 500 a batch, a slice of every
   * partition not paused), asks {@code preCommit} once per commit interval, and returns once every
   * partition is durable to its end.
   */
  private void feed(SnapshotterSinkTask task, StubSinkTaskContext context, long deadline)
      throws InterruptedException {
    Map<TopicPartition, Integer> cursors = new HashMap<>();
    byPartition.keySet().forEach(tp -> cursors.put(tp, 0));
    int slice = 500 / partitions;
    long lastCommit = System.nanoTime();
    while (true) {
      List<SinkRecord> batch = new ArrayList<>(500);
      for (Map.Entry<TopicPartition, List<SinkRecord>> partition : byPartition.entrySet()) {
        if (context.paused().contains(partition.getKey())) {
          continue;
        }
        int from = cursors.get(partition.getKey());
        int to = Math.min(from + slice, partition.getValue().size());
        batch.addAll(partition.getValue().subList(from, to));
        cursors.put(partition.getKey(), to);
      }
      task.put(batch);
      boolean allHandedOver =
          byPartition.entrySet().stream()
              .allMatch(e -> cursors.get(e.getKey()) == e.getValue().size());
      long now = System.nanoTime();
      if (allHandedOver || now - lastCommit >= COMMIT_INTERVAL.toNanos()) {
        lastCommit = now;
        if (allDurable(task, cursors) && allHandedOver) {
          return;
        }
      }
      if (batch.isEmpty()) {
        Thread.sleep(5); // everything handed over or paused: a consumer's poll would wait too
      }
      if (now > deadline) {
        throw new IllegalStateException("the task did not store every page within " + RUN_TIMEOUT);
      }
    }
  }

  /** Asks {@code preCommit}, as the worker does, with the positions handed over so far. */
  private boolean allDurable(SnapshotterSinkTask task, Map<TopicPartition, Integer> cursors) {
    Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
    cursors.forEach((tp, next) -> positions.put(tp, new OffsetAndMetadata(next)));
    Map<TopicPartition, OffsetAndMetadata> committable = task.preCommit(positions);
    return byPartition.entrySet().stream()
        .allMatch(
            e -> {
              OffsetAndMetadata offset = committable.get(e.getKey());
              return offset != null && offset.offset() >= e.getValue().size();
            });
  }

  /**
   * Counts the run's pages, then empties and deletes its bucket: S3Proxy's transient store keeps
   * every object in this JVM's heap.
   */
  private long countPagesAndDropBucket(S3Settings settings) {
    try (S3Client client = S3ObjectStore.buildClient(settings)) {
      long pages = 0;
      for (ListObjectsV2Response page :
          client.listObjectsV2Paginator(b -> b.bucket(settings.bucket()))) {
        for (S3Object object : page.contents()) {
          if (object.key().endsWith(".pb.zst")) {
            pages++;
          }
          client.deleteObject(b -> b.bucket(settings.bucket()).key(object.key()));
        }
      }
      client.deleteBucket(b -> b.bucket(settings.bucket()));
      return pages;
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
