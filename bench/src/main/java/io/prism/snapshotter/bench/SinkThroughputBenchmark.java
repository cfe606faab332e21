package io.prism.snapshotter.bench;

import io.prism.snapshotter.connect.SnapshotterSinkConnector;
import io.prism.snapshotter.storage.ObjectKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * Sink throughput against a plain consumer, in one JVM on one in-JVM broker (Kafka's Connect test
 * kit): N records are produced once, then rounds alternate
 *
 * <ol>
 *   <li><b>plain</b>: a {@code KafkaConsumer<byte[],byte[]>} reads the whole topic (every value);
 *   <li><b>direct</b>: the same consumer feeds a {@code SnapshotterSinkTask} ({@link
 *       DirectSinkRun}), until every partition is durable to its end: our code without Connect's;
 *   <li><b>connect</b>: the connector through a real Connect worker, timed from connector creation
 *       until the committed offset of every partition reaches its end: includes task start-up, the
 *       consumer group join and up to one offset commit interval.
 * </ol>
 *
 * Pages are protobuf + zstd on the filesystem store in a fresh directory per run, on tmpfs ({@code
 * /dev/shm}) when it exists. A plain main, not JMH. Arguments are {@code name=value}: {@code
 * records=200000 payload=1024 writers=1000 partitions=4 rounds=5 pageEvents=100 tasks=1
 * variants=plain,direct,connect warmups=5 budgetMiB=256 storeDir=<tmpfs> uploadThreads=<the
 * connector's default, for the direct variant>}; variants {@code direct-none} (no compression),
 * {@code direct-zstd1} ({@code page.compression.level=1}), {@code direct-inline} ({@code
 * storage.upload.threads=0}) and {@code direct-ndjson} ({@code page.format=ndjson}) on request.
 */
public final class SinkThroughputBenchmark {
  private static final String TOPIC = "sinkbench";
  private static final String OFFSET_FLUSH_INTERVAL_MS = "200";
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);

  private final Settings settings;
  private final EmbeddedConnectCluster connect;
  private final Path storageRoot;
  private Map<TopicPartition, Long> ends;
  private long payloadBytes;

  private SinkThroughputBenchmark(
      Settings settings, EmbeddedConnectCluster connect, Path storageRoot) {
    this.settings = settings;
    this.connect = connect;
    this.storageRoot = storageRoot;
  }

  public static void main(String[] args) throws Exception {
    Settings settings = Settings.parse(args);
    Path shm = Path.of("/dev/shm");
    Path storageRoot;
    if (settings.storeDir != null) {
      // A store on a real disk: what its fsyncs cost, which tmpfs hides.
      storageRoot =
          Files.createTempDirectory(
              Files.createDirectories(Path.of(settings.storeDir)), "prism-sinkbench-");
    } else if (Files.isDirectory(shm) && Files.isWritable(shm)) {
      storageRoot = Files.createTempDirectory(shm, "prism-sinkbench-");
    } else {
      storageRoot = Files.createTempDirectory("prism-sinkbench-");
    }
    EmbeddedConnectCluster connect = startCluster();
    try {
      SinkThroughputBenchmark bench = new SinkThroughputBenchmark(settings, connect, storageRoot);
      bench.produce();
      bench.runRounds();
    } finally {
      connect.stop();
      deleteTree(storageRoot);
    }
  }

  private static EmbeddedConnectCluster startCluster() {
    Map<String, String> workerProps = new HashMap<>();
    workerProps.put("offset.flush.interval.ms", OFFSET_FLUSH_INTERVAL_MS);
    workerProps.put("plugin.discovery", "service_load");
    workerProps.put("scheduled.rebalance.max.delay.ms", "2000");
    Properties brokerProps = new Properties();
    brokerProps.put("group.initial.rebalance.delay.ms", "0");
    brokerProps.put("auto.create.topics.enable", "false");
    EmbeddedConnectCluster connect =
        new EmbeddedConnectCluster.Builder()
            .name("prism-sinkbench")
            .numWorkers(1)
            .numBrokers(1)
            .workerProps(workerProps)
            .brokerProps(brokerProps)
            .build();
    connect.start();
    return connect;
  }

  /** The records, once: round-robin writers as keys, semi-realistic JSON values, two headers. */
  private void produce() throws Exception {
    connect.kafka().createTopic(TOPIC, settings.partitions);
    BenchPayloads payloads = new BenchPayloads(settings.payloadBytes);
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    // The idempotent producer (the default) twice looped on OutOfOrderSequenceException against
    // the in-JVM broker on this loaded machine; one request in flight keeps order without it, and
    // the count check below catches a duplicate from a retry.
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    // A loaded 2-core machine can stall the broker for seconds: wait rather than fail a send.
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "120000");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
    AtomicReference<Exception> failure = new AtomicReference<>();
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(props)) {
      long t0 = System.currentTimeMillis();
      for (int i = 0; i < settings.records; i++) {
        String action = payloads.nextAction();
        byte[] value = payloads.next(action, t0 + i);
        payloadBytes += value.length;
        RecordHeaders headers = new RecordHeaders();
        headers.add("type", ("user." + action).getBytes(StandardCharsets.UTF_8));
        headers.add(
            "source", (payloads.nextBoolean() ? "web" : "ios").getBytes(StandardCharsets.UTF_8));
        byte[] key = ("writer-" + (i % settings.writers)).getBytes(StandardCharsets.UTF_8);
        producer.send(
            new ProducerRecord<>(TOPIC, null, key, value, headers),
            (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
            });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("producing the benchmark records failed", failure.get());
    }
    ends = endOffsets();
    long total = ends.values().stream().mapToLong(Long::longValue).sum();
    if (total != settings.records) {
      throw new IllegalStateException(
          "the topic holds " + total + " records, not " + settings.records);
    }
    System.out.printf(
        Locale.ROOT,
        "produced %,d records (%,d payload bytes, %.0f bytes/record avg) in %.1f s; end offsets %s%n",
        settings.records,
        payloadBytes,
        payloadBytes / (double) settings.records,
        (System.nanoTime() - start) / 1e9,
        ends);
  }

  private Map<TopicPartition, Long> endOffsets() throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < settings.partitions; p++) {
      latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> result = new HashMap<>();
    try (Admin admin = connect.kafka().createAdminClient()) {
      admin.listOffsets(latest).all().get().forEach((tp, info) -> result.put(tp, info.offset()));
    }
    return result;
  }

  private void runRounds() throws Exception {
    System.out.printf(
        Locale.ROOT,
        "%,d records x ~%d B, %d writers, %d partitions, pages of %d events, protobuf + zstd,"
            + " filesystem store under %s (%s); %d cores; offset.flush.interval.ms=%s;"
            + " buffer.memory.max.bytes=%d MiB%n",
        settings.records,
        settings.payloadBytes,
        settings.writers,
        settings.partitions,
        settings.pageEvents,
        storageRoot,
        storageRoot.startsWith("/dev/shm") ? "tmpfs" : "disk, not tmpfs",
        Runtime.getRuntime().availableProcessors(),
        OFFSET_FLUSH_INTERVAL_MS,
        settings.budgetMiB);
    if (settings.records % settings.writers != 0
        || (settings.records / settings.writers) % settings.pageEvents != 0) {
      System.out.println(
          "NOTE: records/writers is not a multiple of pageEvents: the last pages close on age (60 s),"
              + " which the sink times include");
    }
    // The JIT compiler's threads take a third to half of the CPU through the first rounds
    // (measured:
    // CpuByThread), so timed rounds come after warm-up rounds of every variant.
    for (int warmup = 1; warmup <= settings.warmups; warmup++) {
      for (Variant variant : settings.variants) {
        report(variant, -warmup, run(variant, -warmup));
      }
    }
    Map<Variant, double[]> rates = new LinkedHashMap<>();
    for (Variant variant : settings.variants) {
      rates.put(variant, new double[settings.rounds]);
    }
    for (int round = 1; round <= settings.rounds; round++) {
      for (Variant variant : settings.variants) {
        Timing timing = run(variant, round);
        rates.get(variant)[round - 1] = timing.recordsPerSecond(settings.records);
        report(variant, round, timing);
      }
      double[] plain = rates.get(Variant.PLAIN);
      if (plain != null) {
        StringBuilder ratios = new StringBuilder("round " + round + " ratios:");
        for (Variant variant : settings.variants) {
          if (variant != Variant.PLAIN) {
            ratios.append(
                String.format(
                    Locale.ROOT,
                    " %s/plain %.2fx",
                    variant.label,
                    rates.get(variant)[round - 1] / plain[round - 1]));
          }
        }
        System.out.println(ratios);
      }
    }
    System.out.printf(Locale.ROOT, "%nmedian of %d rounds:%n", settings.rounds);
    System.out.println(
        "| variant | records/s | payload MB/s | vs plain consumer (median of per-round ratios) |");
    System.out.println("|---|---:|---:|---:|");
    for (Variant variant : settings.variants) {
      double rate = median(rates.get(variant));
      String ratio = "1.00x";
      if (variant != Variant.PLAIN && rates.containsKey(Variant.PLAIN)) {
        double[] perRound = new double[settings.rounds];
        for (int r = 0; r < settings.rounds; r++) {
          perRound[r] = rates.get(variant)[r] / rates.get(Variant.PLAIN)[r];
        }
        ratio = String.format(Locale.ROOT, "%.2fx", median(perRound));
      } else if (variant != Variant.PLAIN) {
        ratio = "n/a";
      }
      System.out.printf(
          Locale.ROOT,
          "| %s | %,.0f | %.1f | %s |%n",
          variant.description,
          rate,
          rate * payloadBytes / settings.records / 1e6,
          ratio);
    }
  }

  private void report(Variant variant, int round, Timing timing) {
    double rate = timing.recordsPerSecond(settings.records);
    System.out.printf(
        Locale.ROOT,
        "%s %-7s %,10.0f records/s %6.1f MB/s  %.2f s%s%n",
        round < 0 ? "warm-up " + -round : "round " + round,
        variant.label,
        rate,
        rate * payloadBytes / settings.records / 1e6,
        timing.seconds,
        timing.note);
  }

  /**
   * One variant's run, with the JVM's CPU time over it: the broker, the consumer and the sink all
   * share this process, so CPU seconds per wall second says how close the run came to the cores.
   */
  private Timing run(Variant variant, int round) throws Exception {
    CpuByThread cpu = CpuByThread.start();
    Timing timing = runOnce(variant, round, cpu);
    return new Timing(timing.seconds(), timing.note() + "\n          [" + cpu.summary() + "]");
  }

  private Timing runOnce(Variant variant, int round, CpuByThread cpu) throws Exception {
    return switch (variant) {
      case PLAIN -> plainConsumer(cpu);
      case DIRECT -> directTask(round, cpu, "protobuf", "zstd", settings.uploadThreads, null);
      case DIRECT_UNCOMPRESSED -> directTask(round, cpu, "protobuf", "none", null, null);
      case DIRECT_ZSTD_LEVEL_1 -> directTask(round, cpu, "protobuf", "zstd", null, "1");
      case DIRECT_INLINE -> directTask(round, cpu, "protobuf", "zstd", "0", null);
      case DIRECT_NDJSON -> directTask(round, cpu, "ndjson", "zstd", null, null);
      case CONNECT -> connectWorker(round, cpu);
    };
  }

  private Map<String, Object> consumerConfig() {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connect.kafka().bootstrapServers());
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return config;
  }

  /**
   * The baseline: a fresh consumer, assigned every partition from the beginning, reads every value.
   * Timed until the last record is read; closing the consumer is not counted (nor for the sink).
   */
  private Timing plainConsumer(CpuByThread cpu) {
    long start = System.nanoTime();
    long readAll;
    long bytes = 0;
    long records = 0;
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig());
    try {
      consumer.assign(ends.keySet());
      consumer.seekToBeginning(ends.keySet());
      Map<TopicPartition, Long> remaining = new HashMap<>(ends);
      remaining.values().removeIf(end -> end == 0);
      while (!remaining.isEmpty()) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          byte[] value = record.value();
          bytes += value.length;
          records++;
          TopicPartition tp = new TopicPartition(record.topic(), record.partition());
          if (record.offset() + 1 >= remaining.getOrDefault(tp, Long.MAX_VALUE)) {
            remaining.remove(tp);
          }
        }
      }
    } finally {
      readAll = System.nanoTime();
      cpu.mark();
      consumer.close();
    }
    if (records != settings.records || bytes != payloadBytes) {
      throw new IllegalStateException(
          "plain consumer read " + records + " records / " + bytes + " bytes");
    }
    return new Timing(
        (readAll - start) / 1e9,
        String.format(
            Locale.ROOT,
            "  (consumer closed in %.2f s, not counted)",
            (System.nanoTime() - readAll) / 1e9));
  }

  private Map<String, String> connectorConfig(Path storage) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", SnapshotterSinkConnector.class.getName());
    config.put("tasks.max", Integer.toString(settings.tasks));
    config.put("topics", TOPIC);
    config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    config.put("header.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("buffer.max.events", Integer.toString(settings.pageEvents));
    config.put("buffer.max.age.seconds", "60");
    // The writers fill their pages in lockstep (round-robin keys), so at their peak the open pages
    // hold ~100 MB (1,000 writers x 100 events of 1 KB) plus the pages being stored: near the
    // default budget of 128 MiB. A page the budget closes early leaves its writer's last page short
    // of pageEvents, to wait for its age (60 s): that would time the age limit, not the sink.
    config.put("buffer.memory.max.bytes", Long.toString(settings.budgetMiB * 1024L * 1024));
    config.put("page.format", "protobuf");
    config.put("page.compression", "zstd");
    config.put("storage.backend", "filesystem");
    config.put("storage.filesystem.path", storage.toString());
    // An index of its own beside each run's fresh store: a task taking over a partition asks the
    // index which pages are stored, and a shared index would name pages of earlier runs.
    config.put(
        "index.sqlite.path",
        storage.resolveSibling(storage.getFileName() + "-index.db").toString());
    return config;
  }

  /**
   * @param uploadThreads {@code storage.upload.threads}; {@code null}: the connector's default
   * @param level {@code page.compression.level}; {@code null}: the codec's default
   */
  private Timing directTask(
      int round,
      CpuByThread cpu,
      String format,
      String compression,
      String uploadThreads,
      String level)
      throws IOException, InterruptedException {
    Path storage =
        Files.createDirectory(
            storageRoot.resolve(
                "direct-"
                    + format
                    + "-"
                    + compression
                    + (level == null ? "" : "-level" + level)
                    + (uploadThreads == null ? "" : "-threads" + uploadThreads)
                    + "-"
                    + round));
    Map<String, String> taskConfig = connectorConfig(storage);
    taskConfig.put("page.format", format);
    taskConfig.put("page.compression", compression);
    if (uploadThreads != null) {
      taskConfig.put("storage.upload.threads", uploadThreads);
    }
    if (level != null) {
      taskConfig.put("page.compression.level", level);
    }
    taskConfig.put("task.class", "io.prism.snapshotter.connect.SnapshotterSinkTask");
    DirectSinkRun direct = new DirectSinkRun(taskConfig, consumerConfig(), ends, cpu::mark);
    long records = direct.run(RUN_TIMEOUT);
    double seconds = direct.secondsToDurable();
    String note =
        String.format(
            Locale.ROOT,
            "  (%,d pages, %,d bytes stored; %s)",
            countPages(storage),
            storedBytes(storage),
            direct.phases());
    deleteTree(storage);
    if (records != settings.records) {
      throw new IllegalStateException("direct task got " + records + " records");
    }
    return new Timing(seconds, note);
  }

  private Timing connectWorker(int round, CpuByThread cpu) throws Exception {
    Path storage = Files.createDirectory(storageRoot.resolve("connect-" + round));
    String name = "sinkbench-" + round;
    long start = System.nanoTime();
    connect.configureConnector(name, connectorConfig(storage));
    long firstCommitNanos = 0;
    long firstCommitted = 0;
    long deadline = start + RUN_TIMEOUT.toNanos();
    try (Admin admin = connect.kafka().createAdminClient()) {
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets("connect-" + name).partitionsToOffsetAndMetadata().get();
        long total =
            committed.values().stream()
                .filter(o -> o != null)
                .mapToLong(OffsetAndMetadata::offset)
                .sum();
        if (firstCommitNanos == 0 && total > 0) {
          firstCommitNanos = System.nanoTime();
          firstCommitted = total;
        }
        boolean done =
            ends.entrySet().stream()
                .allMatch(
                    e -> {
                      OffsetAndMetadata o = committed.get(e.getKey());
                      return o != null && o.offset() >= e.getValue();
                    });
        if (done) {
          cpu.mark();
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "connector "
                  + name
                  + " did not commit everything within "
                  + RUN_TIMEOUT
                  + ": "
                  + committed
                  + "; status "
                  + connect.connectorStatus(name));
        }
        Thread.sleep(20);
      }
    }
    long endNanos = System.nanoTime();
    double seconds = (endNanos - start) / 1e9;
    String steady =
        firstCommitted >= settings.records
            ? "everything in the first commit"
            : String.format(
                Locale.ROOT,
                "%,.0f records/s from there",
                (settings.records - firstCommitted) / ((endNanos - firstCommitNanos) / 1e9));
    String note =
        String.format(
            Locale.ROOT,
            "  (%,d pages; first commit after %.2f s; %s)",
            countPages(storage),
            (firstCommitNanos - start) / 1e9,
            steady);
    connect.deleteConnector(name);
    connect.assertions().assertConnectorDoesNotExist(name, "connector " + name + " still exists");
    deleteTree(storage);
    return new Timing(seconds, note);
  }

  private static long countPages(Path storage) throws IOException {
    try (Stream<Path> files = Files.walk(storage)) {
      return files.filter(f -> isPage(storage, f)).count();
    }
  }

  /**
   * A page file, not its metadata sidecar: the filesystem store keeps sidecars under {@code
   * .prism-meta/} with the page's own path, so matching names alone counted every page twice.
   */
  private static boolean isPage(Path storage, Path file) {
    return file.getFileName().toString().matches(".*\\.(pb|ndjson)(\\.zst)?")
        && !storage.relativize(file).toString().startsWith(ObjectKeys.RESERVED_SEGMENT_PREFIX);
  }

  /** The pages' stored size together: what the compression level trades CPU for. */
  private static long storedBytes(Path storage) throws IOException {
    try (Stream<Path> files = Files.walk(storage)) {
      long total = 0;
      for (Path page : files.filter(f -> isPage(storage, f)).toList()) {
        total += Files.size(page);
      }
      return total;
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private record Timing(double seconds, String note) {
    double recordsPerSecond(long records) {
      return records / seconds;
    }
  }

  private enum Variant {
    PLAIN("plain", "plain `KafkaConsumer` (reads every value)"),
    DIRECT("direct", "sink task driven directly (consumer poll loop -> `SnapshotterSinkTask.put`)"),
    CONNECT("connect", "connector in a Connect worker (from creation to all offsets committed)"),
    /** Not in the default set: the direct variant without zstd, to show what compression costs. */
    DIRECT_UNCOMPRESSED("direct-none", "sink task driven directly, `page.compression=none`"),
    /**
     * Not in the default set: the direct variant at zstd's fastest positive level, to show what
     * level 3 costs.
     */
    DIRECT_ZSTD_LEVEL_1("direct-zstd1", "sink task driven directly, `page.compression.level=1`"),
    /**
     * Not in the default set: the direct variant storing pages on the task's thread, as before the
     * upload pool.
     */
    DIRECT_INLINE(
        "direct-inline",
        "sink task driven directly, `storage.upload.threads=0` (pages stored on the task thread)"),
    /** Not in the default set: the direct variant writing NDJSON pages (zstd). */
    DIRECT_NDJSON("direct-ndjson", "sink task driven directly, `page.format=ndjson`");

    final String label;
    final String description;

    Variant(String label, String description) {
      this.label = label;
      this.description = description;
    }
  }

  /** The command line: {@code name=value} pairs, each with a default. */
  private record Settings(
      int records,
      int payloadBytes,
      int writers,
      int partitions,
      int rounds,
      int pageEvents,
      int tasks,
      List<Variant> variants,
      int warmups,
      int budgetMiB,
      String storeDir,
      String uploadThreads) {
    static Settings parse(String[] args) {
      Map<String, String> given = BenchArgs.parse(args);
      List<Variant> variants = new ArrayList<>();
      for (String v : given.getOrDefault("variants", "plain,direct,connect").split(",")) {
        variants.add(
            Arrays.stream(Variant.values())
                .filter(x -> x.label.equals(v.trim()))
                .findFirst()
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "unknown variant '"
                                + v
                                + "'; known: plain, direct,"
                                + " connect, direct-none, direct-zstd1, direct-inline, direct-ndjson")));
      }
      Settings settings =
          new Settings(
              intArg(given, "records", 200_000),
              intArg(given, "payload", 1024),
              intArg(given, "writers", 1000),
              intArg(given, "partitions", 4),
              intArg(given, "rounds", 5),
              intArg(given, "pageEvents", 100),
              intArg(given, "tasks", 1),
              variants,
              intArg(given, "warmups", 5),
              intArg(given, "budgetMiB", 256),
              given.get("storeDir"),
              given.get("uploadThreads"));
      given
          .keySet()
          .removeAll(
              List.of(
                  "records",
                  "payload",
                  "writers",
                  "partitions",
                  "rounds",
                  "pageEvents",
                  "tasks",
                  "variants",
                  "warmups",
                  "budgetMiB",
                  "storeDir",
                  "uploadThreads"));
      if (!given.isEmpty()) {
        throw new IllegalArgumentException("unknown arguments " + given.keySet());
      }
      return settings;
    }

    private static int intArg(Map<String, String> given, String name, int fallback) {
      return given.containsKey(name) ? Integer.parseInt(given.get(name)) : fallback;
    }
  }
}
