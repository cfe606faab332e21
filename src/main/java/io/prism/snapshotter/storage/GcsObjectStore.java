package io.prism.snapshotter.storage;

import com.google.api.client.http.apache.v2.ApacheHttpTransport;
import com.google.api.gax.paging.Page;
import com.google.api.gax.retrying.RetrySettings;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.BaseServiceException;
import com.google.cloud.NoCredentials;
import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.HttpStorageOptions;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.Storage.BlobListOption;
import com.google.cloud.storage.Storage.BlobTargetOption;
import com.google.cloud.storage.Storage.BlobWriteOption;
import com.google.cloud.storage.StorageOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ProxySelector;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;
import javax.net.ssl.SSLSocketFactory;
import org.apache.http.HttpRequestInterceptor;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.conn.ssl.DefaultHostnameVerifier;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.impl.client.HttpClientBuilder;
import org.apache.http.impl.conn.SystemDefaultRoutePlanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ObjectStore} on Google Cloud Storage, through the Google Cloud Java client over the
 * JSON API (HTTP; its gRPC transport is left out of the build).
 *
 * <ul>
 *   <li>Objects up to the chunk size go up in one request; larger ones as a resumable upload in
 *       chunks of that size. A resumable upload that fails is abandoned, never finalized, so no
 *       partial object appears (GCS drops the session after a week).
 *   <li>Create-only writes carry {@code ifGenerationMatch=0} ({@code doesNotExist()}); GCS then
 *       answers 412 when the key exists, which becomes {@link ObjectAlreadyExistsException} unless
 *       one metadata GET shows that the object there is the one sent (its {@code md5Hash} and
 *       {@code crc32c} are those of these bytes, and size, content type and metadata agree): an
 *       earlier attempt of this put stored it and its answer was lost, so the put succeeded.
 *   <li>Reads are pinned to the generation {@code head} found, so an overwrite during a read cannot
 *       splice two versions into one stream.
 *   <li>Errors are classified by {@link GcsErrors}.
 * </ul>
 *
 * <p>Not tested against a server here: no GCS-compatible server runs on these machines (see the
 * README).
 */
public final class GcsObjectStore implements ObjectStore {

  private static final Logger log = LoggerFactory.getLogger(GcsObjectStore.class);

  /** A few quick tries inside the client; the sink's own retry loop handles longer outages. */
  private static final RetrySettings RETRIES =
      RetrySettings.newBuilder()
          .setMaxAttempts(3)
          .setInitialRetryDelayDuration(Duration.ofMillis(200))
          .setRetryDelayMultiplier(2.0)
          .setMaxRetryDelayDuration(Duration.ofSeconds(2))
          .setTotalTimeoutDuration(Duration.ofSeconds(60))
          .setInitialRpcTimeoutDuration(Duration.ofSeconds(60))
          .setMaxRpcTimeoutDuration(Duration.ofSeconds(60))
          .setRpcTimeoutMultiplier(1.0)
          .build();

  /**
   * The connections a store keeps open for its requests, and so the most it runs at once: as many
   * as the sink's upload threads may be (64), so that none waits for a connection.
   */
  static final int CONNECTIONS = 64;

  /**
   * How long a request waits for one of those connections to come free before it fails (retriably):
   * the HTTP client's own default is forever, and a request that never runs would hang its upload
   * thread, and with it the task, without a word.
   */
  static final Duration CONNECTION_WAIT = Duration.ofSeconds(60);

  private final Storage storage;
  private final ApacheHttpTransport transport;
  private final int connections;
  private final GcsSettings settings;
  private final String description;

  /**
   * Uses {@code storage}, whose requests go through {@code transport} (both closed by {@link
   * #close()}), with {@code settings} for bucket and chunk size.
   */
  private GcsObjectStore(
      Storage storage, ApacheHttpTransport transport, int connections, GcsSettings settings) {
    this.storage = Objects.requireNonNull(storage, "storage");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.connections = connections;
    this.settings = Objects.requireNonNull(settings, "settings");
    this.description = settings.describe();
  }

  /** Builds a client from {@code settings} and opens a store on it. */
  public static GcsObjectStore open(GcsSettings settings) {
    return open(settings, CONNECTIONS, CONNECTION_WAIT);
  }

  /**
   * A store whose transport keeps {@code connections} connections and lets a request wait {@code
   * connectionWait} for one (tests shrink both).
   */
  static GcsObjectStore open(GcsSettings settings, int connections, Duration connectionWait) {
    ApacheHttpTransport transport = transport(settings, connections, connectionWait);
    try {
      return new GcsObjectStore(buildClient(settings, transport), transport, connections, settings);
    } catch (RuntimeException e) {
      shutDownQuietly(transport);
      throw e;
    }
  }

  /**
   * The client's HTTP transport: Apache HttpClient with a pool of {@code connections} connections
   * kept open between requests, for which a request waits at most {@code connectionWait}. The
   * client's default transport ({@code NetHttpTransport}, on the JDK's HttpURLConnection) keeps at
   * most {@code http.maxConnections} (5, JVM-wide) idle connections per host, so with 8 upload
   * threads (the default for GCS) each burst of uploads opened new connections, a TLS handshake
   * each ({@code GcsConnectionReuseTest}: 34 connections for 80 uploads in 10 bursts; 8 now). Not
   * {@code ApacheHttpTransport}'s default client either: it reads the JVM's system properties, and
   * so caps its pool at {@code http.maxConnections} connections per host, fewer than the threads.
   * Proxies come from the JVM's {@code ProxySelector} (its {@code https.proxyHost} properties), as
   * with the default transport. With {@code storage.gcs.tls.ca.file} the endpoint's certificate
   * must be signed by those CAs alone, and still name its host; the credentials keep their own
   * transport: their token requests go to Google, whose CAs the JVM trusts.
   */
  private static ApacheHttpTransport transport(
      GcsSettings settings, int connections, Duration connectionWait) {
    SSLConnectionSocketFactory tls =
        new SSLConnectionSocketFactory(
            settings.tlsCa() == null
                ? (SSLSocketFactory) SSLSocketFactory.getDefault()
                : settings.tlsCa().sslContext().getSocketFactory(),
            new DefaultHostnameVerifier());
    return new ApacheHttpTransport(
        HttpClientBuilder.create()
            .setSSLSocketFactory(tls)
            .setMaxConnTotal(connections)
            .setMaxConnPerRoute(connections)
            .addInterceptorLast(connectionWait(connectionWait))
            .setRoutePlanner(new SystemDefaultRoutePlanner(ProxySelector.getDefault()))
            // The client follows no redirects and retries by its own settings (RETRIES).
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .build());
  }

  /**
   * Sets how long each request waits for a pooled connection. The Google client gives every request
   * a request configuration of its own (its timeouts), which replaces a client-wide default; an
   * interceptor runs after that, before a connection is taken from the pool.
   */
  private static HttpRequestInterceptor connectionWait(Duration wait) {
    int waitMillis = Math.toIntExact(wait.toMillis());
    return (request, context) -> {
      HttpClientContext http = HttpClientContext.adapt(context);
      http.setRequestConfig(
          RequestConfig.copy(http.getRequestConfig())
              .setConnectionRequestTimeout(waitMillis)
              .build());
    };
  }

  /**
   * The client for {@code settings}: JSON API over HTTP through {@code transport}, credentials,
   * endpoint and retries.
   */
  private static Storage buildClient(GcsSettings settings, ApacheHttpTransport transport) {
    HttpStorageOptions.Builder builder =
        StorageOptions.http()
            .setRetrySettings(RETRIES)
            .setStorageRetryStrategy(GcsRetryStrategy.INSTANCE)
            .setTransportOptions(
                StorageOptions.getDefaultHttpTransportOptions().toBuilder()
                    .setHttpTransportFactory(() -> transport)
                    .build());
    if (settings.projectId() != null) {
      builder.setProjectId(settings.projectId());
    }
    if (settings.endpoint() != null) {
      builder.setHost(settings.endpoint().toString());
    }
    if (settings.credentialsFile() != null) {
      try (InputStream key = Files.newInputStream(settings.credentialsFile())) {
        builder.setCredentials(GoogleCredentials.fromStream(key));
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read the GCS credentials file "
                + settings.credentialsFile()
                + ": "
                + e.getMessage(),
            e);
      }
    } else if (settings.endpoint() != null) {
      // An endpoint without a key file is an emulator, which takes no credentials.
      builder.setCredentials(NoCredentials.getInstance());
    }
    return builder.build().getService();
  }

  /** The transport's connection pool: {@link #CONNECTIONS}, unless a test chose fewer. */
  @Override
  public int concurrentRequests() {
    return connections;
  }

  @Override
  public PutResult put(String key, InputStream body, long length, PutOptions options) {
    StoreArguments.checkPut(key, body, length, options);
    String operation = options.createOnly() ? "create-only put" : "put";
    BlobInfo info =
        BlobInfo.newBuilder(blobId(key))
            .setContentType(options.contentType())
            .setMetadata(options.userMetadata().isEmpty() ? null : options.userMetadata())
            .build();
    try {
      BlobInfo stored =
          length <= settings.chunkSizeBytes()
              ? putSingle(
                  info, StoreArguments.readExactly(body, (int) length, key, description), options)
              : putResumable(info, body, length, options, operation);
      return new PutResult(
          stored.getEtag(),
          length,
          stored.getGeneration() == null ? null : Long.toString(stored.getGeneration()));
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw GcsErrors.classify(operation, key, description, e);
    }
  }

  @Override
  public InputStream get(String key) {
    return get(key, 0, Long.MAX_VALUE);
  }

  @Override
  public InputStream get(String key, long offset, long length) {
    StoreArguments.checkRange(key, offset, length);
    try {
      Blob blob = storage.get(blobId(key));
      if (blob == null) {
        throw new FailedCall("get", key, description).noSuchObject("", null);
      }
      long size = blob.getSize() == null ? 0 : blob.getSize();
      if (length == 0 || offset >= size) {
        return InputStream.nullInputStream();
      }
      ReadChannel reader = storage.reader(BlobId.of(settings.bucket(), key, blob.getGeneration()));
      reader.seek(offset);
      if (length < size - offset) {
        reader.limit(offset + length);
      }
      return Channels.newInputStream(reader);
    } catch (IOException | RuntimeException e) {
      throw GcsErrors.classify("get", key, description, e);
    }
  }

  @Override
  public boolean delete(String key) {
    ObjectKeys.validate(key);
    try {
      return storage.delete(blobId(key));
    } catch (RuntimeException e) {
      throw GcsErrors.classify("delete", key, description, e);
    }
  }

  @Override
  public ListPage list(String prefix, int maxKeys, String continuationToken) {
    StoreArguments.checkList(maxKeys);
    String safePrefix = prefix == null ? "" : prefix;
    List<BlobListOption> listOptions = new ArrayList<>();
    listOptions.add(BlobListOption.pageSize(Math.min(maxKeys, MAX_KEYS_PER_PAGE)));
    if (!safePrefix.isEmpty()) {
      listOptions.add(BlobListOption.prefix(safePrefix));
    }
    if (continuationToken != null) {
      listOptions.add(BlobListOption.pageToken(continuationToken));
    }
    try {
      Page<Blob> page = storage.list(settings.bucket(), listOptions.toArray(BlobListOption[]::new));
      List<ObjectInfo> objects = new ArrayList<>();
      for (Blob blob : page.getValues()) {
        objects.add(
            ObjectInfo.listed(
                blob.getName(),
                blob.getSize() == null ? 0 : blob.getSize(),
                millis(blob.getUpdateTimeOffsetDateTime()),
                blob.getEtag()));
      }
      String next = page.getNextPageToken();
      return new ListPage(objects, next == null || next.isEmpty() ? null : next);
    } catch (RuntimeException e) {
      throw GcsErrors.classify("list", safePrefix + "*", description, e);
    }
  }

  /**
   * A missing bucket reads as a missing object here: the JSON API's object GET does not tell them
   * apart.
   */
  @Override
  public Optional<ObjectInfo> head(String key) {
    ObjectKeys.validate(key);
    try {
      Blob blob = storage.get(blobId(key));
      if (blob == null) {
        return Optional.empty();
      }
      return Optional.of(
          new ObjectInfo(
              key,
              blob.getSize() == null ? 0 : blob.getSize(),
              millis(blob.getUpdateTimeOffsetDateTime()),
              blob.getEtag(),
              blob.getContentType(),
              blob.getMetadata()));
    } catch (RuntimeException e) {
      throw GcsErrors.classify("head", key, description, e);
    }
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    try {
      storage.close();
    } catch (Exception e) {
      log.warn("Closing the GCS client of {} failed: {}", description, e.toString());
    } finally {
      shutDownQuietly(transport); // the client leaves its transport's connections open
    }
  }

  private static void shutDownQuietly(ApacheHttpTransport transport) {
    try {
      transport.shutdown();
    } catch (IOException e) {
      log.debug("Closing the GCS store's connections failed: {}", e.toString());
    }
  }

  @Override
  public String toString() {
    return "GcsObjectStore[" + description + "]";
  }

  private BlobId blobId(String key) {
    return BlobId.of(settings.bucket(), key);
  }

  private BlobInfo putSingle(BlobInfo info, byte[] content, PutOptions options) {
    if (!options.createOnly()) {
      return storage.create(info, content);
    }
    try {
      return storage.create(info, content, BlobTargetOption.doesNotExist());
    } catch (RuntimeException e) {
      BaseServiceException refused = refusedAsTaken(e);
      if (refused == null) {
        throw e;
      }
      // The digests are computed only now: a refusal is rare, and every other put would pay.
      return alreadyStored(info, Digests.of(content), content.length, options, refused)
          .orElseThrow(() -> e);
    }
  }

  /**
   * A resumable upload. A create-only one that GCS refuses as taken (when its session starts, or
   * when it is finalized) is recognised as the object there as in {@link #putSingle}, from digests
   * of the body read again from its mark (a {@link java.io.ByteArrayInputStream}, what every caller
   * here passes, keeps it without copying): a body that cannot be re-read leaves the refusal to the
   * caller.
   */
  private BlobInfo putResumable(
      BlobInfo info, InputStream body, long length, PutOptions options, String operation)
      throws IOException {
    if (!options.createOnly()) {
      return uploadResumable(info, body, length, storage.writer(info), operation);
    }
    boolean rereadable = body.markSupported();
    if (rereadable) {
      body.mark((int) Math.min(length, Integer.MAX_VALUE));
    }
    try {
      return uploadResumable(
          info, body, length, storage.writer(info, BlobWriteOption.doesNotExist()), operation);
    } catch (IOException | RuntimeException e) {
      BaseServiceException refused = refusedAsTaken(e);
      if (refused == null || !rereadable) {
        throw e;
      }
      Digests sent;
      try {
        body.reset();
        sent = Digests.of(body, length, info.getName(), description);
      } catch (IOException rereadFailed) {
        e.addSuppressed(rereadFailed);
        throw e;
      }
      Optional<BlobInfo> stored = alreadyStored(info, sent, length, options, refused);
      if (stored.isEmpty()) {
        throw e;
      }
      return stored.get();
    }
  }

  private BlobInfo uploadResumable(
      BlobInfo info, InputStream body, long length, WriteChannel writer, String operation)
      throws IOException {
    int chunkSize = (int) settings.chunkSizeBytes();
    writer.setChunkSize(chunkSize);
    log.debug("Resumable upload of '{}' in {} ({} bytes)", info.getName(), description, length);
    long remaining = length;
    while (remaining > 0) {
      int size = (int) Math.min(chunkSize, remaining);
      ByteBuffer chunk =
          ByteBuffer.wrap(StoreArguments.readExactly(body, size, info.getName(), description));
      while (chunk.hasRemaining()) {
        writer.write(chunk);
      }
      remaining -= size;
    }
    // Closing finalizes the object: only ever after every byte was written (never in a finally
    // block).
    writer.close();
    Blob stored = storage.get(info.getBlobId());
    if (stored == null) {
      throw new StorageException(
          new FailedCall(operation, info.getName(), description).where()
              + ": the finished upload is not visible",
          true);
    }
    return stored;
  }

  /**
   * The service's answer when {@code error} is GCS refusing a create-only write because the key
   * exists (HTTP 412 to {@code ifGenerationMatch=0}), else {@code null}.
   */
  private static BaseServiceException refusedAsTaken(Throwable error) {
    BaseServiceException service = StoreErrors.find(error, BaseServiceException.class);
    return service != null && service.getCode() == 412 ? service : null;
  }

  /**
   * After a create-only write was refused because the key exists: whether the object there is the
   * very one this put sends, as when an earlier attempt of this put stored it and its answer was
   * lost (a timeout, a dropped connection: the client's retry then meets the object as taken). One
   * metadata GET tells, without reading the object: its {@code md5Hash} is the MD5 of the bytes
   * sent (and its {@code crc32c}, when given, their CRC32C), and its size, content type and user
   * metadata are those sent. Then the put succeeded.
   *
   * <p>Empty (the refusal stands, and the caller tells by reading, as it always did) when anything
   * differs, when the object has no {@code md5Hash} (a composite object; one encrypted with a key
   * this store was not given) so nothing can be told, when it is gone again, or when the GET fails
   * (its error is added to {@code refused}).
   */
  private Optional<BlobInfo> alreadyStored(
      BlobInfo info, Digests sent, long length, PutOptions options, BaseServiceException refused) {
    String key = info.getName();
    Blob there;
    try {
      there = storage.get(info.getBlobId());
    } catch (RuntimeException headFailed) {
      refused.addSuppressed(headFailed);
      log.debug(
          "Could not look at the object a create-only put of '{}' in {} was refused for: {}",
          ObjectKeys.printable(key),
          description,
          headFailed.toString());
      return Optional.empty();
    }
    if (there == null) {
      return Optional.empty();
    }
    if (there.getMd5() == null) {
      log.debug(
          "The object at '{}' in {} has no md5Hash, so the caller must tell whether it is the one"
              + " this put sent",
          ObjectKeys.printable(key),
          description);
      return Optional.empty();
    }
    Map<String, String> metadata = there.getMetadata() == null ? Map.of() : there.getMetadata();
    if (!sent.md5Base64().equals(there.getMd5())
        || (there.getCrc32c() != null && !sent.crc32cBase64().equals(there.getCrc32c()))
        || there.getSize() == null
        || there.getSize() != length
        || !options.contentType().equals(there.getContentType())
        || !options.userMetadata().equals(metadata)) {
      return Optional.empty();
    }
    log.info(
        "A create-only put of '{}' in {} was refused as the key exists, but the object there is the"
            + " one sent (generation {}): an earlier attempt stored it and its answer was lost",
        ObjectKeys.printable(key),
        description,
        there.getGeneration());
    return Optional.of(there);
  }

  /** The MD5 and CRC32C of bytes sent, base64 (big-endian for the CRC), as GCS gives its own. */
  private record Digests(String md5Base64, String crc32cBase64) {

    private static final int READ_BUFFER_BYTES = 64 * 1024;

    static Digests of(byte[] content) {
      MessageDigest md5 = Md5.newDigest();
      CRC32C crc = new CRC32C();
      md5.update(content);
      crc.update(content);
      return of(md5, crc);
    }

    /** Reads exactly {@code length} bytes of {@code body} a piece at a time, never all at once. */
    static Digests of(InputStream body, long length, String key, String store) throws IOException {
      MessageDigest md5 = Md5.newDigest();
      CRC32C crc = new CRC32C();
      byte[] buffer = new byte[(int) Math.min(READ_BUFFER_BYTES, length)];
      long remaining = length;
      while (remaining > 0) {
        int size = (int) Math.min(buffer.length, remaining);
        int read = body.readNBytes(buffer, 0, size);
        if (read < size) {
          throw new IOException(
              "the body of '"
                  + ObjectKeys.printable(key)
                  + "' in "
                  + store
                  + " read again ended "
                  + (remaining - read)
                  + " bytes early");
        }
        md5.update(buffer, 0, size);
        crc.update(buffer, 0, size);
        remaining -= size;
      }
      return of(md5, crc);
    }

    private static Digests of(MessageDigest md5, CRC32C crc) {
      int value = (int) crc.getValue();
      return new Digests(
          Base64.getEncoder().encodeToString(md5.digest()),
          Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt(value).array()));
    }
  }

  private static long millis(OffsetDateTime time) {
    return time == null ? 0 : time.toInstant().toEpochMilli();
  }
}
