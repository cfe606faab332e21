package io.prism.snapshotter.config;

import io.prism.snapshotter.storage.GcsSettings;
import io.prism.snapshotter.storage.StorageBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/**
 * The {@code storage.gcs.*} keys ({@code storage.backend} gcs): their definitions, the rules
 * between them, and the {@link GcsSettings} they make. Part of {@link StorageConfig}.
 */
public final class GcsStorageKeys {
  public static final String GROUP = "Storage: Google Cloud Storage";

  public static final String TLS_CA_FILE = GcsSettings.TLS_CA_SETTING;
  private static final String TLS_CA_FILE_DOC =
      "A PEM file of the CA certificates that an https:// storage.gcs.endpoint's certificate must"
          + " be signed by, instead of the JVM's trust store (a GCS-compatible server or a proxy with"
          + " a private CA, without making the whole Connect worker trust it); the credentials'"
          + " token requests to Google still use the JVM's trust store. Read when the connector"
          + " starts: a missing file or one without a certificate is a configuration error. The"
          + " certificate must also name the endpoint's host. Empty: the JVM's trust store.";

  public static final String BUCKET = "storage.gcs.bucket";
  private static final String BUCKET_DOC =
      "The bucket pages go to (it must exist). Required for gcs.";

  public static final String PROJECT_ID = "storage.gcs.project.id";
  private static final String PROJECT_ID_DOC =
      "The Google Cloud project. Empty: the credentials' own " + "(or GOOGLE_CLOUD_PROJECT).";

  public static final String CREDENTIALS_FILE = "storage.gcs.credentials.file";
  private static final String CREDENTIALS_FILE_DOC =
      "A service-account JSON key file. Empty: Application "
          + "Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud's login, the metadata server).";

  public static final String ENDPOINT = "storage.gcs.endpoint";
  private static final String ENDPOINT_DOC =
      "Another JSON API endpoint, e.g. an emulator's; requests go "
          + "unauthenticated unless storage.gcs.credentials.file is set. Empty: Google's.";

  public static final String CHUNK_SIZE_BYTES = "storage.gcs.chunk.size.bytes";
  public static final long CHUNK_SIZE_BYTES_DEFAULT = GcsSettings.DEFAULT_CHUNK_SIZE_BYTES;
  private static final String CHUNK_SIZE_BYTES_DOC =
      "Pages larger than this are uploaded as a resumable "
          + "upload in chunks of this size (each held in memory while it uploads). A multiple of 256 KiB between "
          + "1 MiB and 1 GiB.";

  private GcsStorageKeys() {}

  /** The keys in definition order, for {@code storage.backend}'s dependents. */
  static final List<String> KEYS =
      List.of(BUCKET, PROJECT_ID, CREDENTIALS_FILE, ENDPOINT, CHUNK_SIZE_BYTES, TLS_CA_FILE);

  static void define(ConfigDef def) {
    BackendRecommender gcsOnly = new BackendRecommender(List.of(), StorageBackend.GCS);
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
        gcsOnly);
    def.define(
        PROJECT_ID,
        Type.STRING,
        null,
        KeyValidators.optional(
            "a project id such as my-project-123", v -> v.matches("[a-z][a-z0-9-]{4,28}[a-z0-9]")),
        Importance.MEDIUM,
        PROJECT_ID_DOC,
        GROUP,
        ++order,
        Width.MEDIUM,
        "Project id",
        gcsOnly);
    def.define(
        CREDENTIALS_FILE,
        Type.STRING,
        null,
        KeyValidators.optional("a file path", KeyValidators::isPath),
        Importance.HIGH,
        CREDENTIALS_FILE_DOC,
        GROUP,
        ++order,
        Width.LONG,
        "Credentials key file",
        gcsOnly);
    def.define(
        ENDPOINT,
        Type.STRING,
        null,
        KeyValidators.optional("an http:// or https:// URL", KeyValidators::isHttpUrl),
        Importance.LOW,
        ENDPOINT_DOC,
        GROUP,
        ++order,
        Width.LONG,
        "Endpoint override",
        gcsOnly);
    def.define(
        CHUNK_SIZE_BYTES,
        Type.LONG,
        CHUNK_SIZE_BYTES_DEFAULT,
        new ChunkSizeValidator(),
        Importance.LOW,
        CHUNK_SIZE_BYTES_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Resumable chunk size",
        gcsOnly);
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
        gcsOnly);
  }

  /** The GCS settings of {@code values}, which must have no cross-key errors. */
  static GcsSettings settings(ConfigValues values) {
    return new GcsSettings(
        values.optional(BUCKET).orElseThrow(),
        values.optional(PROJECT_ID).orElse(null),
        values.optional(CREDENTIALS_FILE).map(Path::of).orElse(null),
        values.uri(ENDPOINT).orElse(null),
        values.config().getLong(CHUNK_SIZE_BYTES),
        TlsFiles.caFile(values, TLS_CA_FILE));
  }

  /** Adds the problems between the GCS keys, GCS being chosen, to {@code errors}. */
  static void addCrossKeyErrors(ConfigValues values, Map<String, List<String>> errors) {
    if (values.optional(BUCKET).isEmpty()) {
      KeyErrors.add(
          errors,
          "storage.backend is "
              + values.config().getString(StorageConfig.BACKEND)
              + " but "
              + BUCKET
              + " is not set",
          StorageConfig.BACKEND,
          BUCKET);
    }
    TlsSettingChecks.checkCaFile(
        errors,
        TLS_CA_FILE,
        values.optional(TLS_CA_FILE),
        ENDPOINT,
        values.optional(ENDPOINT),
        "https");
  }

  /** Resumable upload chunks: whole multiples of 256 KiB, within the settings' bounds. */
  private static final class ChunkSizeValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      long bytes = value == null ? 0 : (Long) value;
      if (bytes < GcsSettings.MIN_CHUNK_SIZE_BYTES
          || bytes > GcsSettings.MAX_CHUNK_SIZE_BYTES
          || bytes % GcsSettings.CHUNK_GRANULE_BYTES != 0) {
        throw new ConfigException(name, value, "must be " + this);
      }
    }

    @Override
    public String toString() {
      return "a multiple of "
          + GcsSettings.CHUNK_GRANULE_BYTES
          + " between "
          + GcsSettings.MIN_CHUNK_SIZE_BYTES
          + " and "
          + GcsSettings.MAX_CHUNK_SIZE_BYTES;
    }
  }
}
