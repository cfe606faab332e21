package io.prism.snapshotter.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Injects faults for the run's duration: a worker SIGKILL every few seconds, and once each, spread
 * evenly over the run, the other kinds (front door and broker kill, S3 and ClickHouse outage, the
 * frozen worker). After each fault, a background task measures how long the deployment took to
 * recover.
 */
final class FaultInjector {
  private static final Logger log = LoggerFactory.getLogger(FaultInjector.class);

  /**
   * Long enough for the worker group (10 s session) and the task's consumer group (10 s) to fence
   * it.
   */
  private static final Duration FREEZE = Duration.ofSeconds(35);

  private static final Duration BETWEEN_WORKER_KILLS = Duration.ofSeconds(8);
  private static final Duration RECOVERY_LIMIT = Duration.ofMinutes(4);
  private static final List<FaultKind> SPREAD =
      List.of(
          FaultKind.FRONT_DOOR_KILL,
          FaultKind.S3_OUTAGE,
          FaultKind.BROKER_KILL,
          FaultKind.WORKER_FREEZE,
          FaultKind.CLICKHOUSE_OUTAGE);

  private final ChaosDeployment deployment;
  private final ChaosLoad load;
  private final SinkProgress progress;
  private final long t0;
  private final Duration outage;
  private final ExecutorService measurements = Executors.newCachedThreadPool();
  private final List<Future<FaultRecord>> records = Collections.synchronizedList(new ArrayList<>());
  private final List<String> unexpectedExits = new ArrayList<>();
  private int workerKills;
  private java.nio.file.Path zombieLog;
  private String zombieThawedAt;

  FaultInjector(
      ChaosDeployment deployment, ChaosLoad load, SinkProgress progress, long t0, Duration outage) {
    this.outage = outage;
    this.deployment = deployment;
    this.load = load;
    this.progress = progress;
    this.t0 = t0;
  }

  /** Runs faults until {@code duration} after t0 has passed. */
  void run(Duration duration) throws Exception {
    long end = t0 + duration.toNanos();
    int spreadDone = 0;
    while (System.nanoTime() < end) {
      double done = (System.nanoTime() - t0) / (double) duration.toNanos();
      checkNothingDiedByItself();
      if (spreadDone < SPREAD.size() && done >= (spreadDone + 0.5) / SPREAD.size()) {
        inject(SPREAD.get(spreadDone++));
      } else {
        inject(FaultKind.WORKER_KILL);
        Thread.sleep(BETWEEN_WORKER_KILLS.toMillis());
      }
    }
    while (spreadDone < SPREAD.size()) { // a run too short for the spacing still gets every kind
      inject(SPREAD.get(spreadDone++));
    }
    checkNothingDiedByItself();
  }

  /** Every recovery measurement, once each has finished. */
  List<FaultRecord> records() throws Exception {
    List<FaultRecord> all = new ArrayList<>();
    for (Future<FaultRecord> record : List.copyOf(records)) {
      all.add(record.get(RECOVERY_LIMIT.toSeconds() + 60, TimeUnit.SECONDS));
    }
    measurements.shutdown();
    return all;
  }

  /** Processes that exited without being killed (an OutOfMemoryError exits a worker, for one). */
  List<String> unexpectedExits() {
    return List.copyOf(unexpectedExits);
  }

  /**
   * The log of the worker start that was frozen, if any, and when it was thawed (log time format).
   */
  java.util.Optional<java.nio.file.Path> zombieLog() {
    return java.util.Optional.ofNullable(zombieLog);
  }

  String zombieThawedAt() {
    return zombieThawedAt;
  }

  int workerKills() {
    return workerKills;
  }

  private void checkNothingDiedByItself() throws Exception {
    List<ChildProcess> all = new ArrayList<>(deployment.workers);
    all.add(deployment.broker);
    all.add(deployment.frontDoor);
    all.add(deployment.s3proxy);
    for (ChildProcess process : all) {
      if (!process.alive()) {
        String exit = process.describeExit();
        log.error("unexpected exit: {}", exit);
        unexpectedExits.add(exit);
        process.start(); // keep the run going; the report fails it
      }
    }
  }

  private void inject(FaultKind kind) throws Exception {
    double at = seconds(System.nanoTime());
    long down = System.nanoTime();
    String target;
    switch (kind) {
      case WORKER_KILL -> {
        ChildProcess worker = deployment.workers.get(workerKills++ % deployment.workers.size());
        target = worker.name();
        worker.kill();
        worker.start();
      }
      case WORKER_FREEZE -> {
        ChildProcess worker = deployment.workers.get(1);
        target = worker.name();
        worker.freeze();
        Thread.sleep(FREEZE.toMillis());
        worker.thaw();
        zombieLog = deployment.logFile(worker.name(), worker.starts());
        zombieThawedAt =
            java.time.LocalTime.now()
                .format(java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSS"));
      }
      case FRONT_DOOR_KILL -> {
        target = deployment.frontDoor.name();
        deployment.frontDoor.kill();
        deployment.frontDoor.start();
        ChaosDeployment.await(
            "the front door",
            Duration.ofSeconds(60),
            deployment::frontDoorListens,
            deployment.frontDoor);
      }
      case BROKER_KILL -> {
        target = deployment.broker.name();
        deployment.broker.kill();
        deployment.broker.start();
        ChaosDeployment.await(
            "the broker", Duration.ofSeconds(120), deployment::brokerAnswers, deployment.broker);
      }
      case S3_OUTAGE -> {
        target = deployment.s3proxy.name();
        deployment.s3proxy.stop(5);
        Thread.sleep(outage.toMillis());
        deployment.s3proxy.start();
        ChaosDeployment.await(
            "S3Proxy", Duration.ofSeconds(60), deployment::s3Answers, deployment.s3proxy);
      }
      case CLICKHOUSE_OUTAGE -> {
        target = "clickhouse";
        deployment.clickHouse.stop();
        Thread.sleep(outage.toMillis());
        deployment.clickHouse.start();
      }
      default -> throw new IllegalArgumentException(kind.name());
    }
    long back = System.nanoTime();
    double outage = (back - down) / 1e9;
    log.info(
        "fault {} on {} at {} s: down {} s",
        kind,
        target,
        String.format("%.1f", at),
        String.format("%.1f", outage));
    boolean frontDoorSide = kind == FaultKind.FRONT_DOOR_KILL || kind == FaultKind.BROKER_KILL;
    Future<FaultRecord> record =
        measurements.submit(
            () ->
                new FaultRecord(
                    kind,
                    target,
                    at,
                    outage,
                    frontDoorSide ? frontDoorBack(back) : OptionalDouble.empty(),
                    progress.secondsToCatchUp(RECOVERY_LIMIT)));
    records.add(record);
    if (kind != FaultKind.WORKER_KILL) {
      // The rarer faults get a recovery time of their own: the next fault waits until this one is
      // over. Worker kills come every few seconds and may overlap each other's recovery.
      record.get(RECOVERY_LIMIT.toSeconds() + 60, TimeUnit.SECONDS);
    }
  }

  private OptionalDouble frontDoorBack(long since) throws InterruptedException {
    long deadline = since + RECOVERY_LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      long last = load.lastFrontDoorAckNanos();
      if (last > since) {
        return OptionalDouble.of((last - since) / 1e9);
      }
      Thread.sleep(100);
    }
    return OptionalDouble.empty();
  }

  private double seconds(long nanos) {
    return (nanos - t0) / 1e9;
  }
}
