package io.prism.snapshotter.storage;

import io.prism.snapshotter.util.TlsCaFile;
import java.net.URI;
import java.util.Objects;
import org.apache.kafka.common.config.types.Password;

/**
 * Everything the Azure Blob Storage backend needs, as typed values. Give a connection string; or an
 * account name and key (with an optional endpoint, e.g. Azurite's {@code
 * http://127.0.0.1:10000/devstoreaccount1}); or an account name or endpoint with neither, to sign
 * in with Microsoft Entra ID through the SDK's {@code DefaultAzureCredential} (managed identity,
 * workload identity, or a service principal from {@code AZURE_*} environment variables).
 *
 * @param container the container pages go to (it must exist)
 * @param connectionString a storage connection string; a {@link Password} because it holds the
 *     account key
 * @param accountName the storage account (optional with an {@code endpoint}, which names it)
 * @param accountKey the account's shared key; a {@link Password} so it never prints; {@code null}
 *     with a connection string, or to sign in with Entra ID
 * @param endpoint the blob service endpoint; {@code null} for {@code
 *     https://<account>.blob.core.windows.net}
 * @param managedIdentityClientId the client id of the user-assigned managed identity to sign in as
 *     (Entra ID only); {@code null} for the credential's default (system-assigned, or the one
 *     {@code AZURE_CLIENT_ID} names)
 * @param blockSizeBytes objects larger than this are staged as blocks of this size and committed as
 *     one blob
 * @param tlsCa the CAs an https endpoint's certificate must be signed by (Azure Stack Hub, a proxy
 *     or emulator with a private CA), or {@code null} for the JVM's trust store
 */
public record AzureSettings(
    String container,
    Password connectionString,
    String accountName,
    Password accountKey,
    URI endpoint,
    String managedIdentityClientId,
    long blockSizeBytes,
    TlsCaFile tlsCa) {

  /** The setting that names {@link #tlsCa}: error messages point at it. */
  public static final String TLS_CA_SETTING = "storage.azure.tls.ca.file";

  /**
   * Small enough to keep each staged block cheap to retry, large enough to keep blocks per page
   * few.
   */
  public static final long MIN_BLOCK_SIZE_BYTES = 1024L * 1024;

  /**
   * Blocks are held in memory while they upload, so they stay well below Azure's 4000 MiB maximum.
   */
  public static final long MAX_BLOCK_SIZE_BYTES = 1024L * 1024 * 1024;

  public static final long DEFAULT_BLOCK_SIZE_BYTES = 8L * 1024 * 1024;

  public AzureSettings {
    if (container == null || container.isBlank()) {
      throw new IllegalArgumentException("an Azure container is required");
    }
    if (connectionString != null
        && (accountName != null || accountKey != null || endpoint != null)) {
      throw new IllegalArgumentException(
          "a connection string names its own account, key and endpoint");
    }
    if (connectionString == null && accountName == null && endpoint == null) {
      throw new IllegalArgumentException(
          "give a connection string, an account name, or an endpoint");
    }
    if (accountKey != null && accountName == null) {
      throw new IllegalArgumentException("an account key needs its account name");
    }
    if (managedIdentityClientId != null && (connectionString != null || accountKey != null)) {
      throw new IllegalArgumentException(
          "a managed identity client id is for signing in with Entra ID, "
              + "not with a connection string or account key");
    }
    if (connectionString == null
        && accountKey == null
        && endpoint != null
        && !"https".equalsIgnoreCase(endpoint.getScheme())) {
      throw new IllegalArgumentException(
          "signing in with Entra ID needs an https:// endpoint: " + endpoint);
    }
    if (tlsCa != null) {
      tlsCa.requireHttps(endpoint);
    }
    if (blockSizeBytes < MIN_BLOCK_SIZE_BYTES || blockSizeBytes > MAX_BLOCK_SIZE_BYTES) {
      throw new IllegalArgumentException(
          "block size must be between "
              + MIN_BLOCK_SIZE_BYTES
              + " and "
              + MAX_BLOCK_SIZE_BYTES
              + " bytes: "
              + blockSizeBytes);
    }
  }

  /** Settings that trust the JVM's trust store. */
  public AzureSettings(
      String container,
      Password connectionString,
      String accountName,
      Password accountKey,
      URI endpoint,
      String managedIdentityClientId,
      long blockSizeBytes) {
    this(
        container,
        connectionString,
        accountName,
        accountKey,
        endpoint,
        managedIdentityClientId,
        blockSizeBytes,
        null);
  }

  /** Settings for {@code container} reached through a connection string. */
  public static AzureSettings ofConnectionString(String container, Password connectionString) {
    return new AzureSettings(
        container,
        Objects.requireNonNull(connectionString, "connectionString"),
        null,
        null,
        null,
        null,
        DEFAULT_BLOCK_SIZE_BYTES);
  }

  /** Settings for {@code container} in {@code accountName}, signed with its shared key. */
  public static AzureSettings ofAccountKey(
      String container, String accountName, Password accountKey, URI endpoint) {
    return new AzureSettings(
        container,
        null,
        Objects.requireNonNull(accountName, "accountName"),
        Objects.requireNonNull(accountKey, "accountKey"),
        endpoint,
        null,
        DEFAULT_BLOCK_SIZE_BYTES);
  }

  /**
   * Settings for {@code container} in {@code accountName} (or at {@code endpoint}, which names the
   * account), signed in with Entra ID through {@code DefaultAzureCredential}.
   */
  public static AzureSettings ofEntraId(String container, String accountName, URI endpoint) {
    return new AzureSettings(
        container, null, accountName, null, endpoint, null, DEFAULT_BLOCK_SIZE_BYTES);
  }

  public AzureSettings withContainer(String container) {
    return new AzureSettings(
        container,
        connectionString,
        accountName,
        accountKey,
        endpoint,
        managedIdentityClientId,
        blockSizeBytes,
        tlsCa);
  }

  public AzureSettings withBlockSizeBytes(long blockSizeBytes) {
    return new AzureSettings(
        container,
        connectionString,
        accountName,
        accountKey,
        endpoint,
        managedIdentityClientId,
        blockSizeBytes,
        tlsCa);
  }

  public AzureSettings withManagedIdentityClientId(String managedIdentityClientId) {
    return new AzureSettings(
        container,
        connectionString,
        accountName,
        accountKey,
        endpoint,
        managedIdentityClientId,
        blockSizeBytes,
        tlsCa);
  }

  /** Trusts the CAs of {@code tlsCa} (null: the JVM's trust store) for an https endpoint. */
  public AzureSettings withTlsCa(TlsCaFile tlsCa) {
    return new AzureSettings(
        container,
        connectionString,
        accountName,
        accountKey,
        endpoint,
        managedIdentityClientId,
        blockSizeBytes,
        tlsCa);
  }

  /**
   * True when the store signs in with Entra ID: neither a connection string nor an account key is
   * given.
   */
  public boolean signsInWithEntraId() {
    return connectionString == null && accountKey == null;
  }

  /**
   * The blob service endpoint without a connection string (the public Azure one unless overridden).
   */
  public URI serviceEndpoint() {
    if (endpoint != null) {
      return endpoint;
    }
    return accountName == null
        ? null
        : URI.create("https://" + accountName + ".blob.core.windows.net");
  }

  /**
   * Where objects go, for messages: {@code azure://account/container} plus a non-default endpoint,
   * or {@code azure://container} with a connection string (whose parts are all treated as secret),
   * and {@code (Entra ID)} when signing in that way. Never a key.
   */
  public String describe() {
    if (connectionString != null) {
      return "azure://" + container + " (connection string)";
    }
    return "azure://"
        + (accountName == null ? "" : accountName + "/")
        + container
        + (endpoint == null ? "" : " at " + endpoint)
        + (signsInWithEntraId() ? " (Entra ID)" : "");
  }

  @Override
  public String toString() {
    // Password prints as [hidden] already; spelled out so a future field cannot leak by accident.
    return "AzureSettings[container="
        + container
        + ", connectionString="
        + (connectionString == null ? null : "[hidden]")
        + ", accountName="
        + accountName
        + ", accountKey="
        + (accountKey == null ? null : "[hidden]")
        + ", endpoint="
        + endpoint
        + ", managedIdentityClientId="
        + managedIdentityClientId
        + ", blockSizeBytes="
        + blockSizeBytes
        + ", tlsCa="
        + tlsCa
        + "]";
  }
}
