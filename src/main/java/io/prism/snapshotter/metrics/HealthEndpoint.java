package io.prism.snapshotter.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The RFC's three health checks, over every live task of this JVM. Served by the local run and the
 * front door ({@code /health/<name>}) and by the Connect REST extension.
 *
 * <p>Status rules: storage and index follow {@link BackendHealth} (healthy after a success,
 * degraded after 1-2 failures in a row, unhealthy after 3+, unhealthy while the probe of the idle
 * backend fails), the worst task deciding. Buffers are unhealthy while a task has partitions paused
 * for memory, degraded while buffered pages are older than {@code buffer.max.age.seconds}, else
 * healthy. An unhealthy report is served with HTTP 503.
 */
public enum HealthEndpoint {
  BUFFERS("buffers") {
    @Override
    Report report(Collection<TaskMetrics> tasks, Clock clock) {
      long now = clock.millis();
      long writers = 0;
      long events = 0;
      long bytes = 0;
      long oldestAge = 0;
      long overAge = 0;
      long paused = 0;
      for (TaskMetrics task : tasks) {
        BufferSnapshot buffers = task.buffers();
        writers += buffers.activeWriters();
        events += buffers.events();
        bytes += buffers.bytes();
        oldestAge = Math.max(oldestAge, buffers.oldestAgeMillis(task.nowMillis()));
        overAge += buffers.writersOverAgeLimit();
        paused += task.pausedPartitions();
      }
      HealthStatus status =
          paused > 0
              ? HealthStatus.UNHEALTHY
              : overAge > 0 ? HealthStatus.DEGRADED : HealthStatus.HEALTHY;
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", status.label());
      body.put("active_writers", writers);
      body.put("total_buffered_events", events);
      body.put("total_buffer_size_bytes", bytes);
      body.put("oldest_buffer_age_seconds", oldestAge / 1000);
      body.put("writers_exceeding_age_limit", overAge);
      body.put("paused_partitions", paused);
      body.put("tasks", tasks.size());
      return new Report(status, body);
    }
  },
  STORAGE("storage") {
    @Override
    Report report(Collection<TaskMetrics> tasks, Clock clock) {
      List<BackendHealth.Snapshot> parts = new ArrayList<>();
      tasks.forEach(task -> parts.add(task.storageHealth()));
      BackendHealth.Snapshot all = BackendHealth.Snapshot.merge("none", parts);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("backend", all.backend());
      body.put("status", all.status().label());
      body.put(
          "last_write_success", all.lastSuccess() == null ? null : all.lastSuccess().toString());
      body.put("write_success_rate", all.successRate());
      body.put("avg_write_latency_ms", all.avgLatencyMillis());
      body.put("writes", all.successes());
      body.put("write_failures", all.failures());
      probe(body, all);
      body.put("tasks", tasks.size());
      return new Report(all.status(), body);
    }
  },
  INDEX("index") {
    @Override
    Report report(Collection<TaskMetrics> tasks, Clock clock) {
      List<BackendHealth.Snapshot> parts = new ArrayList<>();
      long queued = 0;
      for (TaskMetrics task : tasks) {
        parts.add(task.indexHealth());
        queued += task.indexQueueEntries();
      }
      BackendHealth.Snapshot all = BackendHealth.Snapshot.merge("none", parts);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("backend", all.backend());
      body.put("status", all.status().label());
      body.put(
          "last_publish_success", all.lastSuccess() == null ? null : all.lastSuccess().toString());
      body.put("publish_success_rate", all.successRate());
      // Of the publishes to the index itself: with async publishing, the background ones.
      body.put("avg_publish_latency_ms", all.avgLatencyMillis());
      // Entries this JVM's tasks published since they started (re-publishes included), not a
      // count query against the backend.
      body.put("index_entry_count", all.items());
      body.put("publish_failures", all.failures());
      body.put("publish_queue_entries", queued);
      probe(body, all);
      body.put("tasks", tasks.size());
      return new Report(all.status(), body);
    }
  };

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String path;

  HealthEndpoint(String path) {
    this.path = path;
  }

  /** The last path segment: {@code /health/<path>}. */
  public String path() {
    return path;
  }

  abstract Report report(Collection<TaskMetrics> tasks, Clock clock);

  /** What the probes of the idle backend found ({@link IdleProbes}). */
  private static void probe(Map<String, Object> body, BackendHealth.Snapshot all) {
    body.put("last_probe", all.lastProbe() == null ? null : all.lastProbe().toString());
    body.put("probe_failure", all.probeFailure());
  }

  /** The report over every live task of this JVM. */
  public Report report(Clock clock) {
    return report(SnapshotterMetrics.liveTasks(), clock);
  }

  /** A health report: its status and its JSON fields, in the RFC's order. */
  public record Report(HealthStatus status, Map<String, Object> fields) {
    /**
     * This report with what is known beyond this JVM's tasks (e.g. the tasks a Connect cluster
     * expects): the worse of the two statuses, and {@code extra} appended to the fields.
     */
    public Report with(HealthStatus other, Map<String, Object> extra) {
      Map<String, Object> all = new LinkedHashMap<>(fields);
      all.putAll(extra);
      HealthStatus worst = status.worse(other);
      all.put("status", worst.label());
      return new Report(worst, all);
    }

    public int httpStatus() {
      return status == HealthStatus.UNHEALTHY ? 503 : 200;
    }

    public String json() {
      try {
        return JSON.writeValueAsString(fields);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot render a health report as JSON", e);
      }
    }
  }
}
