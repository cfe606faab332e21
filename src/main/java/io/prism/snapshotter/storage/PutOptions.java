package io.prism.snapshotter.storage;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to store an object.
 *
 * @param contentType MIME type stored with the object ({@value #DEFAULT_CONTENT_TYPE} unless given)
 * @param userMetadata small string pairs stored with the object and returned by {@link
 *     ObjectStore#head}; names are lower-case ASCII letters, digits, {@code -} and {@code _},
 *     values printable ASCII, at most {@value #MAX_METADATA_BYTES} bytes in all (what S3 keeps
 *     intact; encode other text, e.g. with {@link WriterIds#encode})
 * @param createOnly refuse to overwrite an existing key ({@link ObjectAlreadyExistsException});
 *     atomic on every backend, so two writers racing for one key cannot both win
 */
public record PutOptions(String contentType, Map<String, String> userMetadata, boolean createOnly) {

  public static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

  /** S3's limit on the user metadata of one object (names plus values). */
  public static final int MAX_METADATA_BYTES = 2048;

  public PutOptions {
    contentType = contentType == null || contentType.isBlank() ? DEFAULT_CONTENT_TYPE : contentType;
    userMetadata = userMetadata == null ? Map.of() : Map.copyOf(userMetadata);
    userMetadata.forEach(PutOptions::checkMetadata);
    int total =
        userMetadata.entrySet().stream()
            .mapToInt(e -> e.getKey().length() + e.getValue().length())
            .sum();
    if (total > MAX_METADATA_BYTES) {
      throw new IllegalArgumentException(
          "user metadata is " + total + " bytes; at most " + MAX_METADATA_BYTES + " are allowed");
    }
  }

  /** Overwrite allowed, default content type, no metadata. */
  public static PutOptions defaults() {
    return builder().build();
  }

  /** Refuse to overwrite, default content type, no metadata. */
  public static PutOptions ifAbsent() {
    return builder().createOnly(true).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  private static void checkMetadata(String name, String value) {
    // S3 lower-cases metadata names and refuses most punctuation; the filesystem store keeps
    // anything.
    // Accepting only what survives S3 unchanged keeps the two backends returning the same map.
    if (name == null || name.isEmpty() || !name.chars().allMatch(PutOptions::isMetadataNameChar)) {
      throw new IllegalArgumentException(
          "user metadata name '" + name + "' must be non-empty and use only a-z, 0-9, '-' and '_'");
    }
    // S3 carries metadata in HTTP headers, which only keep printable US-ASCII intact.
    if (value == null || !value.chars().allMatch(c -> c >= 0x20 && c <= 0x7E)) {
      throw new IllegalArgumentException(
          "user metadata '"
              + name
              + "' must have a printable ASCII value, not '"
              + ObjectKeys.printable(value)
              + "'");
    }
  }

  private static boolean isMetadataNameChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  }

  public static final class Builder {
    private String contentType;
    private final Map<String, String> userMetadata = new LinkedHashMap<>();
    private boolean createOnly;

    private Builder() {}

    public Builder contentType(String contentType) {
      this.contentType = contentType;
      return this;
    }

    public Builder userMetadata(Map<String, String> metadata) {
      userMetadata.putAll(metadata);
      return this;
    }

    public Builder metadata(String name, String value) {
      userMetadata.put(name, Objects.requireNonNull(value, "value"));
      return this;
    }

    public Builder createOnly(boolean createOnly) {
      this.createOnly = createOnly;
      return this;
    }

    public PutOptions build() {
      return new PutOptions(contentType, userMetadata, createOnly);
    }
  }
}
