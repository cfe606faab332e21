package io.prism.snapshotter.connect;

import io.prism.snapshotter.metrics.HealthEndpoint;
import java.time.Clock;

/**
 * What {@code GET /prism/health/<check>[?scope=worker|cluster]} answers, whichever JAX-RS API the
 * worker's REST server speaks (jakarta from Kafka 4.0, javax before): the check over this worker's
 * tasks, made worse by what the snapshotter connectors lack ({@link ConnectorTasksCheck}) on this
 * worker (the default, for readiness probes) or anywhere in the cluster ({@code scope=cluster}, for
 * alerts), so a worker whose tasks failed or never started does not answer healthy for having
 * nothing to report.
 */
record HealthAnswer(int httpStatus, String json) {
  static HealthAnswer of(
      String check, String scope, int requestPort, Clock clock, TasksHealth tasks) {
    boolean wholeCluster;
    if (scope == null || scope.equals("worker")) {
      wholeCluster = false;
    } else if (scope.equals("cluster")) {
      wholeCluster = true;
    } else {
      return new HealthAnswer(
          400,
          "{\"error\":\"scope '"
              + scope.replaceAll("[^a-zA-Z0-9_-]", "?")
              + "' is neither worker (this worker's tasks, the default) nor cluster (every"
              + " worker's)\"}");
    }
    for (HealthEndpoint endpoint : HealthEndpoint.values()) {
      if (endpoint.path().equals(check)) {
        TasksVerdict verdict = tasks.verdict(wholeCluster, requestPort);
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
