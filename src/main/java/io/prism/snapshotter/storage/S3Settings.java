package io.prism.snapshotter.storage;

import io.prism.snapshotter.util.TlsCaFile;
import java.net.URI;
import java.util.Objects;
import org.apache.kafka.common.config.types.Password;

/**
 * Everything the S3 backend needs, as typed values.
 *
 * @param bucket the bucket (must exist)
 * @param region the region, or {@code null} for the AWS default region chain (falling back to
 *     us-east-1)
 * @param endpoint an endpoint override for MinIO, S3Proxy and other S3-compatible stores, or {@code
 *     null}
 * @param pathStyle address the bucket in the path ({@code http://host/bucket/key}) instead of the
 *     host name
 * @param accessKey a static access key id, or {@code null} for the AWS default credentials chain
 * @param secretKey the static secret (with {@code accessKey}); a {@link Password} so it never
 *     prints
 * @param sessionToken the session token of temporary credentials (with {@code accessKey} and {@code
 *     secretKey}), or {@code null} for long-term keys; a {@link Password} so it never prints
 * @param partSizeBytes objects larger than this go up in parts of this size (at least 5 MiB)
 * @param storageClass an S3 storage class name such as {@code STANDARD_IA}, or {@code null} for the
 *     bucket default
 * @param encryption server-side encryption to request
 * @param kmsKeyId the KMS key for {@link S3Encryption#AWS_KMS}, or {@code null} for the AWS-managed
 *     key
 * @param tlsCa the CAs an https endpoint's certificate must be signed by, or {@code null} for the
 *     JVM's trust store
 */
public record S3Settings(
    String bucket,
    String region,
    URI endpoint,
    boolean pathStyle,
    String accessKey,
    Password secretKey,
    Password sessionToken,
    long partSizeBytes,
    String storageClass,
    S3Encryption encryption,
    String kmsKeyId,
    TlsCaFile tlsCa) {

  /** The setting that names {@link #tlsCa}: error messages point at it. */
  public static final String TLS_CA_SETTING = "storage.s3.tls.ca.file";

  /** S3's smallest part (except the last). */
  public static final long MIN_PART_SIZE_BYTES = 5L * 1024 * 1024;

  /** Parts are held in memory while they upload, so they stay well below S3's 5 GiB maximum. */
  public static final long MAX_PART_SIZE_BYTES = 1024L * 1024 * 1024;

  public static final long DEFAULT_PART_SIZE_BYTES = 8L * 1024 * 1024;

  public S3Settings {
    if (bucket == null || bucket.isBlank()) {
      throw new IllegalArgumentException("an S3 bucket is required");
    }
    if (partSizeBytes < MIN_PART_SIZE_BYTES || partSizeBytes > MAX_PART_SIZE_BYTES) {
      throw new IllegalArgumentException(
          "part size must be between "
              + MIN_PART_SIZE_BYTES
              + " and "
              + MAX_PART_SIZE_BYTES
              + " bytes: "
              + partSizeBytes);
    }
    if ((accessKey == null) != (secretKey == null)) {
      throw new IllegalArgumentException("give both an access key and a secret key, or neither");
    }
    if (sessionToken != null && accessKey == null) {
      throw new IllegalArgumentException(
          "a session token needs the access key and secret key it was issued with");
    }
    encryption = Objects.requireNonNullElse(encryption, S3Encryption.NONE);
    if (tlsCa != null) {
      tlsCa.requireHttps(endpoint);
    }
  }

  /**
   * Settings for a bucket with the defaults for everything else (default chains, no encryption
   * header).
   */
  public static S3Settings forBucket(String bucket) {
    return new S3Settings(
        bucket,
        null,
        null,
        false,
        null,
        null,
        null,
        DEFAULT_PART_SIZE_BYTES,
        null,
        S3Encryption.NONE,
        null,
        null);
  }

  public S3Settings withEndpoint(URI endpoint, boolean pathStyle) {
    Copy copy = new Copy(this);
    copy.endpoint = endpoint;
    copy.pathStyle = pathStyle;
    return copy.settings();
  }

  public S3Settings withRegion(String region) {
    Copy copy = new Copy(this);
    copy.region = region;
    return copy.settings();
  }

  /** Long-term keys: no session token. */
  public S3Settings withCredentials(String accessKey, Password secretKey) {
    return withCredentials(accessKey, secretKey, null);
  }

  /** Temporary credentials: the keys and the session token issued with them. */
  public S3Settings withCredentials(String accessKey, Password secretKey, Password sessionToken) {
    Copy copy = new Copy(this);
    copy.accessKey = accessKey;
    copy.secretKey = secretKey;
    copy.sessionToken = sessionToken;
    return copy.settings();
  }

  public S3Settings withPartSizeBytes(long partSizeBytes) {
    Copy copy = new Copy(this);
    copy.partSizeBytes = partSizeBytes;
    return copy.settings();
  }

  public S3Settings withStorageClass(String storageClass) {
    Copy copy = new Copy(this);
    copy.storageClass = storageClass;
    return copy.settings();
  }

  public S3Settings withEncryption(S3Encryption encryption, String kmsKeyId) {
    Copy copy = new Copy(this);
    copy.encryption = encryption;
    copy.kmsKeyId = kmsKeyId;
    return copy.settings();
  }

  /** Trusts the CAs of {@code tlsCa} (null: the JVM's trust store) for an https endpoint. */
  public S3Settings withTlsCa(TlsCaFile tlsCa) {
    Copy copy = new Copy(this);
    copy.tlsCa = tlsCa;
    return copy.settings();
  }

  /**
   * The components of a settings object, to change some: each {@code with} method changes its own
   * and builds new settings (validated again by the constructor), so none of them repeats the whole
   * list.
   */
  private static final class Copy {
    private final String bucket;
    private String region;
    private URI endpoint;
    private boolean pathStyle;
    private String accessKey;
    private Password secretKey;
    private Password sessionToken;
    private long partSizeBytes;
    private String storageClass;
    private S3Encryption encryption;
    private String kmsKeyId;
    private TlsCaFile tlsCa;

    Copy(S3Settings from) {
      bucket = from.bucket;
      region = from.region;
      endpoint = from.endpoint;
      pathStyle = from.pathStyle;
      accessKey = from.accessKey;
      secretKey = from.secretKey;
      sessionToken = from.sessionToken;
      partSizeBytes = from.partSizeBytes;
      storageClass = from.storageClass;
      encryption = from.encryption;
      kmsKeyId = from.kmsKeyId;
      tlsCa = from.tlsCa;
    }

    S3Settings settings() {
      return new S3Settings(
          bucket,
          region,
          endpoint,
          pathStyle,
          accessKey,
          secretKey,
          sessionToken,
          partSizeBytes,
          storageClass,
          encryption,
          kmsKeyId,
          tlsCa);
    }
  }

  /**
   * Where objects go, for messages: {@code s3://bucket}, plus the endpoint when overridden. Never
   * the secret.
   */
  public String describe() {
    return "s3://" + bucket + (endpoint == null ? "" : " at " + endpoint);
  }

  @Override
  public String toString() {
    // Password prints as [hidden] already; spelled out so a future field cannot leak by accident.
    return "S3Settings[bucket="
        + bucket
        + ", region="
        + region
        + ", endpoint="
        + endpoint
        + ", pathStyle="
        + pathStyle
        + ", accessKey="
        + accessKey
        + ", secretKey="
        + (secretKey == null ? null : "[hidden]")
        + ", sessionToken="
        + (sessionToken == null ? null : "[hidden]")
        + ", partSizeBytes="
        + partSizeBytes
        + ", storageClass="
        + storageClass
        + ", encryption="
        + encryption
        + ", kmsKeyId="
        + kmsKeyId
        + ", tlsCa="
        + tlsCa
        + "]";
  }
}
