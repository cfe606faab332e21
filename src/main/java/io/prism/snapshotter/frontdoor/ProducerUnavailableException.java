package io.prism.snapshotter.frontdoor;

/**
 * No Kafka producer to send with: the front door has not reached Kafka yet since it started, or the
 * last producer broke and its replacement is not ready yet. The event was not handed to Kafka, so
 * it is not stored; {@link KafkaFailures} answers {@code UNAVAILABLE}, which clients retry.
 */
final class ProducerUnavailableException extends RuntimeException {
  /**
   * @param why what the front door waits for, ending with "this event was not sent: retry with
   *     backoff"
   */
  ProducerUnavailableException(String why) {
    // Refused on the per-event path, possibly many times a second: no stack trace.
    super(why, null, false, false);
  }
}
