package io.prism.snapshotter.config;

import io.prism.snapshotter.storage.AzureSettings;
import io.prism.snapshotter.storage.GcsSettings;
import io.prism.snapshotter.storage.KeyPlaceholder;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.S3Settings;
import io.prism.snapshotter.storage.StorageBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/**
 * The {@code storage.*} config fragment: its keys ({@link #addTo}) and a typed view of their
 * values.
 *
 * <p>Single keys are validated by their {@link ConfigDef.Validator}s; rules that involve several
 * keys (S3 chosen but no bucket, ...) are in {@link #crossKeyErrors()}, for the connector's {@code
 * validate()} to attach to every key involved. Backend keys are visible only when their backend is
 * chosen.
 */
public final class StorageConfig {

  public static final String GROUP = "Storage";
  public static final String GROUP_FILESYSTEM = "Storage: filesystem";

  public static final String BACKEND = "storage.backend";
  public static final String BACKEND_DEFAULT = StorageBackend.FILESYSTEM.configName();
  private static final String BACKEND_DOC =
      "Where pages are stored: "
          + String.join(", ", StorageBackend.allNames())
          + " ('minio' is another name for 's3': any S3-compatible store).";

  public static final String KEY_TEMPLATE = "storage.key.template";
  public static final String KEY_TEMPLATE_DEFAULT = KeyTemplate.DEFAULT;
  private static final String KEY_TEMPLATE_DOC =
      "The object key of each page. Must contain {writer_id} and at "
          + "least one of {sequence} or {start_offset}. Keep {topic} and {partition} in it unless"
          + " every writer's records stay in one partition of one topic: else two pages can get"
          + " one key, and the task stops at the second (nothing is lost). Placeholders: "
          + KeyPlaceholder.documentation()
          + ".";

  public static final String UPLOAD_THREADS = "storage.upload.threads";

  /**
   * Unset {@link #UPLOAD_THREADS} with the filesystem store: its pages wait on the CPU (encoding,
   * zstd), and on 2 cores 8 threads drained ~15 % slower than 2 on tmpfs (docs/BENCHMARKS.md).
   */
  static final int UPLOAD_THREADS_LOCAL_DEFAULT = 2;

  /**
   * Unset {@link #UPLOAD_THREADS} with S3, Azure or GCS: each write waits on the network, so the
   * pages a second grow with the threads (8 stored 3.9x as many as 2 behind a 20 ms round trip).
   */
  static final int UPLOAD_THREADS_NETWORK_DEFAULT = 8;

  private static final String UPLOAD_THREADS_DOC =
      "How many closed pages one task stores at once (encode,"
          + " compress, write, index), on threads of its own while the task keeps reading records."
          + " Unset (the default): "
          + UPLOAD_THREADS_LOCAL_DEFAULT
          + " with the filesystem store, whose writes wait on the CPU, and "
          + UPLOAD_THREADS_NETWORK_DEFAULT
          + " with s3, azure and gcs, where each write waits on the network; a filesystem store on a"
          + " disk or a network mount gains from more than "
          + UPLOAD_THREADS_LOCAL_DEFAULT
          + " too. Each thread keeps a buffer as large as the largest page it stored (as stored). Pages being"
          + " stored count in buffer.memory.max.bytes. 0 stores each page on the task's own thread, one at a time:"
          + " while a page is being stored the task reads no records, commits no offsets and closes no page on"
          + " age, in any partition, so one slow write (an S3 put waiting on the network) holds every partition"
          + " back, and a put() slower than the consumer's max.poll.interval.ms (5 minutes by default) makes"
          + " the task leave its group (a rebalance). With 1 or more the task reads on while pages are stored,"
          + " and a slow page holds back its own partition's offset and the pages queued behind it while every"
          + " thread is busy.";

  /** {@link #UPLOAD_THREADS}: unset, or a count the task can run. */
  private static final ConfigDef.Validator UPLOAD_THREADS_VALIDATOR =
      DescribedValidator.of(
          "unset, or [0,...,64]",
          (name, value) -> {
            if (value != null) {
              Range.between(0, 64).ensureValid(name, value);
            }
          });

  public static final String FILESYSTEM_PATH = "storage.filesystem.path";
  private static final String FILESYSTEM_PATH_DOC =
      "Base directory of the filesystem store (created if missing by the connector; the commands"
          + " that read or compact a store fail on a missing one). "
          + "Required when storage.backend is filesystem.";

  private final AbstractConfig config;
  private final ConfigValues values;

  /**
   * Parses and validates {@code props} (single-key rules; see {@link #crossKeyErrors()} for the
   * rest).
   */
  public StorageConfig(Map<?, ?> props) {
    this(new AbstractConfig(configDef(), props, false));
  }

  /**
   * A typed view of {@code config}, which must have been parsed with a ConfigDef that includes
   * {@link #addTo}.
   */
  public StorageConfig(AbstractConfig config) {
    this.config = config;
    this.values = new ConfigValues(config);
  }

  /** A ConfigDef holding only the storage keys. */
  public static ConfigDef configDef() {
    return addTo(new ConfigDef());
  }

  /** Adds the storage keys to {@code def} and returns it. */
  public static ConfigDef addTo(ConfigDef def) {
    int order = 0;
    def.define(
        BACKEND,
        Type.STRING,
        BACKEND_DEFAULT,
        KeyValidators.oneOf(StorageBackend.allNames()),
        Importance.HIGH,
        BACKEND_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Storage backend",
        backendKeys(),
        new BackendRecommender(StorageBackend.allNames(), null));
    def.define(
        KEY_TEMPLATE,
        Type.STRING,
        KEY_TEMPLATE_DEFAULT,
        new KeyTemplateValidator(),
        Importance.MEDIUM,
        KEY_TEMPLATE_DOC,
        GROUP,
        ++order,
        Width.LONG,
        "Object key template");
    def.define(
        UPLOAD_THREADS,
        Type.INT,
        null,
        UPLOAD_THREADS_VALIDATOR,
        Importance.LOW,
        UPLOAD_THREADS_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Page upload threads");

    def.define(
        FILESYSTEM_PATH,
        Type.STRING,
        null,
        KeyValidators.optional("a directory path", KeyValidators::isPath),
        Importance.HIGH,
        FILESYSTEM_PATH_DOC,
        GROUP_FILESYSTEM,
        1,
        Width.LONG,
        "Base directory",
        new BackendRecommender(List.of(), StorageBackend.FILESYSTEM));

    S3StorageKeys.define(def);
    AzureStorageKeys.define(def);
    GcsStorageKeys.define(def);
    return def;
  }

  /** The keys that only one backend uses: shown while it is chosen. */
  private static List<String> backendKeys() {
    List<String> keys = new ArrayList<>();
    keys.add(FILESYSTEM_PATH);
    keys.addAll(S3StorageKeys.KEYS);
    keys.addAll(AzureStorageKeys.KEYS);
    keys.addAll(GcsStorageKeys.KEYS);
    return keys;
  }

  public StorageBackend backend() {
    return StorageBackend.fromName(config.getString(BACKEND))
        .orElseThrow(); // the validator guarantees it
  }

  /** Threads storing pages per task; 0: on the task's thread. Unset: by the backend. */
  public int uploadThreads() {
    Integer set = config.getInt(UPLOAD_THREADS);
    if (set != null) {
      return set;
    }
    return backend().writesCrossANetwork()
        ? UPLOAD_THREADS_NETWORK_DEFAULT
        : UPLOAD_THREADS_LOCAL_DEFAULT;
  }

  public KeyTemplate keyTemplate() {
    return KeyTemplate.parse(config.getString(KEY_TEMPLATE));
  }

  public Optional<Path> filesystemPath() {
    return values.optional(FILESYSTEM_PATH).map(Path::of);
  }

  /**
   * A ConfigException naming {@value #FILESYSTEM_PATH} and the path when the settings name a
   * filesystem store whose directory is not there. For the commands that read (or compact, or
   * reindex) what the sink stored: opened as the sink opens it, the store would create the
   * directory, and a mistyped path would read as an empty store ("no pages").
   */
  public void requireExisting() {
    if (backend() == StorageBackend.FILESYSTEM && filesystemPath().isPresent()) {
      ExistingLocation.requireDirectory(
          FILESYSTEM_PATH,
          filesystemPath().get(),
          "nothing was ever stored there; check the path, or give the --config the connector runs"
              + " with");
    }
  }

  /**
   * The S3 backend's settings.
   *
   * @throws ConfigException when {@link #crossKeyErrors()} has S3 problems (e.g. no bucket)
   */
  public S3Settings s3Settings() {
    requireNoCrossKeyErrors();
    return S3StorageKeys.settings(values);
  }

  /**
   * The Azure backend's settings.
   *
   * @throws ConfigException when {@link #crossKeyErrors()} has Azure problems (e.g. no container)
   */
  public AzureSettings azureSettings() {
    requireNoCrossKeyErrors();
    return AzureStorageKeys.settings(values);
  }

  /**
   * The GCS backend's settings.
   *
   * @throws ConfigException when {@link #crossKeyErrors()} has GCS problems (no bucket)
   */
  public GcsSettings gcsSettings() {
    requireNoCrossKeyErrors();
    return GcsStorageKeys.settings(values);
  }

  /**
   * Problems that involve more than one key, each attached to every key involved (key → messages,
   * in definition order). Empty when the storage config is usable.
   */
  public Map<String, List<String>> crossKeyErrors() {
    Map<String, List<String>> errors = new LinkedHashMap<>();
    switch (backend()) {
      case FILESYSTEM -> {
        if (filesystemPath().isEmpty()) {
          KeyErrors.add(
              errors,
              "storage.backend is filesystem but " + FILESYSTEM_PATH + " is not set",
              BACKEND,
              FILESYSTEM_PATH);
        }
      }
      case S3 -> S3StorageKeys.addCrossKeyErrors(values, errors);
      case AZURE -> AzureStorageKeys.addCrossKeyErrors(values, errors);
      case GCS -> GcsStorageKeys.addCrossKeyErrors(values, errors);
    }
    return errors;
  }

  /**
   * @throws ConfigException saying every cross-key problem, naming the first key with one
   */
  public void requireNoCrossKeyErrors() {
    Map<String, List<String>> errors = crossKeyErrors();
    if (!errors.isEmpty()) {
      throw KeyErrors.asException("storage", errors);
    }
  }

  @Override
  public String toString() {
    // AbstractConfig's values print passwords as [hidden].
    return "StorageConfig" + config.values();
  }

  private static final class KeyTemplateValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      try {
        KeyTemplate.parse((String) value);
      } catch (ConfigException e) {
        throw new ConfigException(name, value, e.getMessage());
      }
    }

    @Override
    public String toString() {
      return "a template with {writer_id} and {sequence} or {start_offset}";
    }
  }
}
