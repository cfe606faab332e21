package io.prism.snapshotter.chaos;

import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.ObjectStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chaos run behind {@code bin/chaos [--minutes N]} and {@code ChaosIT}: deploys the stack as
 * separate processes, writes a known set of events while injecting faults, then checks the
 * guarantees and writes the report.
 */
public final class ChaosRun {
  private static final Logger log = LoggerFactory.getLogger(ChaosRun.class);
  private static final int WRITERS_PER_KIND = 2;
  private static final Duration CATCH_UP_LIMIT = Duration.ofMinutes(5);

  private ChaosRun() {}

  /**
   * {@code --minutes N --report FILE --work DIR --s3proxy-jar JAR}; ClickHouse from
   * PRISM_TEST_CLICKHOUSE_URL/_DIR.
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> options = new java.util.HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "usage: --minutes N [--report FILE] [--work DIR] [--s3proxy-jar JAR]; got "
                + String.join(" ", args));
      }
      options.put(args[i].substring(2), args[++i]);
    }
    Path root = Path.of("").toAbsolutePath();
    ChaosSettings settings =
        new ChaosSettings(
            Duration.ofMinutes(Long.parseLong(options.getOrDefault("minutes", "10"))),
            root,
            Path.of(options.getOrDefault("work", "target/chaos-" + System.currentTimeMillis()))
                .toAbsolutePath(),
            Path.of(options.getOrDefault("report", "docs/RELIABILITY.md")).toAbsolutePath(),
            Path.of(options.getOrDefault("s3proxy-jar", "target/chaos/s3proxy.jar"))
                .toAbsolutePath(),
            io.prism.snapshotter.testing.TestServices.clickHouseUrl(),
            io.prism.snapshotter.testing.TestServices.clickHouseDir());
    ChaosResult result = run(settings);
    System.out.println(
        result.passed()
            ? "chaos: PASSED; report in " + settings.report()
            : "chaos: FAILED: "
                + String.join("; ", result.failures())
                + "; report in "
                + settings.report());
    System.exit(result.passed() ? 0 : 1);
  }

  /** Runs the whole scenario and writes the report; the result says whether the guarantees held. */
  public static ChaosResult run(ChaosSettings settings) throws Exception {
    Instant startedAt = Instant.now();
    Files.createDirectories(settings.work());
    log.info("chaos run for {} in {}", settings.duration(), settings.work());
    try (ChaosDeployment deployment =
        new ChaosDeployment(settings.root(), settings.work(), settings)) {
      deployment.start();
      SnapshotterConfig config = new SnapshotterConfig(sinkKeys(deployment.connectorConfig()));
      try (ObjectStore store = ObjectStores.open(config.storage());
          OverwriteWatch watch = new OverwriteWatch(store);
          ChaosLoad load =
              new ChaosLoad(deployment.frontDoorTarget(), deployment.bootstrapServers())) {
        SinkProgress progress = new SinkProgress(deployment);
        long t0 = System.nanoTime();
        TaskDoctor doctor = new TaskDoctor(deployment, t0);
        doctor.start();
        load.start(WRITERS_PER_KIND);
        watch.start();
        Thread.sleep(15_000);
        OptionalDouble baseline = progress.secondsToCatchUp(CATCH_UP_LIMIT);
        log.info("baseline catch-up {} s", baseline);

        FaultInjector faults = new FaultInjector(deployment, load, progress, t0, settings.outage());
        faults.run(settings.duration());
        log.info("faults done; stopping the writers");
        load.stopAndDrain();
        OptionalDouble finalCatchUp = progress.secondsToCatchUp(CATCH_UP_LIMIT);
        List<FaultRecord> records = faults.records();
        log.info("caught up after the run: {} s; checking", finalCatchUp);
        boolean allTasksRunning = awaitAllTasksRunning(deployment);
        doctor.close();

        List<ReplayCheck> writers = ReplayCheck.run(config, load.ledgers());
        StorageCheck storage =
            StorageCheck.run(store, settings.clickHouseUrl(), deployment.clickHouseTable());
        List<String> overwritten = watch.overwritten();
        long refused = RefusedWrites.inAllWorkerLogs(deployment.logs());
        long zombieRefused =
            faults.zombieLog().isPresent()
                ? RefusedWrites.count(faults.zombieLog().get(), faults.zombieThawedAt())
                : 0;
        List<HeapPeaks> heaps = new ArrayList<>();
        for (ChildProcess worker : deployment.workers) {
          heaps.add(HeapPeaks.read(deployment.logs(), worker.name()));
        }
        ChaosResult result =
            new ChaosResult(
                startedAt,
                settings.duration(),
                writers,
                records,
                baseline,
                finalCatchUp,
                storage,
                overwritten,
                refused,
                zombieRefused,
                heaps,
                faults.unexpectedExits(),
                settings.full() ? 20 : 1,
                doctor.failures(),
                allTasksRunning);
        ReliabilityReport.write(result, settings.report());
        log.info("chaos run {}: {}", result.passed() ? "PASSED" : "FAILED", result.failures());
        return result;
      }
    }
  }

  private static boolean awaitAllTasksRunning(ChaosDeployment deployment)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      if (deployment.runningTasks() == 2) {
        return true;
      }
      Thread.sleep(1000);
    }
    return false;
  }

  /** The connector's own keys (not Connect's), which storage, index and replay are opened with. */
  static Map<String, String> sinkKeys(Map<String, String> connectorConfig) {
    return connectorConfig.entrySet().stream()
        .filter(e -> e.getKey().matches("(writer|buffer|page|storage|index)\\..*"))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }
}
