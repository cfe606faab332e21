package io.prism.snapshotter.config;

import io.prism.snapshotter.storage.AzureSettings;
import io.prism.snapshotter.storage.GcsSettings;
import io.prism.snapshotter.storage.KeyPlaceholder;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.S3Encryption;
import io.prism.snapshotter.storage.S3Settings;
import io.prism.snapshotter.storage.StorageBackend;
import io.prism.snapshotter.util.TlsCaFile;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import software.amazon.awssdk.services.s3.model.StorageClass;

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
  public static final String GROUP_S3 = "Storage: S3";
  public static final String GROUP_AZURE = "Storage: Azure Blob Storage";
  public static final String GROUP_GCS = "Storage: Google Cloud Storage";

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

  public static final String S3_BUCKET = "storage.s3.bucket";
  private static final String S3_BUCKET_DOC =
      "The bucket pages go to (it must exist). Required for s3/minio.";

  public static final String S3_ENDPOINT = "storage.s3.endpoint";
  private static final String S3_ENDPOINT_DOC =
      "Endpoint override for S3-compatible stores such as MinIO, e.g. "
          + "http://minio:9000. Empty for AWS S3.";

  public static final String S3_REGION = "storage.s3.region";
  private static final String S3_REGION_DOC =
      "The bucket's region, e.g. us-west-2. Empty: the AWS default "
          + "region chain (AWS_REGION, profile, instance metadata), else us-east-1.";

  public static final String S3_ACCESS_KEY = "storage.s3.access.key";
  private static final String S3_ACCESS_KEY_DOC =
      "Static access key id. Empty: the AWS default credentials chain "
          + "(environment, profile, web identity, instance role). Set together with storage.s3.secret.key"
          + " (and storage.s3.session.token when the keys are temporary).";

  public static final String S3_SECRET_KEY = "storage.s3.secret.key";
  private static final String S3_SECRET_KEY_DOC =
      "Static secret access key (never logged). Set together with " + "storage.s3.access.key.";

  public static final String S3_SESSION_TOKEN = "storage.s3.session.token";
  private static final String S3_SESSION_TOKEN_DOC =
      "The session token of temporary credentials (never logged), e.g."
          + " from STS AssumeRole or a secrets manager, sent with each request; only together with the"
          + " temporary storage.s3.access.key and storage.s3.secret.key it was issued with. Used as"
          + " given until it expires: S3 then refuses the requests and the task fails; update the"
          + " three settings to go on. Empty: none (long-term keys).";

  public static final String AZURE_TLS_CA_FILE = AzureSettings.TLS_CA_SETTING;
  private static final String AZURE_TLS_CA_FILE_DOC =
      "A PEM file of the CA certificates that an https:// storage.azure.endpoint's certificate must"
          + " be signed by, instead of the JVM's trust store (Azure Stack Hub, a proxy or an emulator"
          + " with a private CA, without making the whole Connect worker trust it); with a"
          + " connection string, its BlobEndpoint's (signing in with Entra ID still uses the JVM's"
          + " trust store). Read when the connector starts: a missing file"
          + " or one without a certificate is a configuration error. The certificate must also name"
          + " the endpoint's host. Empty: the JVM's trust store.";

  public static final String GCS_TLS_CA_FILE = GcsSettings.TLS_CA_SETTING;
  private static final String GCS_TLS_CA_FILE_DOC =
      "A PEM file of the CA certificates that an https:// storage.gcs.endpoint's certificate must"
          + " be signed by, instead of the JVM's trust store (a GCS-compatible server or a proxy with"
          + " a private CA, without making the whole Connect worker trust it); the credentials'"
          + " token requests to Google still use the JVM's trust store. Read when the connector"
          + " starts: a missing file or one without a certificate is a configuration error. The"
          + " certificate must also name the endpoint's host. Empty: the JVM's trust store.";

  public static final String S3_TLS_CA_FILE = S3Settings.TLS_CA_SETTING;
  private static final String S3_TLS_CA_FILE_DOC =
      "A PEM file of the CA certificates that an https:// storage.s3.endpoint's certificate must be"
          + " signed by, instead of the JVM's trust store (a MinIO or other S3-compatible store with a"
          + " private CA, without making the whole Connect worker trust it). Read when the connector"
          + " starts: a missing file or one without a certificate is a configuration error. The"
          + " certificate must also name the endpoint's host. Empty: the JVM's trust store.";

  public static final String S3_PATH_STYLE = "storage.s3.path.style";
  public static final boolean S3_PATH_STYLE_DEFAULT = false;
  private static final String S3_PATH_STYLE_DOC =
      "Address the bucket in the URL path (http://host/bucket/key) "
          + "instead of the host name. MinIO and S3Proxy usually need true.";

  public static final String S3_PART_SIZE_BYTES = "storage.s3.part.size.bytes";
  public static final long S3_PART_SIZE_BYTES_DEFAULT = S3Settings.DEFAULT_PART_SIZE_BYTES;
  private static final String S3_PART_SIZE_BYTES_DOC =
      "Pages larger than this are uploaded in parts of this "
          + "size (each held in memory while it uploads). Between 5 MiB and 1 GiB.";

  public static final String S3_STORAGE_CLASS = "storage.s3.storage.class";
  private static final String S3_STORAGE_CLASS_DOC =
      "S3 storage class of new pages, e.g. STANDARD_IA or "
          + "INTELLIGENT_TIERING. Empty: the bucket's default.";

  public static final String S3_SSE = "storage.s3.sse";
  public static final String S3_SSE_DEFAULT = S3Encryption.NONE.configName();
  private static final String S3_SSE_DOC =
      "Server-side encryption requested for new pages: "
          + String.join(", ", S3Encryption.allNames())
          + ".";

  public static final String S3_SSE_KMS_KEY_ID = "storage.s3.sse.kms.key.id";
  private static final String S3_SSE_KMS_KEY_ID_DOC =
      "KMS key id or ARN for storage.s3.sse=aws:kms. Empty: the " + "AWS-managed key.";

  public static final String AZURE_CONTAINER = "storage.azure.container";
  private static final String AZURE_CONTAINER_DOC =
      "The container pages go to (it must exist). Required for azure.";

  public static final String AZURE_CONNECTION_STRING = "storage.azure.connection.string";
  private static final String AZURE_CONNECTION_STRING_DOC =
      "A storage account connection string (never logged), "
          + "as the Azure portal shows it, or BlobEndpoint=...;SharedAccessSignature=... to sign with a SAS token "
          + "instead of the account key. Set this, or storage.azure.account.name and storage.azure.account.key, or "
          + "neither (storage.azure.account.name or storage.azure.endpoint alone) to sign in with Microsoft "
          + "Entra ID.";

  public static final String AZURE_ACCOUNT_NAME = "storage.azure.account.name";
  private static final String AZURE_ACCOUNT_NAME_DOC =
      "The storage account, instead of "
          + "storage.azure.connection.string. With storage.azure.account.key, requests are signed with that key; "
          + "without it, the connector signs in with Microsoft Entra ID through the Azure SDK's "
          + "DefaultAzureCredential: a service principal from AZURE_CLIENT_ID, AZURE_TENANT_ID and "
          + "AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH), AKS workload identity, or the managed identity "
          + "of the VM, App Service or container the worker runs on. The identity needs a data role on the "
          + "container, such as Storage Blob Data Contributor.";

  public static final String AZURE_ACCOUNT_KEY = "storage.azure.account.key";
  private static final String AZURE_ACCOUNT_KEY_DOC =
      "The storage account's shared key (never logged). Set together "
          + "with storage.azure.account.name. Empty: sign in with Entra ID.";

  public static final String AZURE_ENDPOINT = "storage.azure.endpoint";
  private static final String AZURE_ENDPOINT_DOC =
      "Blob service endpoint used without a connection string, e.g. "
          + "http://127.0.0.1:10000/devstoreaccount1 for Azurite or a private endpoint's URL; it names the account, "
          + "so with Entra ID sign-in (which needs https://) storage.azure.account.name may be left empty. Empty: "
          + "https://<account>.blob.core.windows.net.";

  public static final String AZURE_MANAGED_IDENTITY_CLIENT_ID =
      "storage.azure.managed.identity.client.id";
  private static final String AZURE_MANAGED_IDENTITY_CLIENT_ID_DOC =
      "With Entra ID sign-in: the client id of the "
          + "user-assigned managed identity to sign in as, when the worker has several. Empty: the "
          + "system-assigned identity, or the one AZURE_CLIENT_ID names.";

  public static final String AZURE_BLOCK_SIZE_BYTES = "storage.azure.block.size.bytes";
  public static final long AZURE_BLOCK_SIZE_BYTES_DEFAULT = AzureSettings.DEFAULT_BLOCK_SIZE_BYTES;
  private static final String AZURE_BLOCK_SIZE_BYTES_DOC =
      "Pages larger than this are uploaded as blocks of this "
          + "size (each held in memory while it uploads) and committed as one blob. Between 1 MiB and 1 GiB.";

  public static final String GCS_BUCKET = "storage.gcs.bucket";
  private static final String GCS_BUCKET_DOC =
      "The bucket pages go to (it must exist). Required for gcs.";

  public static final String GCS_PROJECT_ID = "storage.gcs.project.id";
  private static final String GCS_PROJECT_ID_DOC =
      "The Google Cloud project. Empty: the credentials' own " + "(or GOOGLE_CLOUD_PROJECT).";

  public static final String GCS_CREDENTIALS_FILE = "storage.gcs.credentials.file";
  private static final String GCS_CREDENTIALS_FILE_DOC =
      "A service-account JSON key file. Empty: Application "
          + "Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud's login, the metadata server).";

  public static final String GCS_ENDPOINT = "storage.gcs.endpoint";
  private static final String GCS_ENDPOINT_DOC =
      "Another JSON API endpoint, e.g. an emulator's; requests go "
          + "unauthenticated unless storage.gcs.credentials.file is set. Empty: Google's.";

  public static final String GCS_CHUNK_SIZE_BYTES = "storage.gcs.chunk.size.bytes";
  public static final long GCS_CHUNK_SIZE_BYTES_DEFAULT = GcsSettings.DEFAULT_CHUNK_SIZE_BYTES;
  private static final String GCS_CHUNK_SIZE_BYTES_DOC =
      "Pages larger than this are uploaded as a resumable "
          + "upload in chunks of this size (each held in memory while it uploads). A multiple of 256 KiB between "
          + "1 MiB and 1 GiB.";

  private final AbstractConfig config;

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
        oneOf(StorageBackend.allNames()),
        Importance.HIGH,
        BACKEND_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Storage backend",
        List.of(
            FILESYSTEM_PATH,
            S3_BUCKET,
            S3_ENDPOINT,
            S3_REGION,
            S3_ACCESS_KEY,
            S3_SECRET_KEY,
            S3_SESSION_TOKEN,
            S3_PATH_STYLE,
            S3_PART_SIZE_BYTES,
            S3_STORAGE_CLASS,
            S3_SSE,
            S3_SSE_KMS_KEY_ID,
            AZURE_CONTAINER,
            AZURE_CONNECTION_STRING,
            AZURE_ACCOUNT_NAME,
            AZURE_ACCOUNT_KEY,
            AZURE_ENDPOINT,
            AZURE_MANAGED_IDENTITY_CLIENT_ID,
            AZURE_BLOCK_SIZE_BYTES,
            GCS_BUCKET,
            GCS_PROJECT_ID,
            GCS_CREDENTIALS_FILE,
            GCS_ENDPOINT,
            GCS_CHUNK_SIZE_BYTES,
            GCS_TLS_CA_FILE),
        new ChoiceRecommender(StorageBackend.allNames(), null));
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
        new OptionalValidator("a directory path", StorageConfig::isPath),
        Importance.HIGH,
        FILESYSTEM_PATH_DOC,
        GROUP_FILESYSTEM,
        1,
        Width.LONG,
        "Base directory",
        new ChoiceRecommender(List.of(), StorageBackend.FILESYSTEM));

    ChoiceRecommender s3Only = new ChoiceRecommender(List.of(), StorageBackend.S3);
    order = 0;
    def.define(
        S3_BUCKET,
        Type.STRING,
        null,
        new OptionalValidator(
            "a bucket name without '/' or spaces",
            v -> v.chars().noneMatch(c -> c == '/' || Character.isWhitespace(c))),
        Importance.HIGH,
        S3_BUCKET_DOC,
        GROUP_S3,
        ++order,
        Width.MEDIUM,
        "Bucket",
        s3Only);
    def.define(
        S3_ENDPOINT,
        Type.STRING,
        null,
        new OptionalValidator("an http:// or https:// URL", StorageConfig::isHttpUrl),
        Importance.MEDIUM,
        S3_ENDPOINT_DOC,
        GROUP_S3,
        ++order,
        Width.LONG,
        "Endpoint override",
        s3Only);
    def.define(
        S3_REGION,
        Type.STRING,
        null,
        new OptionalValidator("a region name such as us-east-1", v -> v.matches("[a-z0-9-]+")),
        Importance.MEDIUM,
        S3_REGION_DOC,
        GROUP_S3,
        ++order,
        Width.SHORT,
        "Region",
        s3Only);
    def.define(
        S3_ACCESS_KEY,
        Type.STRING,
        null,
        new OptionalValidator("a non-blank access key id", v -> !v.isBlank()),
        Importance.MEDIUM,
        S3_ACCESS_KEY_DOC,
        GROUP_S3,
        ++order,
        Width.MEDIUM,
        "Access key id",
        s3Only);
    def.define(
        S3_SECRET_KEY,
        Type.PASSWORD,
        null,
        Importance.MEDIUM,
        S3_SECRET_KEY_DOC,
        GROUP_S3,
        ++order,
        Width.MEDIUM,
        "Secret access key",
        s3Only);
    def.define(
        S3_SESSION_TOKEN,
        Type.PASSWORD,
        null,
        new SessionTokenValidator(),
        Importance.MEDIUM,
        S3_SESSION_TOKEN_DOC,
        GROUP_S3,
        ++order,
        Width.LONG,
        "Session token",
        s3Only);
    def.define(
        S3_PATH_STYLE,
        Type.BOOLEAN,
        S3_PATH_STYLE_DEFAULT,
        Importance.LOW,
        S3_PATH_STYLE_DOC,
        GROUP_S3,
        ++order,
        Width.SHORT,
        "Path-style access",
        s3Only);
    def.define(
        S3_TLS_CA_FILE,
        Type.STRING,
        null,
        Importance.LOW,
        S3_TLS_CA_FILE_DOC,
        GROUP_S3,
        ++order,
        Width.LONG,
        "TLS CA file",
        s3Only);
    def.define(
        S3_PART_SIZE_BYTES,
        Type.LONG,
        S3_PART_SIZE_BYTES_DEFAULT,
        ConfigDef.Range.between(S3Settings.MIN_PART_SIZE_BYTES, S3Settings.MAX_PART_SIZE_BYTES),
        Importance.LOW,
        S3_PART_SIZE_BYTES_DOC,
        GROUP_S3,
        ++order,
        Width.SHORT,
        "Multipart part size",
        s3Only);
    List<String> storageClasses =
        StorageClass.knownValues().stream().map(StorageClass::toString).sorted().toList();
    def.define(
        S3_STORAGE_CLASS,
        Type.STRING,
        null,
        new OptionalValidator("one of " + storageClasses, storageClasses::contains),
        Importance.LOW,
        S3_STORAGE_CLASS_DOC,
        GROUP_S3,
        ++order,
        Width.MEDIUM,
        "Storage class",
        new ChoiceRecommender(storageClasses, StorageBackend.S3));
    def.define(
        S3_SSE,
        Type.STRING,
        S3_SSE_DEFAULT,
        oneOf(S3Encryption.allNames()),
        Importance.LOW,
        S3_SSE_DOC,
        GROUP_S3,
        ++order,
        Width.SHORT,
        "Server-side encryption",
        List.of(S3_SSE_KMS_KEY_ID),
        new ChoiceRecommender(S3Encryption.allNames(), StorageBackend.S3));
    def.define(
        S3_SSE_KMS_KEY_ID,
        Type.STRING,
        null,
        new OptionalValidator("a non-blank KMS key id", v -> !v.isBlank()),
        Importance.LOW,
        S3_SSE_KMS_KEY_ID_DOC,
        GROUP_S3,
        ++order,
        Width.LONG,
        "KMS key id",
        s3Only);

    ChoiceRecommender azureOnly = new ChoiceRecommender(List.of(), StorageBackend.AZURE);
    order = 0;
    def.define(
        AZURE_CONTAINER,
        Type.STRING,
        null,
        new OptionalValidator(
            "a container name: 3-63 lower-case letters, digits and single hyphens",
            v -> v.matches("[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]")),
        Importance.HIGH,
        AZURE_CONTAINER_DOC,
        GROUP_AZURE,
        ++order,
        Width.MEDIUM,
        "Container",
        azureOnly);
    def.define(
        AZURE_CONNECTION_STRING,
        Type.PASSWORD,
        null,
        Importance.HIGH,
        AZURE_CONNECTION_STRING_DOC,
        GROUP_AZURE,
        ++order,
        Width.LONG,
        "Connection string",
        azureOnly);
    def.define(
        AZURE_ACCOUNT_NAME,
        Type.STRING,
        null,
        new OptionalValidator(
            "a storage account name: 3-24 lower-case letters and digits",
            v -> v.matches("[a-z0-9]{3,24}")),
        Importance.HIGH,
        AZURE_ACCOUNT_NAME_DOC,
        GROUP_AZURE,
        ++order,
        Width.MEDIUM,
        "Account name",
        azureOnly);
    def.define(
        AZURE_ACCOUNT_KEY,
        Type.PASSWORD,
        null,
        Importance.HIGH,
        AZURE_ACCOUNT_KEY_DOC,
        GROUP_AZURE,
        ++order,
        Width.LONG,
        "Account key",
        azureOnly);
    def.define(
        AZURE_ENDPOINT,
        Type.STRING,
        null,
        new OptionalValidator("an http:// or https:// URL", StorageConfig::isHttpUrl),
        Importance.MEDIUM,
        AZURE_ENDPOINT_DOC,
        GROUP_AZURE,
        ++order,
        Width.LONG,
        "Blob service endpoint",
        azureOnly);
    def.define(
        AZURE_MANAGED_IDENTITY_CLIENT_ID,
        Type.STRING,
        null,
        new OptionalValidator("a non-blank client id", v -> !v.isBlank()),
        Importance.LOW,
        AZURE_MANAGED_IDENTITY_CLIENT_ID_DOC,
        GROUP_AZURE,
        ++order,
        Width.MEDIUM,
        "Managed identity client id",
        azureOnly);
    def.define(
        AZURE_BLOCK_SIZE_BYTES,
        Type.LONG,
        AZURE_BLOCK_SIZE_BYTES_DEFAULT,
        ConfigDef.Range.between(
            AzureSettings.MIN_BLOCK_SIZE_BYTES, AzureSettings.MAX_BLOCK_SIZE_BYTES),
        Importance.LOW,
        AZURE_BLOCK_SIZE_BYTES_DOC,
        GROUP_AZURE,
        ++order,
        Width.SHORT,
        "Block size",
        azureOnly);
    def.define(
        AZURE_TLS_CA_FILE,
        Type.STRING,
        null,
        Importance.LOW,
        AZURE_TLS_CA_FILE_DOC,
        GROUP_AZURE,
        ++order,
        Width.LONG,
        "TLS CA file",
        azureOnly);

    ChoiceRecommender gcsOnly = new ChoiceRecommender(List.of(), StorageBackend.GCS);
    order = 0;
    def.define(
        GCS_BUCKET,
        Type.STRING,
        null,
        new OptionalValidator(
            "a bucket name without '/' or spaces",
            v -> v.chars().noneMatch(c -> c == '/' || Character.isWhitespace(c))),
        Importance.HIGH,
        GCS_BUCKET_DOC,
        GROUP_GCS,
        ++order,
        Width.MEDIUM,
        "Bucket",
        gcsOnly);
    def.define(
        GCS_PROJECT_ID,
        Type.STRING,
        null,
        new OptionalValidator(
            "a project id such as my-project-123", v -> v.matches("[a-z][a-z0-9-]{4,28}[a-z0-9]")),
        Importance.MEDIUM,
        GCS_PROJECT_ID_DOC,
        GROUP_GCS,
        ++order,
        Width.MEDIUM,
        "Project id",
        gcsOnly);
    def.define(
        GCS_CREDENTIALS_FILE,
        Type.STRING,
        null,
        new OptionalValidator("a file path", StorageConfig::isPath),
        Importance.HIGH,
        GCS_CREDENTIALS_FILE_DOC,
        GROUP_GCS,
        ++order,
        Width.LONG,
        "Credentials key file",
        gcsOnly);
    def.define(
        GCS_ENDPOINT,
        Type.STRING,
        null,
        new OptionalValidator("an http:// or https:// URL", StorageConfig::isHttpUrl),
        Importance.LOW,
        GCS_ENDPOINT_DOC,
        GROUP_GCS,
        ++order,
        Width.LONG,
        "Endpoint override",
        gcsOnly);
    def.define(
        GCS_CHUNK_SIZE_BYTES,
        Type.LONG,
        GCS_CHUNK_SIZE_BYTES_DEFAULT,
        new GcsChunkSizeValidator(),
        Importance.LOW,
        GCS_CHUNK_SIZE_BYTES_DOC,
        GROUP_GCS,
        ++order,
        Width.SHORT,
        "Resumable chunk size",
        gcsOnly);
    def.define(
        GCS_TLS_CA_FILE,
        Type.STRING,
        null,
        Importance.LOW,
        GCS_TLS_CA_FILE_DOC,
        GROUP_GCS,
        ++order,
        Width.LONG,
        "TLS CA file",
        gcsOnly);
    return def;
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
    return optional(FILESYSTEM_PATH).map(Path::of);
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

  public Optional<String> s3Bucket() {
    return optional(S3_BUCKET);
  }

  public Optional<URI> s3Endpoint() {
    return optional(S3_ENDPOINT).map(URI::create);
  }

  public Optional<String> s3Region() {
    return optional(S3_REGION);
  }

  public Optional<String> s3AccessKey() {
    return optional(S3_ACCESS_KEY);
  }

  public Optional<Password> s3SecretKey() {
    return password(S3_SECRET_KEY);
  }

  /** The session token of temporary credentials; empty when none is set (or it is empty). */
  public Optional<Password> s3SessionToken() {
    return password(S3_SESSION_TOKEN);
  }

  public boolean s3PathStyle() {
    return config.getBoolean(S3_PATH_STYLE);
  }

  public long s3PartSizeBytes() {
    return config.getLong(S3_PART_SIZE_BYTES);
  }

  public Optional<String> s3StorageClass() {
    return optional(S3_STORAGE_CLASS);
  }

  public S3Encryption s3Encryption() {
    return S3Encryption.fromName(config.getString(S3_SSE))
        .orElseThrow(); // the validator guarantees it
  }

  public Optional<String> s3KmsKeyId() {
    return optional(S3_SSE_KMS_KEY_ID);
  }

  public Optional<String> azureContainer() {
    return optional(AZURE_CONTAINER);
  }

  public Optional<Password> azureConnectionString() {
    return password(AZURE_CONNECTION_STRING);
  }

  public Optional<String> azureAccountName() {
    return optional(AZURE_ACCOUNT_NAME);
  }

  public Optional<Password> azureAccountKey() {
    return password(AZURE_ACCOUNT_KEY);
  }

  public Optional<URI> azureEndpoint() {
    return optional(AZURE_ENDPOINT).map(URI::create);
  }

  public Optional<String> azureManagedIdentityClientId() {
    return optional(AZURE_MANAGED_IDENTITY_CLIENT_ID);
  }

  public long azureBlockSizeBytes() {
    return config.getLong(AZURE_BLOCK_SIZE_BYTES);
  }

  /**
   * The Azure backend's settings.
   *
   * @throws ConfigException when {@link #crossKeyErrors()} has Azure problems (e.g. no container)
   */
  public AzureSettings azureSettings() {
    requireNoCrossKeyErrors();
    return new AzureSettings(
        azureContainer().orElseThrow(),
        azureConnectionString().orElse(null),
        azureAccountName().orElse(null),
        azureAccountKey().orElse(null),
        azureEndpoint().orElse(null),
        azureManagedIdentityClientId().orElse(null),
        azureBlockSizeBytes(),
        optional(AZURE_TLS_CA_FILE).map(file -> TlsCaFile.load(Path.of(file))).orElse(null));
  }

  public Optional<String> gcsBucket() {
    return optional(GCS_BUCKET);
  }

  public Optional<String> gcsProjectId() {
    return optional(GCS_PROJECT_ID);
  }

  public Optional<Path> gcsCredentialsFile() {
    return optional(GCS_CREDENTIALS_FILE).map(Path::of);
  }

  public Optional<URI> gcsEndpoint() {
    return optional(GCS_ENDPOINT).map(URI::create);
  }

  public long gcsChunkSizeBytes() {
    return config.getLong(GCS_CHUNK_SIZE_BYTES);
  }

  /**
   * The GCS backend's settings.
   *
   * @throws ConfigException when {@link #crossKeyErrors()} has GCS problems (no bucket)
   */
  public GcsSettings gcsSettings() {
    requireNoCrossKeyErrors();
    return new GcsSettings(
        gcsBucket().orElseThrow(),
        gcsProjectId().orElse(null),
        gcsCredentialsFile().orElse(null),
        gcsEndpoint().orElse(null),
        gcsChunkSizeBytes(),
        optional(GCS_TLS_CA_FILE).map(file -> TlsCaFile.load(Path.of(file))).orElse(null));
  }

  /**
   * The S3 backend's settings.
   *
   * @throws ConfigException when {@link #crossKeyErrors()} has S3 problems (e.g. no bucket)
   */
  public S3Settings s3Settings() {
    requireNoCrossKeyErrors();
    return new S3Settings(
        s3Bucket().orElseThrow(),
        s3Region().orElse(null),
        s3Endpoint().orElse(null),
        s3PathStyle(),
        s3AccessKey().orElse(null),
        s3SecretKey().orElse(null),
        s3SessionToken().orElse(null),
        s3PartSizeBytes(),
        s3StorageClass().orElse(null),
        s3Encryption(),
        s3KmsKeyId().orElse(null),
        s3TlsCa());
  }

  /** The CA file, read now; null when none is set. Its errors are in {@link #crossKeyErrors}. */
  private TlsCaFile s3TlsCa() {
    return optional(S3_TLS_CA_FILE).map(file -> TlsCaFile.load(Path.of(file))).orElse(null);
  }

  /**
   * Problems that involve more than one key, each attached to every key involved (key → messages,
   * in definition order). Empty when the storage config is usable.
   */
  public Map<String, List<String>> crossKeyErrors() {
    Map<String, List<String>> errors = new LinkedHashMap<>();
    StorageBackend backend = backend();
    if (backend == StorageBackend.FILESYSTEM && filesystemPath().isEmpty()) {
      addError(
          errors,
          "storage.backend is filesystem but " + FILESYSTEM_PATH + " is not set",
          BACKEND,
          FILESYSTEM_PATH);
    }
    if (backend == StorageBackend.S3) {
      if (s3Bucket().isEmpty()) {
        addError(
            errors,
            "storage.backend is " + config.getString(BACKEND) + " but " + S3_BUCKET + " is not set",
            BACKEND,
            S3_BUCKET);
      }
      if (s3AccessKey().isPresent() != s3SecretKey().isPresent()) {
        addError(
            errors,
            "set both "
                + S3_ACCESS_KEY
                + " and "
                + S3_SECRET_KEY
                + ", or neither (to use the AWS default credentials chain)",
            S3_ACCESS_KEY,
            S3_SECRET_KEY);
      }
      if (s3SessionToken().isPresent() && (s3AccessKey().isEmpty() || s3SecretKey().isEmpty())) {
        addError(
            errors,
            S3_SESSION_TOKEN
                + " is set but "
                + (s3AccessKey().isEmpty() && s3SecretKey().isEmpty()
                    ? S3_ACCESS_KEY + " and " + S3_SECRET_KEY + " are not"
                    : (s3AccessKey().isEmpty() ? S3_ACCESS_KEY : S3_SECRET_KEY) + " is not")
                + ": a session token is only valid with the temporary access key and secret key it"
                + " was issued with (set all three, or none to use the AWS default credentials"
                + " chain)",
            S3_ACCESS_KEY,
            S3_SECRET_KEY,
            S3_SESSION_TOKEN);
      }
      TlsSettingChecks.checkCaFile(
          errors,
          S3_TLS_CA_FILE,
          optional(S3_TLS_CA_FILE),
          S3_ENDPOINT,
          s3Endpoint().map(URI::toString),
          "https");
      if (s3KmsKeyId().isPresent() && s3Encryption() != S3Encryption.AWS_KMS) {
        addError(
            errors,
            S3_SSE_KMS_KEY_ID
                + " is set but "
                + S3_SSE
                + " is "
                + config.getString(S3_SSE)
                + ", not "
                + S3Encryption.AWS_KMS.configName(),
            S3_SSE,
            S3_SSE_KMS_KEY_ID);
      }
    }
    if (backend == StorageBackend.AZURE) {
      if (azureContainer().isEmpty()) {
        addError(
            errors,
            "storage.backend is azure but " + AZURE_CONTAINER + " is not set",
            BACKEND,
            AZURE_CONTAINER);
      }
      azureCredentialErrors(errors);
    }
    if (backend == StorageBackend.GCS) {
      if (gcsBucket().isEmpty()) {
        addError(
            errors,
            "storage.backend is "
                + config.getString(BACKEND)
                + " but "
                + GCS_BUCKET
                + " is not set",
            BACKEND,
            GCS_BUCKET);
      }
      TlsSettingChecks.checkCaFile(
          errors,
          GCS_TLS_CA_FILE,
          optional(GCS_TLS_CA_FILE),
          GCS_ENDPOINT,
          optional(GCS_ENDPOINT),
          "https");
    }
    return errors;
  }

  /**
   * How the Azure backend signs its requests: a connection string; an account name and key; or,
   * with neither a connection string nor a key, Entra ID (DefaultAzureCredential) for the account
   * the name or endpoint gives.
   */
  private void azureCredentialErrors(Map<String, List<String>> errors) {
    boolean connectionString = azureConnectionString().isPresent();
    boolean name = azureAccountName().isPresent();
    boolean key = azureAccountKey().isPresent();
    boolean endpoint = azureEndpoint().isPresent();
    if (connectionString && (name || key)) {
      addError(
          errors,
          "set either "
              + AZURE_CONNECTION_STRING
              + ", or "
              + AZURE_ACCOUNT_NAME
              + " (with "
              + AZURE_ACCOUNT_KEY
              + ", or without it to sign in with Entra ID), not both",
          AZURE_CONNECTION_STRING,
          AZURE_ACCOUNT_NAME,
          AZURE_ACCOUNT_KEY);
    } else if (key && !name) {
      addError(
          errors,
          AZURE_ACCOUNT_KEY + " is set but " + AZURE_ACCOUNT_NAME + " is not: set both",
          AZURE_ACCOUNT_NAME,
          AZURE_ACCOUNT_KEY);
    } else if (!connectionString && !name && !endpoint) {
      addError(
          errors,
          "storage.backend is azure but no account is given: set "
              + AZURE_CONNECTION_STRING
              + ", or "
              + AZURE_ACCOUNT_NAME
              + " and "
              + AZURE_ACCOUNT_KEY
              + ", or "
              + AZURE_ACCOUNT_NAME
              + " (or "
              + AZURE_ENDPOINT
              + ") alone to sign in with Entra ID",
          AZURE_CONNECTION_STRING,
          AZURE_ACCOUNT_NAME,
          AZURE_ACCOUNT_KEY);
    }
    if (endpoint
        && !connectionString
        && !key
        && !"https".equalsIgnoreCase(azureEndpoint().get().getScheme())) {
      addError(
          errors,
          AZURE_ENDPOINT
              + " must be an https:// URL to sign in with Entra ID (no "
              + AZURE_ACCOUNT_KEY
              + "): the Azure SDK sends tokens over HTTPS only",
          AZURE_ENDPOINT,
          AZURE_ACCOUNT_KEY);
    }
    if (endpoint && connectionString) {
      addError(
          errors,
          AZURE_ENDPOINT
              + " is used without a connection string; a connection string "
              + "names its own endpoint (BlobEndpoint=...)",
          AZURE_ENDPOINT,
          AZURE_CONNECTION_STRING);
    }
    if (azureManagedIdentityClientId().isPresent() && (connectionString || key)) {
      String other = connectionString ? AZURE_CONNECTION_STRING : AZURE_ACCOUNT_KEY;
      addError(
          errors,
          AZURE_MANAGED_IDENTITY_CLIENT_ID
              + " is for signing in with Entra ID, but "
              + other
              + " is set (remove one of them)",
          AZURE_MANAGED_IDENTITY_CLIENT_ID,
          other);
    }
    TlsSettingChecks.checkCaFile(
        errors,
        AZURE_TLS_CA_FILE,
        optional(AZURE_TLS_CA_FILE),
        AZURE_ENDPOINT,
        optional(AZURE_ENDPOINT),
        "https");
  }

  /**
   * @throws ConfigException naming the first key with a cross-key problem
   */
  public void requireNoCrossKeyErrors() {
    Map<String, List<String>> errors = crossKeyErrors();
    if (!errors.isEmpty()) {
      Map.Entry<String, List<String>> first = errors.entrySet().iterator().next();
      throw new ConfigException(
          "Invalid storage configuration: "
              + String.join(
                  "; ", errors.values().stream().flatMap(List::stream).distinct().toList())
              + " (key "
              + first.getKey()
              + ")");
    }
  }

  @Override
  public String toString() {
    // AbstractConfig's values print passwords as [hidden].
    return "StorageConfig" + config.values();
  }

  private Optional<String> optional(String key) {
    String value = config.getString(key);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  private Optional<Password> password(String key) {
    return Optional.ofNullable(config.getPassword(key))
        .filter(p -> p.value() != null && !p.value().isEmpty());
  }

  private static void addError(Map<String, List<String>> errors, String message, String... keys) {
    for (String key : keys) {
      errors.computeIfAbsent(key, k -> new ArrayList<>()).add(message);
    }
  }

  private static boolean isPath(String value) {
    try {
      Path.of(value);
      return !value.isBlank();
    } catch (InvalidPathException e) {
      return false;
    }
  }

  private static boolean isHttpUrl(String value) {
    try {
      URI uri = new URI(value);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static ConfigDef.Validator oneOf(List<String> names) {
    return new ConfigDef.Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        if (value == null
            || names.stream().noneMatch(n -> n.equalsIgnoreCase(((String) value).trim()))) {
          throw new ConfigException(name, value, "must be one of " + names);
        }
      }

      @Override
      public String toString() {
        return String.join(", ", names);
      }
    };
  }

  /** Accepts null/empty (the key is optional); otherwise the value must satisfy {@code check}. */
  private record OptionalValidator(String expected, Predicate<String> check)
      implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      if (value == null || ((String) value).isEmpty()) {
        return;
      }
      if (!check.test(((String) value).trim())) {
        throw new ConfigException(name, value, "must be " + expected);
      }
    }

    @Override
    public String toString() {
      return expected;
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

  /** Resumable upload chunks: whole multiples of 256 KiB, within the settings' bounds. */
  private static final class GcsChunkSizeValidator implements ConfigDef.Validator {
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

  /**
   * Recommends {@code choices} and shows the key only while {@code backend} is chosen ({@code
   * null}: always).
   */
  static final class ChoiceRecommender implements ConfigDef.Recommender {
    private final List<Object> choices;
    private final StorageBackend backend;

    ChoiceRecommender(List<String> choices, StorageBackend backend) {
      this.choices = List.copyOf(choices);
      this.backend = backend;
    }

    @Override
    public List<Object> validValues(String name, Map<String, Object> parsedConfig) {
      return choices;
    }

    @Override
    public boolean visible(String name, Map<String, Object> parsedConfig) {
      if (backend == null) {
        return true;
      }
      Object chosen = parsedConfig.get(BACKEND);
      return StorageBackend.fromName(chosen == null ? BACKEND_DEFAULT : chosen.toString())
          .map(b -> b == backend)
          .orElse(false);
    }
  }
}
