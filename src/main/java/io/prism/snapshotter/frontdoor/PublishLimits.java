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

  private static void requirePositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }
}
