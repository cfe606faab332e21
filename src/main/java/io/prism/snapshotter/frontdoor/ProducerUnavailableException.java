package io.prism.snapshotter.frontdoor;

/**
 * No Kafka producer to send with: the last one broke and its replacement is not ready yet. The
 * event was not handed to Kafka, so it is not stored; {@link KafkaFailures} answers {@code
 * UNAVAILABLE}, which clients retry.
 */
final class ProducerUnavailableException extends RuntimeException {
  ProducerUnavailableException(Throwable breakage) {
    super(
        "the front door's Kafka producer failed ("
            + breakage.getClass().getSimpleName()
            + ": "
            + breakage.getMessage()
            + ") and is being replaced; this event was not sent: retry with backoff",
        null,
        false,
        false); // refused on the per-event path, possibly many times a second: no stack trace
  }
}
