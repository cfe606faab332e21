package io.prism.snapshotter.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.index.PageIndexContract;
import io.prism.snapshotter.index.PublishPath;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.ObjectAlreadyExistsException;
import io.prism.snapshotter.storage.PutOptions;
import io.prism.snapshotter.testing.ManualClock;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metered store and index over real backends: what counts as a success, an error, or neither.
 */
class MeteredBackendsTest {
  @TempDir Path dir;
  final TaskMetrics metrics =
      TaskMetrics.open(
          new TaskId("metered-" + System.nanoTime(), "0"),
          "filesystem",
          "sqlite",
          3,
          Duration.ofSeconds(60),
          new ManualClock());

  @AfterEach
  void close() {
    metrics.close();
  }

  @Test
  void storeWritesCountTheirBytesAnExistingKeyIsNoErrorAndAFailureIs() throws Exception {
    MeteredObjectStore store =
        new MeteredObjectStore(new FilesystemObjectStore(dir.resolve("pages")), metrics);
    byte[] page = new byte[1234];
    store.put("a/page", new ByteArrayInputStream(page), page.length, PutOptions.ifAbsent());
    assertThat(metrics.storedBytes()).isEqualTo(1234);
    assertThat(metrics.pageSizeCount()).isEqualTo(1);
    assertThat(metrics.pageSizeBytesSum()).isEqualTo(1234);

    assertThatThrownBy(
            () ->
                store.put(
                    "a/page", new ByteArrayInputStream(page), page.length, PutOptions.ifAbsent()))
        .isInstanceOf(ObjectAlreadyExistsException.class);
    assertThat(metrics.storageErrorsTotal()).isZero();
    assertThat(metrics.storageHealth().status()).isEqualTo(HealthStatus.HEALTHY);

    // A key under a regular file: the filesystem refuses it.
    Files.writeString(dir.resolve("pages/blocker"), "x");
    assertThatThrownBy(
            () ->
                store.put(
                    "blocker/page",
                    new ByteArrayInputStream(page),
                    page.length,
                    PutOptions.ifAbsent()))
        .isInstanceOf(RuntimeException.class);
    assertThat(metrics.storageErrorsTotal()).isEqualTo(1);
    BackendHealth.Snapshot health = metrics.storageHealth();
    assertThat(health.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(health.successRate()).isEqualTo(0.5);
    assertThat(health.backend()).isEqualTo("filesystem");
  }

  @Test
  void indexPublishesCountTheirEntriesAndFailuresCountAsPublishErrors() {
    SqlitePageIndex sqlite = SqlitePageIndex.open(dir.resolve("index.db"));
    MeteredPageIndex index = new MeteredPageIndex(sqlite, metrics, PublishPath.TASK_TO_INDEX);
    index.publish(
        List.of(
            PageIndexContract.entry("w", 1, 1_000, 2_000),
            PageIndexContract.entry("w", 2, 3_000, 4_000)));
    assertThat(metrics.indexHealth().items()).isEqualTo(2);
    assertThat(metrics.indexPublishErrorsTotal()).isZero();

    sqlite.close();
    assertThatThrownBy(() -> index.publish(List.of(PageIndexContract.entry("w", 3, 5_000, 6_000))))
        .isInstanceOf(RuntimeException.class);
    assertThat(metrics.indexPublishErrorsTotal()).isEqualTo(1);
    assertThat(metrics.indexHealth().status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(metrics.indexHealth().items()).isEqualTo(2);
  }
}
