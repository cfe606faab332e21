package io.prism.snapshotter.storage;

/**
 * What a successful put stored.
 *
 * @param etag the store's entity tag, without surrounding quotes (opaque: an MD5 for single-part S3
 *     and filesystem objects, something else for multipart uploads)
 * @param size bytes stored
 * @param versionId the object version when the bucket is versioned, otherwise {@code null}
 */
public record PutResult(String etag, long size, String versionId) {}
