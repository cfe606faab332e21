package io.prism.snapshotter.metrics;

import io.prometheus.metrics.core.metrics.Counter;

/**
 * The front door's calls by method and final status: {@code snapshotter_frontdoor_requests_total}.
 * Both labels are closed sets (the service's methods, gRPC's status codes), so the series stay few.
 */
public final class FrontDoorMetrics {
  private static final Counter REQUESTS =
      Counter.builder()
          .name("snapshotter_frontdoor_requests")
          .help(
              "Front door calls by gRPC method and final status (OK, INVALID_ARGUMENT, UNAVAILABLE, ...).")
          .labelNames("method", "status")
          .withoutExemplars()
          .register(SnapshotterMetrics.REGISTRY);

  private FrontDoorMetrics() {}

  /** A call of {@code method} ended with {@code status}. */
  public static void requestEnded(String method, String status) {
    REQUESTS.labelValues(method, status).inc();
  }

  /** How many calls of {@code method} ended with {@code status}, for tests and health. */
  public static long requests(String method, String status) {
    return REQUESTS.labelValues(method, status).getLongValue();
  }
}
