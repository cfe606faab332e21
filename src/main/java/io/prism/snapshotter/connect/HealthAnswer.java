package io.prism.snapshotter.connect;

import io.prism.snapshotter.metrics.HealthEndpoint;
import java.time.Clock;

/**
 * What {@code GET /prism/health/<check>} answers, whichever JAX-RS API the worker's REST server
 * speaks (jakarta from Kafka 4.0, javax before): the check over this worker's tasks, made worse by
 * what the cluster expects of the snapshotter connectors ({@link ConnectorTasksCheck}), so a worker
 * whose tasks failed or never started does not answer healthy for having nothing to report.
 */
record HealthAnswer(int httpStatus, String json) {
  static HealthAnswer of(String check, Clock clock, ConnectorTasksCheck tasks) {
    for (HealthEndpoint endpoint : HealthEndpoint.values()) {
      if (endpoint.path().equals(check)) {
        TasksVerdict verdict = tasks.check();
        HealthEndpoint.Report report =
            endpoint.report(clock).with(verdict.status(), verdict.fields());
        return new HealthAnswer(report.httpStatus(), report.json());
      }
    }
    return new HealthAnswer(
        404,
        "{\"error\":\"no health check named "
            + check.replaceAll("[^a-z_-]", "?")
            + "; try buffers, storage, index\"}");
  }
}
