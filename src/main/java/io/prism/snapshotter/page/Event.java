package io.prism.snapshotter.page;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One event of a page: an immutable value. Its sequence within a page is its position there (from
 * 0), assigned when the page is encoded, so it is not part of the event.
 *
 * <p>Attribute order is kept (it is the order written to the page). The id and attributes must be
 * valid Unicode (no unpaired surrogates): anything else could not be written to a page and read
 * back.
 */
public final class Event {
  private static final byte[] NO_BYTES = new byte[0];

  private final String eventId;
  private final long timestampMillis;
  private final byte[] payload;
  private final Map<String, String> attributes;

  /** Copies {@code payload} and {@code attributes}; a null payload or map means empty. */
  public Event(
      String eventId, long timestampMillis, byte[] payload, Map<String, String> attributes) {
    this(
        payload == null || payload.length == 0 ? NO_BYTES : payload.clone(),
        eventId,
        timestampMillis,
        copyOf(attributes));
  }

  private Event(
      byte[] ownedPayload, String eventId, long timestampMillis, Map<String, String> attributes) {
    this.eventId = WellFormedText.check(Objects.requireNonNull(eventId, "eventId"), "eventId");
    this.timestampMillis = timestampMillis;
    this.payload = ownedPayload;
    this.attributes = attributes;
  }

  /**
   * Takes ownership of {@code payload} and {@code attributes} without copying them (for the sink's
   * and the reader's hot paths, which hand over freshly built objects). The caller must not modify
   * either afterwards.
   */
  public static Event wrap(
      String eventId, long timestampMillis, byte[] payload, Map<String, String> attributes) {
    Map<String, String> attrs =
        attributes == null || attributes.isEmpty()
            ? Map.of()
            // An AttributeMap is immutable already: no wrapper (and no wrapper per entry when
            // iterated).
            : attributes instanceof AttributeMap immutable
                ? checkEntries(immutable)
                : Collections.unmodifiableMap(checkEntries(attributes));
    return new Event(payload == null ? NO_BYTES : payload, eventId, timestampMillis, attrs);
  }

  public String eventId() {
    return eventId;
  }

  /** Milliseconds since the epoch. */
  public long timestampMillis() {
    return timestampMillis;
  }

  /** A copy of the payload. */
  public byte[] payload() {
    return payload.clone();
  }

  /** The payload as a read-only view, without copying (for replay of large pages). */
  public ByteBuffer payloadBuffer() {
    return ByteBuffer.wrap(payload).asReadOnlyBuffer();
  }

  public int payloadLength() {
    return payload.length;
  }

  /** The payload itself, for the codecs in this package: never modify it. */
  byte[] payloadArray() {
    return payload;
  }

  /** Never null; unmodifiable. */
  public Map<String, String> attributes() {
    return attributes;
  }

  private static Map<String, String> copyOf(Map<String, String> attributes) {
    if (attributes == null || attributes.isEmpty()) {
      return Map.of();
    }
    return Collections.unmodifiableMap(checkEntries(new LinkedHashMap<>(attributes)));
  }

  private static <M extends Map<String, String>> M checkEntries(M attributes) {
    // Per event on the sink's path: the messages are built only for an attribute that fails.
    for (Map.Entry<String, String> e : attributes.entrySet()) {
      String key =
          WellFormedText.check(
              Objects.requireNonNull(e.getKey(), "attribute key"), "attribute key");
      String value = e.getValue();
      if (value == null) {
        throw new NullPointerException("value of attribute " + key);
      }
      int unpaired = WellFormedText.unpairedSurrogateAt(value);
      if (unpaired >= 0) {
        throw WellFormedText.notUnicode(value, unpaired, "value of attribute " + key);
      }
    }
    return attributes;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Event other)) {
      return false;
    }
    return timestampMillis == other.timestampMillis
        && eventId.equals(other.eventId)
        && Arrays.equals(payload, other.payload)
        && attributes.equals(other.attributes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(eventId, timestampMillis, Arrays.hashCode(payload), attributes);
  }

  @Override
  public String toString() {
    return "Event{id="
        + eventId
        + ", timestamp="
        + timestampMillis
        + ", payload="
        + payload.length
        + " bytes, attributes="
        + attributes
        + "}";
  }
}
