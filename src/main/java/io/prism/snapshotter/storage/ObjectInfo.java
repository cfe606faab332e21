package io.prism.snapshotter.storage;

import java.util.Map;
import java.util.Objects;

/**
 * Metadata of one stored object (the RFC's {@code ObjectMetadata}).
 *
 * <p>{@link ObjectStore#head} fills every field. {@link ObjectStore#list} fills {@code key}, {@code
 * size} and {@code lastModifiedMillis} only; there {@code etag} may be {@code null}, {@code
 * contentType} is {@code null} and {@code userMetadata} is empty, because S3 listings do not carry
 * them (use {@code head} for those).
 *
 * @param lastModifiedMillis last modification, milliseconds since the epoch
 */
public record ObjectInfo(
    String key,
    long size,
    long lastModifiedMillis,
    String etag,
    String contentType,
    Map<String, String> userMetadata) {

  public ObjectInfo {
    Objects.requireNonNull(key, "key");
    userMetadata = userMetadata == null ? Map.of() : Map.copyOf(userMetadata);
  }

  /** The form {@link ObjectStore#list} returns. */
  public static ObjectInfo listed(String key, long size, long lastModifiedMillis, String etag) {
    return new ObjectInfo(key, size, lastModifiedMillis, etag, null, Map.of());
  }
}
