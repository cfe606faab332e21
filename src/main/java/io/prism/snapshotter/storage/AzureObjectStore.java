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
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobItemProperties;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import io.prism.snapshotter.util.TlsCaFile;
import io.prism.snapshotter.util.TlsContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
 *       ObjectAlreadyExistsException} unless one Get Blob Properties shows that the blob there is
 *       the one sent (its Content-MD5 is the MD5 of these bytes, and size, content type and
 *       metadata agree): an earlier attempt of this put stored it and its answer was lost, so the
 *       put succeeded. Azure computes the Content-MD5 of a Put Blob; a Put Block List sends the one
 *       this store computed while staging the blocks.
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
    return buildClient(settings, jdkHttpClient(settings.tlsCa()));
  }

  /** The container client for {@code settings} on {@code http} (package-private: tests). */
  static BlobContainerClient buildClient(AzureSettings settings, HttpClient http) {
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
      // storage.azure.tls.ca.file is the blob endpoint's CA: the identity endpoints (Entra ID,
      // the managed-identity endpoint) keep the JVM's trust store.
      DefaultAzureCredentialBuilder credential =
          new DefaultAzureCredentialBuilder()
              .httpClient(settings.tlsCa() == null ? http : jdkHttpClient(null));
      if (settings.managedIdentityClientId() != null) {
        credential.managedIdentityClientId(settings.managedIdentityClientId());
      }
      builder.endpoint(settings.serviceEndpoint().toString()).credential(credential.build());
    }
    return builder.buildClient();
  }

  /**
   * No limit from the client: the JDK's HttpClient (HTTP/1.1 to Blob Storage) opens a connection
   * for each request at once and keeps idle ones without a bound ({@code
   * jdk.httpclient.connectionPoolSize} 0); azure-core's shared executor only dispatches responses,
   * queuing what exceeds its threads.
   */
  @Override
  public int concurrentRequests() {
    return Integer.MAX_VALUE;
  }

  @Override
  public PutResult put(String key, InputStream body, long length, PutOptions options) {
    StoreArguments.checkPut(key, body, length, options);
    String operation = options.createOnly() ? "create-only put" : "put";
    try {
      BlockBlobClient blob = container.getBlobClient(key).getBlockBlobClient();
      return length <= settings.blockSizeBytes()
          ? putSingle(
              blob, key, StoreArguments.readExactly(body, (int) length, key, description), options)
          : putStaged(blob, key, body, length, options);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw AzureErrors.classify(operation, key, description, e);
    }
  }

  /** One Put Blob: Azure computes the blob's Content-MD5 from the bytes it receives. */
  private PutResult putSingle(
      BlockBlobClient blob, String key, byte[] content, PutOptions options) {
    Response<BlockBlobItem> response;
    try {
      response =
          blob.uploadWithResponse(
              new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(content))
                  .setHeaders(headers(options))
                  .setMetadata(AzureMetadataNames.encode(options.userMetadata()))
                  .setRequestConditions(conditions(options)),
              null,
              Context.NONE);
    } catch (BlobStorageException e) {
      if (refusedAsTaken(e, options)) {
        // The MD5 is computed only now: a refusal is rare, and every other put would pay for it.
        return alreadyStored(blob, key, Md5.newDigest().digest(content), content.length, options, e)
            .orElseThrow(() -> e);
      }
      throw e;
    }
    return result(response.getValue(), content.length);
  }

  /**
   * Blocks staged, then committed with Put Block List. Azure computes no Content-MD5 for such a
   * blob: it stores the one the commit sends, so this put sends the MD5 of all its blocks (computed
   * as they are staged, from the bytes in memory), and a retry refused as taken can recognise the
   * blob as a single Put Blob's.
   */
  private PutResult putStaged(
      BlockBlobClient blob, String key, InputStream body, long length, PutOptions options)
      throws IOException {
    MessageDigest md5 = Md5.newDigest();
    List<String> blockIds = stageBlocks(blob, key, body, length, md5);
    byte[] contentMd5 = md5.digest();
    Response<BlockBlobItem> response;
    try {
      response =
          blob.commitBlockListWithResponse(
              new BlockBlobCommitBlockListOptions(blockIds)
                  .setHeaders(headers(options).setContentMd5(contentMd5))
                  .setMetadata(AzureMetadataNames.encode(options.userMetadata()))
                  .setRequestConditions(conditions(options)),
              null,
              Context.NONE);
    } catch (BlobStorageException e) {
      if (refusedAsTaken(e, options)) {
        return alreadyStored(blob, key, contentMd5, length, options, e).orElseThrow(() -> e);
      }
      throw e;
    }
    return result(response.getValue(), length);
  }

  private static BlobHttpHeaders headers(PutOptions options) {
    return new BlobHttpHeaders().setContentType(options.contentType());
  }

  private static BlobRequestConditions conditions(PutOptions options) {
    return options.createOnly() ? new BlobRequestConditions().setIfNoneMatch("*") : null;
  }

  private static PutResult result(BlockBlobItem item, long length) {
    return new PutResult(unquote(item.getETag()), length, item.getVersionId());
  }

  /**
   * A create-only write that Azure refused because the key exists: its answer to {@code
   * If-None-Match: *} is 409 {@code BlobAlreadyExists} or 412, as {@link AzureErrors} takes them.
   */
  private static boolean refusedAsTaken(BlobStorageException e, PutOptions options) {
    return options.createOnly()
        && (e.getStatusCode() == 412 || BlobErrorCode.BLOB_ALREADY_EXISTS.equals(e.getErrorCode()));
  }

  /**
   * After a create-only write was refused because the key exists: whether the blob there is the
   * very one this put sends, as when an earlier attempt of this put stored it and its answer was
   * lost (a timeout, a dropped connection: the SDK's retry then meets the blob as taken). One Get
   * Blob Properties tells, without reading the blob: its Content-MD5 is {@code contentMd5} (Azure
   * computed it for a Put Blob; this store sent it with a Put Block List), and its size, content
   * type and user metadata are those sent. Then the put succeeded.
   *
   * <p>Empty (the refusal stands, and the caller tells by reading, as it always did) when anything
   * differs, when the blob has no Content-MD5 (committed from blocks by a client that sent none,
   * e.g. this store before it did) so nothing can be told, or when the call fails (its error is
   * added to {@code refused}).
   */
  private Optional<PutResult> alreadyStored(
      BlockBlobClient blob,
      String key,
      byte[] contentMd5,
      long length,
      PutOptions options,
      BlobStorageException refused) {
    BlobProperties there;
    try {
      there = blob.getProperties();
    } catch (RuntimeException headFailed) {
      refused.addSuppressed(headFailed);
      log.debug(
          "Could not look at the blob a create-only put of '{}' in {} was refused for: {}",
          ObjectKeys.printable(key),
          description,
          headFailed.toString());
      return Optional.empty();
    }
    if (there.getContentMd5() == null) {
      log.debug(
          "The blob at '{}' in {} has no Content-MD5, so the caller must tell whether it is the one"
              + " this put sent",
          ObjectKeys.printable(key),
          description);
      return Optional.empty();
    }
    if (!MessageDigest.isEqual(contentMd5, there.getContentMd5())
        || there.getBlobSize() != length
        || !options.contentType().equals(there.getContentType())
        || !options.userMetadata().equals(AzureMetadataNames.decode(there.getMetadata()))) {
      return Optional.empty();
    }
    log.info(
        "A create-only put of '{}' in {} was refused as the key exists, but the blob there is the"
            + " one sent (ETag {}): an earlier attempt stored it and its answer was lost",
        ObjectKeys.printable(key),
        description,
        unquote(there.getETag()));
    return Optional.of(new PutResult(unquote(there.getETag()), length, there.getVersionId()));
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

  /** Stages the body as blocks and returns their ids; {@code md5} is updated with every block. */
  private List<String> stageBlocks(
      BlockBlobClient blob, String key, InputStream body, long length, MessageDigest md5)
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
      md5.update(block);
      blockIds.add(blockId);
      remaining -= size;
    }
    return blockIds;
  }

  /**
   * The JDK's HttpClient, trusting {@code ca} instead of the JVM's trust store when given (host
   * names are checked either way).
   */
  private static HttpClient jdkHttpClient(TlsCaFile ca) {
    if (ca == null) {
      return new JdkHttpClientBuilder().build();
    }
    return new JdkHttpClientBuilder(
            java.net.http.HttpClient.newBuilder().sslContext(TlsContext.of(ca, null).sslContext()))
        .build();
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
