package io.prism.snapshotter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.ForwardingObjectStore;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.StorageException;
import io.prism.snapshotter.testing.ManualClock;
import io.prism.snapshotter.testing.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An idle task's storage and index health follow the backends' current state through probes made
 * off the task's thread: the store removed or failing turns it unhealthy, its return healthy again.
 */
class IdleProbesTest {
  static final Duration INTERVAL = Duration.ofMillis(50);
  static final Duration LIMIT = Duration.ofSeconds(10);

  final ManualClock clock = new ManualClock();
  TaskMetrics metrics;
  IdleProbes probes;
  @TempDir Path dir;

  TaskMetrics metrics(String task) {
    metrics =
        TaskMetrics.open(
            new TaskId("idle", task), "filesystem", "sqlite", 1, Duration.ofMinutes(1), clock);
    return metrics;
  }

  @AfterEach
  void stop() {
    if (probes != null) {
      probes.close();
    }
    if (metrics != null) {
      metrics.close();
    }
  }

  /** Status after the clock passed the interval and the probe it allows has been recorded. */
  private String statusAfterAProbe(BackendHealth health) throws InterruptedException {
    java.time.Instant before = health.snapshot().lastProbe();
    clock.advance(INTERVAL.toMillis());
    Poll.until(
        "a probe recorded",
        LIMIT,
        () -> {
          java.time.Instant last = health.snapshot().lastProbe();
          return last != null && !last.equals(before);
        });
    return health.snapshot().status().label();
  }

  @Test
  void anIdleFilesystemStoreWhoseDirectoryWentAwayIsUnhealthyAndHealthyOnceItIsBack()
      throws Exception {
    Path pages = dir.resolve("pages");
    ObjectStore store = new FilesystemObjectStore(pages);
    TaskMetrics task = metrics("0");
    probes = IdleProbes.start(task, store, PageIndex.none(), INTERVAL);
    BackendHealth health = task.storageRecord();
    assertThat(statusAfterAProbe(health)).isEqualTo("healthy");

    Files.delete(pages);
    assertThat(statusAfterAProbe(health)).isEqualTo("unhealthy");
    assertThat(task.storageHealth().probeFailure())
        .contains("probe of the idle object store file:" + pages)
        .contains("directory is missing");
    assertThat(task.storageHealth().failures()).as("probes are not writes").isZero();

    Files.createDirectories(pages);
    assertThat(statusAfterAProbe(health)).isEqualTo("healthy");
    assertThat(task.storageHealth().probeFailure()).isNull();
  }

  @Test
  void anIdleIndexThatFailsItsPingIsUnhealthy() throws Exception {
    TaskMetrics task = metrics("1");
    RuntimeException down = new io.prism.snapshotter.index.IndexException("redis down");
    AtomicInteger pings = new AtomicInteger();
    PageIndex index =
        new io.prism.snapshotter.index.ForwardingPageIndex(PageIndex.none()) {
          @Override
          public void ping() {
            pings.incrementAndGet();
            throw down;
          }
        };
    probes = IdleProbes.start(task, new FilesystemObjectStore(dir), index, INTERVAL);
    assertThat(statusAfterAProbe(task.indexRecord())).isEqualTo("unhealthy");
    assertThat(task.indexHealth().probeFailure()).endsWith("failed: redis down");
    assertThat(pings).hasPositiveValue();
  }

  @Test
  void aProbeThatHangsFailsAtItsTimeoutAndIsNotStartedAgainWhileItHangs() throws Exception {
    TaskMetrics task = metrics("2");
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger probesStarted = new AtomicInteger();
    ObjectStore hanging =
        new ForwardingObjectStore(new FilesystemObjectStore(dir)) {
          @Override
          public void probe() {
            probesStarted.incrementAndGet();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new StorageException("interrupted", true);
            }
          }
        };
    probes = IdleProbes.start(task, hanging, PageIndex.none(), INTERVAL);
    assertThat(statusAfterAProbe(task.storageRecord())).isEqualTo("unhealthy");
    assertThat(task.storageHealth().probeFailure()).contains("no answer in 50 ms");
    // Due again, but the hung call still runs: no second call piles up behind it. The index's
    // probe, made in the same tick right after the store's, shows that the tick has come.
    assertThat(statusAfterAProbe(task.indexRecord())).isEqualTo("healthy");
    assertThat(task.storageHealth().status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(probesStarted).hasValue(1);

    // Writes go on meanwhile (the task never waits for a probe), and one that succeeds is news.
    task.storageWrite(10, 1_000);
    assertThat(task.storageHealth().status()).isEqualTo(HealthStatus.HEALTHY);
    release.countDown();
  }

  @Test
  void zeroNeverProbesAndStartsNoThread() {
    TaskMetrics task = metrics("3");
    probes =
        IdleProbes.start(task, new FilesystemObjectStore(dir), PageIndex.none(), Duration.ZERO);
    assertThat(Thread.getAllStackTraces().keySet())
        .extracting(Thread::getName)
        .noneMatch(name -> name.startsWith("prism-health-probe-idle-3"));
    // A probing task's timer thread exists from the start: the check above can see one.
    probes.close();
    probes = IdleProbes.start(task, new FilesystemObjectStore(dir), PageIndex.none(), INTERVAL);
    assertThat(Thread.getAllStackTraces().keySet())
        .extracting(Thread::getName)
        .contains("prism-health-probe-idle-3-timer");
  }
}
