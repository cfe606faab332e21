package io.prism.snapshotter.config;

import io.prism.snapshotter.storage.S3Encryption;
import io.prism.snapshotter.storage.S3Settings;
import io.prism.snapshotter.storage.StorageBackend;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * The {@code storage.s3.*} keys ({@code storage.backend} s3 or minio): their definitions, the rules
 * between them, and the {@link S3Settings} they make. Part of {@link StorageConfig}.
 */
public final class S3StorageKeys {
  public static final String GROUP = "Storage: S3";

  public static final String BUCKET = "storage.s3.bucket";
  private static final String BUCKET_DOC =
      "The bucket pages go to (it must exist). Required for s3/minio.";

  public static final String ENDPOINT = "storage.s3.endpoint";
  private static final String ENDPOINT_DOC =
      "Endpoint override for S3-compatible stores such as MinIO, e.g. "
          + "http://minio:9000. Empty for AWS S3.";

  public static final String REGION = "storage.s3.region";
  private static final String REGION_DOC =
      "The bucket's region, e.g. us-west-2. Empty: the AWS default "
          + "region chain (AWS_REGION, profile, instance metadata), else us-east-1.";

  public static final String ACCESS_KEY = "storage.s3.access.key";
  private static final String ACCESS_KEY_DOC =
      "Static access key id. Empty: the AWS default credentials chain "
          + "(environment, profile, web identity, instance role). Set together with storage.s3.secret.key"
          + " (and storage.s3.session.token when the keys are temporary).";

  public static final String SECRET_KEY = "storage.s3.secret.key";
  private static final String SECRET_KEY_DOC =
      "Static secret access key (never logged). Set together with " + "storage.s3.access.key.";

  public static final String SESSION_TOKEN = "storage.s3.session.token";
  private static final String SESSION_TOKEN_DOC =
      "The session token of temporary credentials (never logged), e.g."
          + " from STS AssumeRole or a secrets manager, sent with each request; only together with the"
          + " temporary storage.s3.access.key and storage.s3.secret.key it was issued with. Used as"
          + " given until it expires: S3 then refuses the requests and the task fails; update the"
          + " three settings to go on. Empty: none (long-term keys).";

  public static final String TLS_CA_FILE = S3Settings.TLS_CA_SETTING;
  private static final String TLS_CA_FILE_DOC =
      "A PEM file of the CA certificates that an https:// storage.s3.endpoint's certificate must be"
          + " signed by, instead of the JVM's trust store (a MinIO or other S3-compatible store with a"
          + " private CA, without making the whole Connect worker trust it). Read when the connector"
          + " starts: a missing file or one without a certificate is a configuration error. The"
          + " certificate must also name the endpoint's host. Empty: the JVM's trust store.";

  public static final String PATH_STYLE = "storage.s3.path.style";
  public static final boolean PATH_STYLE_DEFAULT = false;
  private static final String PATH_STYLE_DOC =
      "Address the bucket in the URL path (http://host/bucket/key) "
          + "instead of the host name. MinIO and S3Proxy usually need true.";

  public static final String PART_SIZE_BYTES = "storage.s3.part.size.bytes";
  public static final long PART_SIZE_BYTES_DEFAULT = S3Settings.DEFAULT_PART_SIZE_BYTES;
  private static final String PART_SIZE_BYTES_DOC =
      "Pages larger than this are uploaded in parts of this "
          + "size (each held in memory while it uploads). Between 5 MiB and 1 GiB.";

  public static final String STORAGE_CLASS = "storage.s3.storage.class";
  private static final String STORAGE_CLASS_DOC =
      "S3 storage class of new pages, e.g. STANDARD_IA or "
          + "INTELLIGENT_TIERING. Empty: the bucket's default.";

  public static final String SSE = "storage.s3.sse";
  public static final String SSE_DEFAULT = S3Encryption.NONE.configName();
  private static final String SSE_DOC =
      "Server-side encryption requested for new pages: "
          + String.join(", ", S3Encryption.allNames())
          + ".";

  public static final String SSE_KMS_KEY_ID = "storage.s3.sse.kms.key.id";
  private static final String SSE_KMS_KEY_ID_DOC =
      "KMS key id or ARN for storage.s3.sse=aws:kms. Empty: the " + "AWS-managed key.";

  private S3StorageKeys() {}

  /** The keys in definition order, for {@code storage.backend}'s dependents. */
  static final List<String> KEYS =
      List.of(
          BUCKET,
          ENDPOINT,
          REGION,
          ACCESS_KEY,
          SECRET_KEY,
          SESSION_TOKEN,
          PATH_STYLE,
          TLS_CA_FILE,
          PART_SIZE_BYTES,
          STORAGE_CLASS,
          SSE,
          SSE_KMS_KEY_ID);

  static void define(ConfigDef def) {
    BackendRecommender s3Only = new BackendRecommender(List.of(), StorageBackend.S3);
    int order = 0;
    def.define(
        BUCKET,
        Type.STRING,
        null,
        KeyValidators.optional(
            "a bucket name without '/' or spaces",
            v -> v.chars().noneMatch(c -> c == '/' || Character.isWhitespace(c))),
        Importance.HIGH,
        BUCKET_DOC,
        GROUP,
        ++order,
        Width.MEDIUM,
        "Bucket",
        s3Only);
    def.define(
        ENDPOINT,
        Type.STRING,
        null,
        KeyValidators.optional("an http:// or https:// URL", KeyValidators::isHttpUrl),
        Importance.MEDIUM,
        ENDPOINT_DOC,
        GROUP,
        ++order,
        Width.LONG,
        "Endpoint override",
        s3Only);
    def.define(
        REGION,
        Type.STRING,
        null,
        KeyValidators.optional("a region name such as us-east-1", v -> v.matches("[a-z0-9-]+")),
        Importance.MEDIUM,
        REGION_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Region",
        s3Only);
    def.define(
        ACCESS_KEY,
        Type.STRING,
        null,
        KeyValidators.optional("a non-blank access key id", v -> !v.isBlank()),
        Importance.MEDIUM,
        ACCESS_KEY_DOC,
        GROUP,
        ++order,
        Width.MEDIUM,
        "Access key id",
        s3Only);
    def.define(
        SECRET_KEY,
        Type.PASSWORD,
        null,
        Importance.MEDIUM,
        SECRET_KEY_DOC,
        GROUP,
        ++order,
        Width.MEDIUM,
        "Secret access key",
        s3Only);
    def.define(
        SESSION_TOKEN,
        Type.PASSWORD,
        null,
        new SessionTokenValidator(),
        Importance.MEDIUM,
        SESSION_TOKEN_DOC,
        GROUP,
        ++order,
        Width.LONG,
        "Session token",
        s3Only);
    def.define(
        PATH_STYLE,
        Type.BOOLEAN,
        PATH_STYLE_DEFAULT,
        Importance.LOW,
        PATH_STYLE_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Path-style access",
        s3Only);
    def.define(
        TLS_CA_FILE,
        Type.STRING,
        null,
        Importance.LOW,
        TLS_CA_FILE_DOC,
        GROUP,
        ++order,
        Width.LONG,
        "TLS CA file",
        s3Only);
    def.define(
        PART_SIZE_BYTES,
        Type.LONG,
        PART_SIZE_BYTES_DEFAULT,
        ConfigDef.Range.between(S3Settings.MIN_PART_SIZE_BYTES, S3Settings.MAX_PART_SIZE_BYTES),
        Importance.LOW,
        PART_SIZE_BYTES_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Multipart part size",
        s3Only);
    List<String> storageClasses =
        StorageClass.knownValues().stream().map(StorageClass::toString).sorted().toList();
    def.define(
        STORAGE_CLASS,
        Type.STRING,
        null,
        KeyValidators.optional("one of " + storageClasses, storageClasses::contains),
        Importance.LOW,
        STORAGE_CLASS_DOC,
        GROUP,
        ++order,
        Width.MEDIUM,
        "Storage class",
        new BackendRecommender(storageClasses, StorageBackend.S3));
    def.define(
        SSE,
        Type.STRING,
        SSE_DEFAULT,
        KeyValidators.oneOf(S3Encryption.allNames()),
        Importance.LOW,
        SSE_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Server-side encryption",
        List.of(SSE_KMS_KEY_ID),
        new BackendRecommender(S3Encryption.allNames(), StorageBackend.S3));
    def.define(
        SSE_KMS_KEY_ID,
        Type.STRING,
        null,
        KeyValidators.optional("a non-blank KMS key id", v -> !v.isBlank()),
        Importance.LOW,
        SSE_KMS_KEY_ID_DOC,
        GROUP,
        ++order,
        Width.LONG,
        "KMS key id",
        s3Only);
  }

  /** The S3 settings of {@code values}, which must have no cross-key errors. */
  static S3Settings settings(ConfigValues values) {
    return new S3Settings(
        values.optional(BUCKET).orElseThrow(),
        values.optional(REGION).orElse(null),
        values.uri(ENDPOINT).orElse(null),
        values.config().getBoolean(PATH_STYLE),
        values.optional(ACCESS_KEY).orElse(null),
        values.password(SECRET_KEY).orElse(null),
        values.password(SESSION_TOKEN).orElse(null),
        values.config().getLong(PART_SIZE_BYTES),
        values.optional(STORAGE_CLASS).orElse(null),
        encryption(values),
        values.optional(SSE_KMS_KEY_ID).orElse(null),
        TlsFiles.caFile(values, TLS_CA_FILE));
  }

  private static S3Encryption encryption(ConfigValues values) {
    return S3Encryption.fromName(values.config().getString(SSE))
        .orElseThrow(); // the validator guarantees it
  }

  /** Adds the problems between the S3 keys, S3 being chosen, to {@code errors}. */
  static void addCrossKeyErrors(ConfigValues values, Map<String, List<String>> errors) {
    String backend = values.config().getString(StorageConfig.BACKEND);
    boolean accessKey = values.optional(ACCESS_KEY).isPresent();
    boolean secretKey = values.password(SECRET_KEY).isPresent();
    if (values.optional(BUCKET).isEmpty()) {
      KeyErrors.add(
          errors,
          "storage.backend is " + backend + " but " + BUCKET + " is not set",
          StorageConfig.BACKEND,
          BUCKET);
    }
    if (accessKey != secretKey) {
      KeyErrors.add(
          errors,
          "set both "
              + ACCESS_KEY
              + " and "
              + SECRET_KEY
              + ", or neither (to use the AWS default credentials chain)",
          ACCESS_KEY,
          SECRET_KEY);
    }
    if (values.password(SESSION_TOKEN).isPresent() && (!accessKey || !secretKey)) {
      KeyErrors.add(
          errors,
          SESSION_TOKEN
              + " is set but "
              + (!accessKey && !secretKey
                  ? ACCESS_KEY + " and " + SECRET_KEY + " are not"
                  : (!accessKey ? ACCESS_KEY : SECRET_KEY) + " is not")
              + ": a session token is only valid with the temporary access key and secret key it"
              + " was issued with (set all three, or none to use the AWS default credentials"
              + " chain)",
          ACCESS_KEY,
          SECRET_KEY,
          SESSION_TOKEN);
    }
    TlsSettingChecks.checkCaFile(
        errors,
        TLS_CA_FILE,
        values.optional(TLS_CA_FILE),
        ENDPOINT,
        values.uri(ENDPOINT).map(URI::toString),
        "https");
    if (values.optional(SSE_KMS_KEY_ID).isPresent() && encryption(values) != S3Encryption.AWS_KMS) {
      KeyErrors.add(
          errors,
          SSE_KMS_KEY_ID
              + " is set but "
              + SSE
              + " is "
              + values.config().getString(SSE)
              + ", not "
              + S3Encryption.AWS_KMS.configName(),
          SSE,
          SSE_KMS_KEY_ID);
    }
  }

  /**
   * A session token goes into a request header as given, so it must be printable ASCII without
   * spaces (AWS's are base64, MinIO's JWTs). Kafka trims a value's ends already; a space or line
   * break inside (a token pasted wrapped) is refused here, by key, instead of going out as a
   * malformed header. Empty: none. The message never shows the value: a {@link Password} prints as
   * [hidden].
   */
  private static final class SessionTokenValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      String token = value == null ? null : ((Password) value).value();
      if (token != null && !token.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
        throw new ConfigException(name, value, "must be " + this);
      }
    }

    @Override
    public String toString() {
      return "a session token: printable ASCII, without spaces or line breaks";
    }
  }
}
