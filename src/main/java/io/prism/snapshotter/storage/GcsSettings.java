package io.prism.snapshotter.storage;

import io.prism.snapshotter.util.TlsCaFile;
import java.net.URI;
import java.nio.file.Path;

/**
 * Everything the Google Cloud Storage backend needs, as typed values.
 *
 * @param bucket the bucket pages go to (it must exist)
 * @param projectId the project to bill and resolve against, or {@code null} for the credentials'
 *     own
 * @param credentialsFile a service-account JSON key file, or {@code null} for Application Default
 *     Credentials ({@code GOOGLE_APPLICATION_CREDENTIALS}, gcloud's login, the metadata server)
 * @param endpoint another JSON API endpoint (an emulator), or {@code null} for Google's; with an
 *     endpoint and no key file, requests go unauthenticated, as emulators expect
 * @param chunkSizeBytes objects larger than this go up as a resumable upload in chunks of this size
 *     (a multiple of 256 KiB); smaller ones in one request
 * @param tlsCa the CAs an https endpoint's certificate must be signed by, or {@code null} for the
 *     JVM's trust store. Only for the storage endpoint: the credentials' token requests (OAuth2, to
 *     Google) still use the JVM's trust store
 */
public record GcsSettings(
    String bucket,
    String projectId,
    Path credentialsFile,
    URI endpoint,
    long chunkSizeBytes,
    TlsCaFile tlsCa) {

  /** The setting that names {@link #tlsCa}: error messages point at it. */
  public static final String TLS_CA_SETTING = "storage.gcs.tls.ca.file";

  /** Resumable upload chunks must be multiples of this (the JSON API's rule). */
  public static final long CHUNK_GRANULE_BYTES = 256L * 1024;

  public static final long MIN_CHUNK_SIZE_BYTES = 4 * CHUNK_GRANULE_BYTES;

  /**
   * Chunks are held in memory while they upload, so they stay well below what one request may
   * carry.
   */
  public static final long MAX_CHUNK_SIZE_BYTES = 1024L * 1024 * 1024;

  public static final long DEFAULT_CHUNK_SIZE_BYTES = 8L * 1024 * 1024;

  public GcsSettings {
    if (bucket == null || bucket.isBlank()) {
      throw new IllegalArgumentException("a GCS bucket is required");
    }
    if (chunkSizeBytes < MIN_CHUNK_SIZE_BYTES
        || chunkSizeBytes > MAX_CHUNK_SIZE_BYTES
        || chunkSizeBytes % CHUNK_GRANULE_BYTES != 0) {
      throw new IllegalArgumentException(
          "chunk size must be a multiple of "
              + CHUNK_GRANULE_BYTES
              + " bytes between "
              + MIN_CHUNK_SIZE_BYTES
              + " and "
              + MAX_CHUNK_SIZE_BYTES
              + ": "
              + chunkSizeBytes);
    }
    if (tlsCa != null) {
      tlsCa.requireHttps(endpoint);
    }
  }

  /** Settings for a bucket with Application Default Credentials and Google's endpoint. */
  public static GcsSettings forBucket(String bucket) {
    return new GcsSettings(bucket, null, null, null, DEFAULT_CHUNK_SIZE_BYTES, null);
  }

  public GcsSettings withEndpoint(URI endpoint) {
    return new GcsSettings(bucket, projectId, credentialsFile, endpoint, chunkSizeBytes, tlsCa);
  }

  public GcsSettings withProjectId(String projectId) {
    return new GcsSettings(bucket, projectId, credentialsFile, endpoint, chunkSizeBytes, tlsCa);
  }

  public GcsSettings withCredentialsFile(Path credentialsFile) {
    return new GcsSettings(bucket, projectId, credentialsFile, endpoint, chunkSizeBytes, tlsCa);
  }

  public GcsSettings withChunkSizeBytes(long chunkSizeBytes) {
    return new GcsSettings(bucket, projectId, credentialsFile, endpoint, chunkSizeBytes, tlsCa);
  }

  /** Trusts the CAs of {@code tlsCa} (null: the JVM's trust store) for an https endpoint. */
  public GcsSettings withTlsCa(TlsCaFile tlsCa) {
    return new GcsSettings(bucket, projectId, credentialsFile, endpoint, chunkSizeBytes, tlsCa);
  }

  /** Where objects go, for messages: {@code gs://bucket}, plus the endpoint when overridden. */
  public String describe() {
    return "gs://" + bucket + (endpoint == null ? "" : " at " + endpoint);
  }
}
