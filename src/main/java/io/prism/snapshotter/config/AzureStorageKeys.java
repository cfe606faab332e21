package io.prism.snapshotter.config;

import io.prism.snapshotter.storage.AzureSettings;
import io.prism.snapshotter.storage.StorageBackend;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

/**
 * The {@code storage.azure.*} keys ({@code storage.backend} azure): their definitions, the rules
 * between them, and the {@link AzureSettings} they make. Part of {@link StorageConfig}.
 */
public final class AzureStorageKeys {
  public static final String GROUP = "Storage: Azure Blob Storage";

  public static final String TLS_CA_FILE = AzureSettings.TLS_CA_SETTING;
  private static final String TLS_CA_FILE_DOC =
      "A PEM file of the CA certificates that an https:// storage.azure.endpoint's certificate must"
          + " be signed by, instead of the JVM's trust store (Azure Stack Hub, a proxy or an emulator"
          + " with a private CA, without making the whole Connect worker trust it); with a"
          + " connection string, its BlobEndpoint's (signing in with Entra ID still uses the JVM's"
          + " trust store). Read when the connector starts: a missing file"
          + " or one without a certificate is a configuration error. The certificate must also name"
          + " the endpoint's host. Empty: the JVM's trust store.";

  public static final String CONTAINER = "storage.azure.container";
  private static final String CONTAINER_DOC =
      "The container pages go to (it must exist). Required for azure.";

  public static final String CONNECTION_STRING = "storage.azure.connection.string";
  private static final String CONNECTION_STRING_DOC =
      "A storage account connection string (never logged), "
          + "as the Azure portal shows it, or BlobEndpoint=...;SharedAccessSignature=... to sign with a SAS token "
          + "instead of the account key. Set this, or storage.azure.account.name and storage.azure.account.key, or "
          + "neither (storage.azure.account.name or storage.azure.endpoint alone) to sign in with Microsoft "
          + "Entra ID.";

  public static final String ACCOUNT_NAME = "storage.azure.account.name";
  private static final String ACCOUNT_NAME_DOC =
      "The storage account, instead of "
          + "storage.azure.connection.string. With storage.azure.account.key, requests are signed with that key; "
          + "without it, the connector signs in with Microsoft Entra ID through the Azure SDK's "
          + "DefaultAzureCredential: a service principal from AZURE_CLIENT_ID, AZURE_TENANT_ID and "
          + "AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH), AKS workload identity, or the managed identity "
          + "of the VM, App Service or container the worker runs on. The identity needs a data role on the "
          + "container, such as Storage Blob Data Contributor.";

  public static final String ACCOUNT_KEY = "storage.azure.account.key";
  private static final String ACCOUNT_KEY_DOC =
      "The storage account's shared key (never logged). Set together "
          + "with storage.azure.account.name. Empty: sign in with Entra ID.";

  public static final String ENDPOINT = "storage.azure.endpoint";
  private static final String ENDPOINT_DOC =
      "Blob service endpoint used without a connection string, e.g. "
          + "http://127.0.0.1:10000/devstoreaccount1 for Azurite or a private endpoint's URL; it names the account, "
          + "so with Entra ID sign-in (which needs https://) storage.azure.account.name may be left empty. Empty: "
          + "https://<account>.blob.core.windows.net.";

  public static final String MANAGED_IDENTITY_CLIENT_ID =
      "storage.azure.managed.identity.client.id";
  private static final String MANAGED_IDENTITY_CLIENT_ID_DOC =
      "With Entra ID sign-in: the client id of the "
          + "user-assigned managed identity to sign in as, when the worker has several. Empty: the "
          + "system-assigned identity, or the one AZURE_CLIENT_ID names.";

  public static final String BLOCK_SIZE_BYTES = "storage.azure.block.size.bytes";
  public static final long BLOCK_SIZE_BYTES_DEFAULT = AzureSettings.DEFAULT_BLOCK_SIZE_BYTES;
  private static final String BLOCK_SIZE_BYTES_DOC =
      "Pages larger than this are uploaded as blocks of this "
          + "size (each held in memory while it uploads) and committed as one blob. Between 1 MiB and 1 GiB.";

  private AzureStorageKeys() {}

  /** The keys in definition order, for {@code storage.backend}'s dependents. */
  static final List<String> KEYS =
      List.of(
          CONTAINER,
          CONNECTION_STRING,
          ACCOUNT_NAME,
          ACCOUNT_KEY,
          ENDPOINT,
          MANAGED_IDENTITY_CLIENT_ID,
          BLOCK_SIZE_BYTES,
          TLS_CA_FILE);

  static void define(ConfigDef def) {
    BackendRecommender azureOnly = new BackendRecommender(List.of(), StorageBackend.AZURE);
    int order = 0;
    def.define(
        CONTAINER,
        Type.STRING,
        null,
        KeyValidators.optional(
            "a container name: 3-63 lower-case letters, digits and single hyphens",
            v -> v.matches("[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]")),
        Importance.HIGH,
        CONTAINER_DOC,
        GROUP,
        ++order,
        Width.MEDIUM,
        "Container",
        azureOnly);
    def.define(
        CONNECTION_STRING,
        Type.PASSWORD,
        null,
        Importance.HIGH,
        CONNECTION_STRING_DOC,
        GROUP,
        ++order,
        Width.LONG,
        "Connection string",
        azureOnly);
    def.define(
        ACCOUNT_NAME,
        Type.STRING,
        null,
        KeyValidators.optional(
            "a storage account name: 3-24 lower-case letters and digits",
            v -> v.matches("[a-z0-9]{3,24}")),
        Importance.HIGH,
        ACCOUNT_NAME_DOC,
        GROUP,
        ++order,
        Width.MEDIUM,
        "Account name",
        azureOnly);
    def.define(
        ACCOUNT_KEY,
        Type.PASSWORD,
        null,
        Importance.HIGH,
        ACCOUNT_KEY_DOC,
        GROUP,
        ++order,
        Width.LONG,
        "Account key",
        azureOnly);
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
        "Blob service endpoint",
        azureOnly);
    def.define(
        MANAGED_IDENTITY_CLIENT_ID,
        Type.STRING,
        null,
        KeyValidators.optional("a non-blank client id", v -> !v.isBlank()),
        Importance.LOW,
        MANAGED_IDENTITY_CLIENT_ID_DOC,
        GROUP,
        ++order,
        Width.MEDIUM,
        "Managed identity client id",
        azureOnly);
    def.define(
        BLOCK_SIZE_BYTES,
        Type.LONG,
        BLOCK_SIZE_BYTES_DEFAULT,
        ConfigDef.Range.between(
            AzureSettings.MIN_BLOCK_SIZE_BYTES, AzureSettings.MAX_BLOCK_SIZE_BYTES),
        Importance.LOW,
        BLOCK_SIZE_BYTES_DOC,
        GROUP,
        ++order,
        Width.SHORT,
        "Block size",
        azureOnly);
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
        azureOnly);
  }

  /** The Azure settings of {@code values}, which must have no cross-key errors. */
  static AzureSettings settings(ConfigValues values) {
    return new AzureSettings(
        values.optional(CONTAINER).orElseThrow(),
        values.password(CONNECTION_STRING).orElse(null),
        values.optional(ACCOUNT_NAME).orElse(null),
        values.password(ACCOUNT_KEY).orElse(null),
        values.uri(ENDPOINT).orElse(null),
        values.optional(MANAGED_IDENTITY_CLIENT_ID).orElse(null),
        values.config().getLong(BLOCK_SIZE_BYTES),
        TlsFiles.caFile(values, TLS_CA_FILE));
  }

  /** Adds the problems between the Azure keys, Azure being chosen, to {@code errors}. */
  static void addCrossKeyErrors(ConfigValues values, Map<String, List<String>> errors) {
    if (values.optional(CONTAINER).isEmpty()) {
      KeyErrors.add(
          errors,
          "storage.backend is azure but " + CONTAINER + " is not set",
          StorageConfig.BACKEND,
          CONTAINER);
    }
    addCredentialErrors(values, errors);
  }

  /**
   * How the Azure backend signs its requests: a connection string; an account name and key; or,
   * with neither a connection string nor a key, Entra ID (DefaultAzureCredential) for the account
   * the name or endpoint gives.
   */
  private static void addCredentialErrors(ConfigValues values, Map<String, List<String>> errors) {
    boolean connectionString = values.password(CONNECTION_STRING).isPresent();
    boolean name = values.optional(ACCOUNT_NAME).isPresent();
    boolean key = values.password(ACCOUNT_KEY).isPresent();
    boolean endpoint = values.optional(ENDPOINT).isPresent();
    if (connectionString && (name || key)) {
      KeyErrors.add(
          errors,
          "set either "
              + CONNECTION_STRING
              + ", or "
              + ACCOUNT_NAME
              + " (with "
              + ACCOUNT_KEY
              + ", or without it to sign in with Entra ID), not both",
          CONNECTION_STRING,
          ACCOUNT_NAME,
          ACCOUNT_KEY);
    } else if (key && !name) {
      KeyErrors.add(
          errors,
          ACCOUNT_KEY + " is set but " + ACCOUNT_NAME + " is not: set both",
          ACCOUNT_NAME,
          ACCOUNT_KEY);
    } else if (!connectionString && !name && !endpoint) {
      KeyErrors.add(
          errors,
          "storage.backend is azure but no account is given: set "
              + CONNECTION_STRING
              + ", or "
              + ACCOUNT_NAME
              + " and "
              + ACCOUNT_KEY
              + ", or "
              + ACCOUNT_NAME
              + " (or "
              + ENDPOINT
              + ") alone to sign in with Entra ID",
          CONNECTION_STRING,
          ACCOUNT_NAME,
          ACCOUNT_KEY);
    }
    if (endpoint
        && !connectionString
        && !key
        && !"https".equalsIgnoreCase(values.uri(ENDPOINT).orElseThrow().getScheme())) {
      KeyErrors.add(
          errors,
          ENDPOINT
              + " must be an https:// URL to sign in with Entra ID (no "
              + ACCOUNT_KEY
              + "): the Azure SDK sends tokens over HTTPS only",
          ENDPOINT,
          ACCOUNT_KEY);
    }
    if (endpoint && connectionString) {
      KeyErrors.add(
          errors,
          ENDPOINT
              + " is used without a connection string; a connection string "
              + "names its own endpoint (BlobEndpoint=...)",
          ENDPOINT,
          CONNECTION_STRING);
    }
    if (values.optional(MANAGED_IDENTITY_CLIENT_ID).isPresent() && (connectionString || key)) {
      String other = connectionString ? CONNECTION_STRING : ACCOUNT_KEY;
      KeyErrors.add(
          errors,
          MANAGED_IDENTITY_CLIENT_ID
              + " is for signing in with Entra ID, but "
              + other
              + " is set (remove one of them)",
          MANAGED_IDENTITY_CLIENT_ID,
          other);
    }
    TlsSettingChecks.checkCaFile(
        errors,
        TLS_CA_FILE,
        values.optional(TLS_CA_FILE),
        ENDPOINT,
        values.optional(ENDPOINT),
        "https");
  }
}
