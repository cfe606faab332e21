package io.prism.snapshotter.metrics;

import static io.prism.snapshotter.index.PageIndexContract.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.index.FanOutPageIndex;
import io.prism.snapshotter.index.ForwardingPageIndex;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.IndexException;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.PublishMode;
import io.prism.snapshotter.index.PublishPath;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.testing.ManualClock;
import io.prism.snapshotter.testing.Poll;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Index metrics with publishes behind queues (async mode, secondaries), wired as the sink task
 * wires them: errors, latency, health and the queue gauge are those of the background publishes.
 */
class BackgroundIndexMetricsTest {
  static final Duration PATIENCE = Duration.ofSeconds(20);

  @TempDir Path dir;
  final String connector = "background-" + System.nanoTime();
  final TaskMetrics metrics =
      TaskMetrics.open(
          new TaskId(connector, "0"),
          "filesystem",
          "sqlite",
          3,
          Duration.ofSeconds(60),
          new ManualClock());
  GatedPageIndex gate;

  @AfterEach
  void close() {
    metrics.close();
  }

  /** The configured index opened as the task opens it, its primary behind a test gate. */
  private PageIndex open(PublishMode mode) {
    IndexConfig config =
        new IndexConfig(Map.of("index.sqlite.path", dir.resolve("index.db").toString()));
    PageIndex index =
        config.open(
            mode,
            (part, path) -> {
              boolean primary =
                  path
                      == (mode == PublishMode.ASYNC
                          ? PublishPath.BACKGROUND_TO_PRIMARY
                          : PublishPath.TASK_TO_INDEX);
              return MeteredPageIndex.decorator(metrics)
                  .decorate(primary ? gate = new GatedPageIndex(part) : part, path);
            });
    metrics.watchIndexQueue(index::queuedEntries);
    return index;
  }

  /**
   * A background publish that fails with an Error (a client class that fails to load) is a failed
   * publish to the metrics too: counted, and the index unhealthy. It went uncounted (only
   * RuntimeExceptions were), so health stayed as it was while nothing reached the index.
   */
  @Test
  void anErrorBehindTheQueueCountsAsABackgroundErrorAndMakesTheIndexUnhealthy() throws Exception {
    IndexConfig config =
        new IndexConfig(Map.of("index.sqlite.path", dir.resolve("index.db").toString()));
    try (PageIndex index =
        config.open(
            PublishMode.ASYNC,
            (part, path) ->
                MeteredPageIndex.decorator(metrics)
                    .decorate(
                        path == PublishPath.BACKGROUND_TO_PRIMARY
                            ? new ForwardingPageIndex(part) {
                              @Override
                              public void publish(List<IndexEntry> entries) {
                                throw new NoClassDefFoundError("com/example/LazyCodec (test)");
                              }
                            }
                            : part,
                        path))) {
      index.publish(List.of(entry("w", 1, 1_000, 2_000)));

      Poll.until(
          "3 failed background publishes",
          PATIENCE,
          () -> metrics.indexBackgroundPublishErrorsTotal() >= 3);
      assertThat(metrics.indexHealth().status()).isEqualTo(HealthStatus.UNHEALTHY);
    }
  }

  @Test
  void asyncFailuresBehindTheQueueCountAsBackgroundErrorsAndMakeTheIndexUnhealthy()
      throws Exception {
    try (PageIndex index = open(PublishMode.ASYNC)) {
      gate.down = true;
      index.publish(List.of(entry("w", 1, 1_000, 2_000))); // queued: the task sees no error

      Poll.until(
          "3 failed background publishes",
          PATIENCE,
          () -> metrics.indexBackgroundPublishErrorsTotal() >= 3);
      assertThat(metrics.indexPublishErrorsTotal())
          .as("the task's own publish was queued fine")
          .isZero();
      assertThat(metrics.indexHealth().status()).isEqualTo(HealthStatus.UNHEALTHY);
      assertThat(metrics.indexHealth().lastSuccess()).as("an enqueue is not a publish").isNull();
      assertThat(metrics.indexQueueEntries()).isEqualTo(1);
      String scrape = scrape();
      assertThat(value(scrape, "snapshotter_index_background_publish_errors_total"))
          .isGreaterThanOrEqualTo(3);
      assertThat(value(scrape, "snapshotter_index_publish_errors_total")).isZero();
      assertThat(value(scrape, "snapshotter_index_publish_queue_entries")).isEqualTo(1);
      assertThat(HealthEndpoint.INDEX.report(List.of(metrics), new ManualClock()).fields())
          .containsEntry("status", "unhealthy")
          .containsEntry("publish_queue_entries", 1L);

      gate.down = false;
      Poll.until("the queue drained", PATIENCE, () -> metrics.indexQueueEntries() == 0);
      assertThat(metrics.indexHealth().status()).isEqualTo(HealthStatus.HEALTHY);
      assertThat(metrics.indexHealth().items()).isEqualTo(1);
      assertThat(value(scrape(), "snapshotter_index_publish_queue_entries")).isZero();
    }
  }

  @Test
  void asyncQueueGaugeShowsEntriesWaitingForABlockedIndexAndLatencyTimesTheIndexCall()
      throws Exception {
    try (PageIndex index = open(PublishMode.ASYNC)) {
      gate.hold();
      for (int i = 0; i < 3; i++) {
        index.publish(List.of(entry("w", i, 1_000 + i, 2_000 + i)));
      }
      Poll.until("the queue's thread is in the index", PATIENCE, gate::entered);
      assertThat(metrics.indexQueueEntries()).isEqualTo(3);
      assertThat(value(scrape(), "snapshotter_index_publish_queue_entries")).isEqualTo(3);
      assertThat(metrics.indexHealth().successes()).as("enqueues are not publishes").isZero();

      Thread.sleep(200); // how long the index takes: the latency must include it
      gate.release();
      Poll.until("the queue drained", PATIENCE, () -> metrics.indexQueueEntries() == 0);
      BackendHealth.Snapshot health = metrics.indexHealth();
      assertThat(health.items()).isEqualTo(3);
      assertThat(Duration.ofNanos(health.latencyNanos()))
          .isGreaterThanOrEqualTo(Duration.ofMillis(200));
      assertThat(metrics.indexBackgroundPublishErrorsTotal()).isZero();
      assertThat(value(scrape(), "snapshotter_index_publish_queue_entries")).isZero();
    }
  }

  @Test
  void syncFailuresAreTheTasksOwnPublishErrors() {
    try (PageIndex index = open(PublishMode.SYNC)) {
      gate.down = true;
      assertThatThrownBy(() -> index.publish(List.of(entry("w", 1, 1_000, 2_000))))
          .isInstanceOf(IndexException.class);
      assertThat(metrics.indexPublishErrorsTotal()).isEqualTo(1);
      assertThat(metrics.indexBackgroundPublishErrorsTotal()).isZero();
      assertThat(metrics.indexHealth().status()).isEqualTo(HealthStatus.DEGRADED);
      assertThat(metrics.indexQueueEntries()).isZero();
    }
  }

  @Test
  void aFailingSecondaryCountsBackgroundErrorsAndQueuedEntriesButLeavesThePrimaryHealthy()
      throws Exception {
    // As IndexConfig wires a primary with a secondary in sync mode (it cannot open a second
    // backend here without a server).
    GatedPageIndex secondary =
        new GatedPageIndex(SqlitePageIndex.open(dir.resolve("secondary.db")));
    FanOutPageIndex fanOut =
        new FanOutPageIndex(
            SqlitePageIndex.open(dir.resolve("primary.db")),
            List.of(new MeteredPageIndex(secondary, metrics, PublishPath.BACKGROUND_TO_SECONDARY)),
            1_000);
    try (PageIndex index = new MeteredPageIndex(fanOut, metrics, PublishPath.TASK_TO_INDEX)) {
      metrics.watchIndexQueue(index::queuedEntries);
      secondary.down = true;
      index.publish(List.of(entry("w", 1, 1_000, 2_000)));
      index.publish(List.of(entry("w", 2, 3_000, 4_000)));

      Poll.until(
          "a failed publish to the secondary",
          PATIENCE,
          () -> metrics.indexBackgroundPublishErrorsTotal() >= 1);
      assertThat(metrics.indexQueueEntries()).isEqualTo(2);
      assertThat(metrics.indexPublishErrorsTotal()).isZero();
      assertThat(metrics.indexHealth().status())
          .as("health is the primary's")
          .isEqualTo(HealthStatus.HEALTHY);
      assertThat(metrics.indexHealth().items()).isEqualTo(2);

      secondary.down = false;
      Poll.until("the secondary's queue drained", PATIENCE, () -> metrics.indexQueueEntries() == 0);
      assertThat(metrics.indexHealth().items())
          .as("secondaries' publishes are not the index's")
          .isEqualTo(2);
    }
  }

  @Test
  void entriesASecondarysFullQueueRefusesAreCountedAsDropped() throws Exception {
    GatedPageIndex secondary =
        new GatedPageIndex(SqlitePageIndex.open(dir.resolve("secondary.db")));
    FanOutPageIndex fanOut =
        new FanOutPageIndex(
            SqlitePageIndex.open(dir.resolve("primary.db")),
            List.of(new MeteredPageIndex(secondary, metrics, PublishPath.BACKGROUND_TO_SECONDARY)),
            1);
    try (PageIndex index = new MeteredPageIndex(fanOut, metrics, PublishPath.TASK_TO_INDEX)) {
      metrics.watchIndexQueue(index::queuedEntries);
      metrics.watchIndexDrops(index::droppedEntries);
      secondary.down = true;
      index.publish(
          List.of(
              entry("w", 1, 1_000, 2_000),
              entry("w", 2, 3_000, 4_000),
              entry("w", 3, 5_000, 6_000)));

      assertThat(metrics.indexDroppedEntriesTotal()).isEqualTo(2);
      assertThat(value(scrape(), "snapshotter_index_dropped_entries_total")).isEqualTo(2);
      assertThat(metrics.indexPublishErrorsTotal()).as("the primary took them all").isZero();
      secondary.down = false;
      Poll.until("the secondary's queue drained", PATIENCE, () -> metrics.indexQueueEntries() == 0);
      assertThat(value(scrape(), "snapshotter_index_dropped_entries_total")).isEqualTo(2);
    }
  }

  private String scrape() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, SnapshotterMetrics.REGISTRY.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The value of this test task's series of {@code name}. */
  private double value(String scrape, String name) {
    String series = name + "{connector=\"" + connector + "\",task=\"0\"} ";
    return scrape
        .lines()
        .filter(line -> line.startsWith(series))
        .mapToDouble(line -> Double.parseDouble(line.substring(series.length())))
        .findFirst()
        .orElseThrow(() -> new AssertionError(series + "not in the scrape:\n" + scrape));
  }

  @Test
  void entriesGivenUpWhenTheIndexClosedAtStopShowInTheTasksNextRun() throws Exception {
    // The task closes its index (the queues give up what they still hold) and then its metrics,
    // whose series go: the count would show nowhere.
    AtomicLong dropped = new AtomicLong();
    metrics.watchIndexDrops(dropped::get);
    dropped.set(3); // the index closed with 3 entries still queued
    metrics.close();

    TaskMetrics nextRun =
        TaskMetrics.open(
            new TaskId(connector, "0"),
            "filesystem",
            "sqlite",
            3,
            Duration.ofSeconds(60),
            new ManualClock());
    try {
      assertThat(nextRun.indexDroppedEntriesTotal()).isEqualTo(3);
      assertThat(value(scrape(), "snapshotter_index_dropped_entries_total")).isEqualTo(3);
      nextRun.watchIndexDrops(() -> 2); // its own index's, after a full secondary queue
      assertThat(value(scrape(), "snapshotter_index_dropped_entries_total")).isEqualTo(5);
    } finally {
      nextRun.close();
    }
  }
}
