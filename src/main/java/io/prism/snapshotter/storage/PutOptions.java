package io.prism.snapshotter.storage;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to store an object.
 *
 * @param contentType  MIME type stored with the object ({@value #DEFAULT_CONTENT_TYPE} unless given)
 * @param userMetadata small string pairs stored with the object and returned by {@link ObjectStore#head};
 *                     names are lower-case ASCII letters, digits, {@code -} and {@code _} (what S3 keeps intact)
 * @param createOnly   refuse to overwrite an existing key ({@link ObjectAlreadyExistsException}); atomic on
 *                     every backend, so two writers racing for one key cannot both win
 */
public record PutOptions(String contentType, Map<String, String> userMetadata, boolean createOnly) {

    public static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

    public PutOptions {
        contentType = contentType == null || contentType.isBlank() ? DEFAULT_CONTENT_TYPE : contentType;
        userMetadata = userMetadata == null ? Map.of() : Map.copyOf(userMetadata);
        userMetadata.keySet().forEach(PutOptions::checkMetadataName);
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

    private static void checkMetadataName(String name) {
        // S3 lower-cases metadata names and refuses most punctuation; the filesystem store keeps anything.
        // Accepting only what survives S3 unchanged keeps the two backends returning the same map.
        if (name == null || name.isEmpty() || !name.chars().allMatch(PutOptions::isMetadataNameChar)) {
            throw new IllegalArgumentException("user metadata name '" + name
                    + "' must be non-empty and use only a-z, 0-9, '-' and '_'");
        }
    }

    private static boolean isMetadataNameChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    public static final class Builder {
        private String contentType;
        private final Map<String, String> userMetadata = new LinkedHashMap<>();
        private boolean createOnly;

        private Builder() {
        }

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
