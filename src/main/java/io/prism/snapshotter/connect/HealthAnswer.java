package io.prism.snapshotter.connect;

import io.prism.snapshotter.metrics.HealthEndpoint;
import java.time.Clock;

/**
 * What {@code GET /prism/health/<check>} answers, whichever JAX-RS API the worker's REST server
 * speaks (jakarta from Kafka 4.0, javax before).
 */
record HealthAnswer(int httpStatus, String json) {
  static HealthAnswer of(String check, Clock clock) {
    for (HealthEndpoint endpoint : HealthEndpoint.values()) {
      if (endpoint.path().equals(check)) {
        HealthEndpoint.Report report = endpoint.report(clock);
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
