package io.prism.snapshotter.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;

/**
 * The front door's calls by method and final status: {@code snapshotter_frontdoor_requests_total}.
 * Both labels are closed sets (the service's methods, gRPC's status codes), so the series stay few.
 * And the state of its Kafka producer (usable, replacements) and of its Kafka check (usable).
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

  private static final Gauge PRODUCER_USABLE =
      Gauge.builder()
          .name("snapshotter_frontdoor_producer_usable")
          .help(
              "1 while the front door serves (health SERVING); 0 before Kafka answered it at start,"
                  + " while it replaces a producer that broke, while the replacement is on trial, and"
                  + " while Kafka has not answered it for frontdoor.kafka.unanswered.max.ms.")
          .register(SnapshotterMetrics.REGISTRY);

  private static final Counter PRODUCER_REPLACEMENTS =
      Counter.builder()
          .name("snapshotter_frontdoor_producer_replacements")
          .help(
              "Kafka producers the front door put in use in place of one that broke, counted once"
                  + " they proved themselves.")
          .withoutExemplars()
          .register(SnapshotterMetrics.REGISTRY);

  private static final Gauge KAFKA_CHECK_USABLE =
      Gauge.builder()
          .name("snapshotter_frontdoor_kafka_check_usable")
          .help(
              "1 while the front door can ask Kafka its check (an admin client with the producer's"
                  + " settings); 0 while that client cannot be made: then Kafka-silence detection"
                  + " (frontdoor.kafka.unanswered.max.ms) is off and Write on the topic is not checked.")
          .register(SnapshotterMetrics.REGISTRY);

  private FrontDoorMetrics() {}

  /** Whether the front door's Kafka check can ask Kafka (its admin client could be made). */
  public static void kafkaCheckUsable(boolean usable) {
    KAFKA_CHECK_USABLE.set(usable ? 1 : 0);
  }

  /** The value of {@code snapshotter_frontdoor_kafka_check_usable}, for tests. */
  public static double kafkaCheckUsable() {
    return KAFKA_CHECK_USABLE.get();
  }

  /** Whether the front door serves (its gRPC health says SERVING). */
  public static void producerUsable(boolean usable) {
    PRODUCER_USABLE.set(usable ? 1 : 0);
  }

  /** A new Kafka producer replaced a broken one. */
  public static void producerReplaced() {
    PRODUCER_REPLACEMENTS.inc();
  }

  /** A call of {@code method} ended with {@code status}. */
  public static void requestEnded(String method, String status) {
    REQUESTS.labelValues(method, status).inc();
  }

  /** How many calls of {@code method} ended with {@code status}, for tests and health. */
  public static long requests(String method, String status) {
    return REQUESTS.labelValues(method, status).getLongValue();
  }
}
