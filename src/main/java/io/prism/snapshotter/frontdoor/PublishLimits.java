package io.prism.snapshotter.frontdoor;

/**
 * The size limits a single request must respect; each breach is an {@code INVALID_ARGUMENT} naming
 * the field. Sizes are UTF-8 bytes for strings and raw bytes for the payload.
 */
public record PublishLimits(
    int maxWriterIdBytes,
    int maxPayloadBytes,
    int maxAttributes,
    int maxAttributeKeyBytes,
    int maxAttributeValueBytes,
    int maxBatchEvents) {

  public static final PublishLimits DEFAULTS =
      new PublishLimits(1024, 1024 * 1024, 64, 256, 4096, 1000);

  public PublishLimits {
    requirePositive("maxWriterIdBytes", maxWriterIdBytes);
    requirePositive("maxPayloadBytes", maxPayloadBytes);
    requirePositive("maxAttributes", maxAttributes);
    requirePositive("maxAttributeKeyBytes", maxAttributeKeyBytes);
    requirePositive("maxAttributeValueBytes", maxAttributeValueBytes);
    requirePositive("maxBatchEvents", maxBatchEvents);
  }

  /** Record overhead beyond key, value and header bytes, with room to spare (Kafka's v2 format). */
  private static final long RECORD_OVERHEAD_BYTES = 1024;

  /** The front door's own headers (event id, session end), names and values. */
  private static final long OWN_HEADERS_BYTES = 256;

  /**
   * The largest Kafka record one valid event makes: payload, writer id (the key), every attribute
   * at its largest (a header each), the front door's own headers, the record's overhead. What the
   * producer's {@code max.request.size} must allow.
   */
  public long largestRecordBytes() {
    return (long) maxPayloadBytes
        + maxWriterIdBytes
        + (long) maxAttributes * (maxAttributeKeyBytes + maxAttributeValueBytes + 16)
        + OWN_HEADERS_BYTES
        + RECORD_OVERHEAD_BYTES;
  }

  private static void requirePositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }
}
