package io.prism.snapshotter.storage;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.rest.PagedResponse;
import com.azure.core.http.rest.Response;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobItemProperties;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ObjectStore} on Azure Blob Storage (or Azurite), through the Azure SDK's synchronous
 * container client on the JDK's own HTTP client.
 *
 * <ul>
 *   <li>Objects up to the block size go up in one Put Blob; larger ones are staged as blocks of
 *       that size and committed with Put Block List. Block ids carry a random upload id, so two
 *       writers racing for one key never commit each other's blocks. Uncommitted blocks of a failed
 *       upload are discarded by Azure (after a week at most); there is nothing to abort. Each block
 *       is held in memory while it uploads, so the SDK can retry it.
 *   <li>Create-only writes send {@code If-None-Match: *} with Put Blob or Put Block List; Azure
 *       then answers 409 {@code BlobAlreadyExists} (or 412), which becomes {@link
 *       ObjectAlreadyExistsException}.
 *   <li>Metadata names are stored as C# identifiers (see {@link AzureMetadataNames}) and read back
 *       unchanged.
 *   <li>Errors are classified by {@link AzureErrors}.
 * </ul>
 */
public final class AzureObjectStore implements ObjectStore {

  private static final Logger log = LoggerFactory.getLogger(AzureObjectStore.class);

  /** A few quick tries inside the SDK; the sink's own retry loop handles longer outages. */
  private static final RequestRetryOptions RETRIES =
      new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, 3, 60, 200L, 2000L, null);

  private static final String PUBLIC_AZURE_HOST_SUFFIX = ".blob.core.windows.net";

  private final BlobContainerClient container;
  private final AzureSettings settings;
  private final String description;

  /** Uses {@code container} with {@code settings} for the block size. */
  public AzureObjectStore(BlobContainerClient container, AzureSettings settings) {
    this.container = Objects.requireNonNull(container, "container");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.description = describe(container) + (settings.signsInWithEntraId() ? " (Entra ID)" : "");
  }

  /** Builds a container client from {@code settings} and opens a store on it. */
  public static AzureObjectStore open(AzureSettings settings) {
    return new AzureObjectStore(buildClient(settings), settings);
  }

  /**
   * The SDK container client for {@code settings}: credentials, endpoint, the JDK HTTP client and
   * retries.
   */
  public static BlobContainerClient buildClient(AzureSettings settings) {
    HttpClient http = jdkHttpClient();
    BlobContainerClientBuilder builder =
        new BlobContainerClientBuilder()
            .httpClient(http)
            .retryOptions(RETRIES)
            .containerName(settings.container());
    if (settings.connectionString() != null) {
      builder.connectionString(settings.connectionString().value());
    } else if (settings.accountKey() != null) {
      builder
          .endpoint(settings.serviceEndpoint().toString())
          .credential(
              new StorageSharedKeyCredential(
                  settings.accountName(), settings.accountKey().value()));
    } else {
      // Entra ID: the credential chain finds the identity in the environment (AZURE_* variables, a
      // workload
      // identity token file, the managed-identity endpoint) and fetches tokens lazily, on the first
      // request.
      DefaultAzureCredentialBuilder credential =
          new DefaultAzureCredentialBuilder().httpClient(http);
      if (settings.managedIdentityClientId() != null) {
        credential.managedIdentityClientId(settings.managedIdentityClientId());
      }
      builder.endpoint(settings.serviceEndpoint().toString()).credential(credential.build());
    }
    return builder.buildClient();
  }

  @Override
  public PutResult put(String key, InputStream body, long length, PutOptions options) {
    StoreArguments.checkPut(key, body, length, options);
    String operation = options.createOnly() ? "create-only put" : "put";
    try {
      BlockBlobClient blob = container.getBlobClient(key).getBlockBlobClient();
      BlobHttpHeaders headers = new BlobHttpHeaders().setContentType(options.contentType());
      BlobRequestConditions conditions =
          options.createOnly() ? new BlobRequestConditions().setIfNoneMatch("*") : null;
      Response<BlockBlobItem> response =
          length <= settings.blockSizeBytes()
              ? blob.uploadWithResponse(
                  new BlockBlobSimpleUploadOptions(
                          BinaryData.fromBytes(
                              StoreArguments.readExactly(body, (int) length, key, description)))
                      .setHeaders(headers)
                      .setMetadata(AzureMetadataNames.encode(options.userMetadata()))
                      .setRequestConditions(conditions),
                  null,
                  Context.NONE)
              : blob.commitBlockListWithResponse(
                  new BlockBlobCommitBlockListOptions(stageBlocks(blob, key, body, length))
                      .setHeaders(headers)
                      .setMetadata(AzureMetadataNames.encode(options.userMetadata()))
                      .setRequestConditions(conditions),
                  null,
                  Context.NONE);
      return new PutResult(
          unquote(response.getValue().getETag()), length, response.getValue().getVersionId());
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw AzureErrors.classify(operation, key, description, e);
    }
  }

  @Override
  public InputStream get(String key) {
    ObjectKeys.validate(key);
    try {
      return container.getBlobClient(key).openInputStream();
    } catch (RuntimeException e) {
      throw AzureErrors.classify("get", key, description, e);
    }
  }

  @Override
  public InputStream get(String key, long offset, long length) {
    StoreArguments.checkRange(key, offset, length);
    BlobClient blob = container.getBlobClient(key);
    try {
      // One properties call: it says whether the object exists and where it ends, and pins the read
      // to
      // its ETag so a concurrent overwrite cannot splice two versions into one stream.
      BlobProperties properties = blob.getProperties();
      long size = properties.getBlobSize();
      if (length == 0 || offset >= size) {
        return InputStream.nullInputStream();
      }
      long count = Math.min(length, size - offset);
      return blob.openInputStream(
          new BlobInputStreamOptions()
              .setRange(new BlobRange(offset, count))
              .setRequestConditions(new BlobRequestConditions().setIfMatch(properties.getETag())));
    } catch (RuntimeException e) {
      throw AzureErrors.classify("get", key, description, e);
    }
  }

  @Override
  public boolean delete(String key) {
    ObjectKeys.validate(key);
    try {
      return container.getBlobClient(key).deleteIfExists();
    } catch (RuntimeException e) {
      throw AzureErrors.classify("delete", key, description, e);
    }
  }

  @Override
  public ListPage list(String prefix, int maxKeys, String continuationToken) {
    StoreArguments.checkList(maxKeys);
    String safePrefix = prefix == null ? "" : prefix;
    int pageSize = Math.min(maxKeys, MAX_KEYS_PER_PAGE);
    try {
      ListBlobsOptions options =
          new ListBlobsOptions()
              .setPrefix(safePrefix.isEmpty() ? null : safePrefix)
              .setMaxResultsPerPage(pageSize);
      Iterator<PagedResponse<BlobItem>> pages =
          container.listBlobs(options, continuationToken, null).iterableByPage(pageSize).iterator();
      if (!pages.hasNext()) {
        return new ListPage(List.of(), null);
      }
      PagedResponse<BlobItem> page = pages.next();
      List<ObjectInfo> objects = new ArrayList<>(page.getValue().size());
      for (BlobItem item : page.getValue()) {
        BlobItemProperties properties = item.getProperties();
        objects.add(
            ObjectInfo.listed(
                item.getName(),
                properties.getContentLength(),
                millis(properties.getLastModified()),
                unquote(properties.getETag())));
      }
      String next = page.getContinuationToken();
      return new ListPage(objects, next == null || next.isEmpty() ? null : next);
    } catch (RuntimeException e) {
      throw AzureErrors.classify("list", safePrefix + "*", description, e);
    }
  }

  @Override
  public Optional<ObjectInfo> head(String key) {
    ObjectKeys.validate(key);
    try {
      BlobProperties properties = container.getBlobClient(key).getProperties();
      return Optional.of(
          new ObjectInfo(
              key,
              properties.getBlobSize(),
              millis(properties.getLastModified()),
              unquote(properties.getETag()),
              properties.getContentType(),
              AzureMetadataNames.decode(properties.getMetadata())));
    } catch (RuntimeException e) {
      StorageException classified = AzureErrors.classify("head", key, description, e);
      if (classified instanceof NoSuchObjectException) {
        return Optional.empty();
      }
      throw classified;
    }
  }

  @Override
  public String describe() {
    return description;
  }

  /**
   * The SDK's sync clients hold no resources of their own; the JDK HTTP client's threads are
   * daemons.
   */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "AzureObjectStore[" + description + "]";
  }

  private List<String> stageBlocks(BlockBlobClient blob, String key, InputStream body, long length)
      throws IOException {
    String uploadId = UUID.randomUUID().toString();
    log.debug("Block upload {} of '{}' in {} ({} bytes)", uploadId, key, description, length);
    List<String> blockIds = new ArrayList<>();
    long remaining = length;
    while (remaining > 0) {
      int size = (int) Math.min(settings.blockSizeBytes(), remaining);
      byte[] block = StoreArguments.readExactly(body, size, key, description);
      // Every id of one blob must have the same length: a fixed-width number after the upload id.
      String blockId =
          Base64.getEncoder()
              .encodeToString(
                  String.format("%s-%06d", uploadId, blockIds.size())
                      .getBytes(StandardCharsets.US_ASCII));
      blob.stageBlock(blockId, BinaryData.fromBytes(block));
      blockIds.add(blockId);
      remaining -= size;
    }
    return blockIds;
  }

  private static HttpClient jdkHttpClient() {
    return new JdkHttpClientBuilder().build();
  }

  private static String describe(BlobContainerClient container) {
    String where = "azure://" + container.getAccountName() + "/" + container.getBlobContainerName();
    try {
      URL url = new URL(container.getBlobContainerUrl());
      if (url.getHost().endsWith(PUBLIC_AZURE_HOST_SUFFIX)) {
        return where;
      }
      return where
          + " at "
          + url.getProtocol()
          + "://"
          + url.getHost()
          + (url.getPort() < 0 ? "" : ":" + url.getPort());
    } catch (IOException e) {
      return where;
    }
  }

  private static long millis(OffsetDateTime time) {
    return time == null ? 0 : time.toInstant().toEpochMilli();
  }

  private static String unquote(String etag) {
    if (etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
      return etag.substring(1, etag.length() - 1);
    }
    return etag;
  }
}
