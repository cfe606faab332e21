package io.prism.snapshotter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.testing.ManualClock;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Duration;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * A task started again under the same id while the earlier one has not closed yet (Connect starts
 * the new one when the old one's stop outlasts task.shutdown.graceful.timeout.ms, e.g. while it
 * stores its buffers): the new task's series are what /metrics serves, also after the old one's
 * late close.
 */
class TaskMetricsReplacementTest {
  private final TaskId id = new TaskId("replaced-" + System.nanoTime(), "0");

  private TaskMetrics open() {
    return TaskMetrics.open(
        id, "filesystem", "sqlite", 3, Duration.ofSeconds(60), new ManualClock());
  }

  /** The scraped value of {@code snapshotter_records_in_total} for {@link #id}, if served. */
  private OptionalDouble scrapedRecordsIn() {
    for (MetricSnapshot snapshot : SnapshotterMetrics.REGISTRY.scrape()) {
      if (snapshot instanceof CounterSnapshot counter
          && counter.getMetadata().getName().equals("snapshotter_records_in")) {
        for (CounterSnapshot.CounterDataPointSnapshot point : counter.getDataPoints()) {
          if (id.connector().equals(point.getLabels().get(SnapshotterMetrics.CONNECTOR))
              && id.task().equals(point.getLabels().get(SnapshotterMetrics.TASK))) {
            return OptionalDouble.of(point.getValue());
          }
        }
      }
    }
    return OptionalDouble.empty();
  }

  @Test
  void theNewTasksCountsAreServedWhileAndAfterTheOldOneCloses() {
    TaskMetrics old = open();
    old.recordsIn(2);
    TaskMetrics replacement = open();
    try {
      replacement.recordsIn(5);
      assertThat(scrapedRecordsIn()).as("served while the old task still runs").isPresent();
      assertThat(scrapedRecordsIn().getAsDouble()).isEqualTo(replacement.recordsInTotal());

      old.close();
      replacement.recordsIn(1);
      assertThat(scrapedRecordsIn()).as("served after the old task closed").isPresent();
      assertThat(scrapedRecordsIn().getAsDouble()).isEqualTo(replacement.recordsInTotal());
      assertThat(SnapshotterMetrics.liveTasks()).contains(replacement).doesNotContain(old);
    } finally {
      replacement.close();
    }
    assertThat(scrapedRecordsIn()).as("gone once the live task closed").isEmpty();
  }
}
