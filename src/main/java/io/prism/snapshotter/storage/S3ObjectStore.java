package io.prism.snapshotter.storage;

import io.prism.snapshotter.util.HttpHeaderLogging;
import io.prism.snapshotter.util.TlsCaFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * An {@link ObjectStore} on Amazon S3 or an S3-compatible store (MinIO, S3Proxy), through the AWS
 * SDK v2 synchronous client.
 *
 * <ul>
 *   <li>Objects up to the part size go up in one PutObject; larger ones as a multipart upload of
 *       part-size pieces, aborted if anything fails. The body (or each part) is held in memory
 *       while it uploads, so the SDK can retry it: memory per concurrent put is at most the part
 *       size.
 *   <li>Create-only writes send {@code If-None-Match: *} on PutObject or on
 *       CompleteMultipartUpload; S3 then answers 412 when the key exists, which becomes {@link
 *       ObjectAlreadyExistsException} unless one HEAD shows that the object there is the one sent
 *       (its ETag is the MD5 of these bytes, or of these parts' MD5s, and size, content type and
 *       user metadata agree): an earlier attempt of this put stored it and its answer was lost, so
 *       the put succeeded. Under SSE-KMS or SSE-C the ETag is no MD5 and the refusal stands.
 *   <li>A CompleteMultipartUpload that answers NoSuchUpload may have succeeded already (the SDK
 *       retried it after its answer was lost; MinIO and others then no longer know the upload):
 *       when the object at the key is provably the one uploaded, the put succeeded.
 *   <li>Parts carry an explicit CRC32 computed here, so completion works on S3 (which wants each
 *       part's checksum) and on stores that do not echo checksums back.
 *   <li>Errors are classified by {@link S3Errors}.
 * </ul>
 */
public final class S3ObjectStore implements ObjectStore {

  private static final Logger log = LoggerFactory.getLogger(S3ObjectStore.class);

  /**
   * How many multipart uploads one put starts when someone else aborts them (a bucket lifecycle
   * rule, an operator, a cleanup job) before failing. Three: one abort is bad luck (a cleanup that
   * ran just then), a second in a row is unlikely, and a third says that something aborts uploads
   * in progress as a rule, which more attempts would meet too while each re-sends the whole page.
   * Not a setting: no value suits a store better than another, the failure message names the cause
   * to remove instead.
   */
  static final int UPLOAD_ATTEMPTS = 3;

  private final S3Client client;
  private final S3Settings settings;
  private final String description;

  /**
   * Uses {@code client} (closed by {@link #close()}) with {@code settings} for bucket, parts and
   * encryption.
   */
  public S3ObjectStore(S3Client client, S3Settings settings) {
    this.client = Objects.requireNonNull(client, "client");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.description = settings.describe();
  }

  /** Builds an SDK client from {@code settings} and opens a store on it. */
  public static S3ObjectStore open(S3Settings settings) {
    return new S3ObjectStore(buildClient(settings), settings);
  }

  /**
   * The connections the client {@link #buildClient} makes holds at most: the SDK's default pool (50
   * connections) of its default HTTP client (Apache). A request past them waits for one, and fails
   * after the SDK's connection acquisition timeout (10 s).
   */
  static final int CLIENT_CONNECTIONS =
      SdkHttpConfigurationOption.GLOBAL_HTTP_DEFAULTS.get(
          SdkHttpConfigurationOption.MAX_CONNECTIONS);

  /** The client's connection pool: {@link #CLIENT_CONNECTIONS}. */
  @Override
  public int concurrentRequests() {
    return CLIENT_CONNECTIONS;
  }

  /** The SDK client for {@code settings}: region, endpoint override, path style and credentials. */
  public static S3Client buildClient(S3Settings settings) {
    S3ClientBuilder builder =
        S3Client.builder()
            .region(resolveRegion(settings))
            .forcePathStyle(settings.pathStyle())
            .credentialsProvider(credentials(settings));
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    if (settings.tlsCa() != null) {
      // The SDK's default HTTP client (Apache 5), as without a CA file, trusting these CAs alone;
      // it still checks that the certificate names the endpoint's host.
      TlsCaFile ca = settings.tlsCa();
      builder.httpClientBuilder(
          Apache5HttpClient.builder().tlsTrustManagersProvider(ca::trustManagers));
    }
    HttpHeaderLogging.warnIfCredentialsWouldBeLogged(
        "the S3 store",
        "the access key id and, with temporary credentials, the session token"
            + " (x-amz-security-token)");
    return builder.build();
  }

  @Override
  public PutResult put(String key, InputStream body, long length, PutOptions options) {
    StoreArguments.checkPut(key, body, length, options);
    String operation = options.createOnly() ? "create-only put" : "put";
    try {
      return length <= settings.partSizeBytes()
          ? putSingle(key, body, (int) length, options)
          : putMultipart(key, body, length, options, operation);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw S3Errors.classify(operation, key, description, e);
    }
  }

  @Override
  public InputStream get(String key) {
    ObjectKeys.validate(key);
    try {
      return client.getObject(
          GetObjectRequest.builder().bucket(settings.bucket()).key(key).build());
    } catch (SdkException e) {
      throw S3Errors.classify("get", key, description, e);
    }
  }

  @Override
  public InputStream get(String key, long offset, long length) {
    StoreArguments.checkRange(key, offset, length);
    if (length == 0) {
      requireExists(key);
      return InputStream.nullInputStream();
    }
    long last = length > Long.MAX_VALUE - offset ? Long.MAX_VALUE - 1 : offset + length - 1;
    try {
      return client.getObject(
          GetObjectRequest.builder()
              .bucket(settings.bucket())
              .key(key)
              .range("bytes=" + offset + "-" + last)
              .build());
    } catch (AwsServiceException e) {
      if (e.statusCode() == 416) {
        // The object exists but the range starts at or past its end (or it is empty): nothing to
        // read.
        return InputStream.nullInputStream();
      }
      throw S3Errors.classify("get", key, description, e);
    } catch (SdkException e) {
      throw S3Errors.classify("get", key, description, e);
    }
  }

  /**
   * S3's DeleteObject does not say whether the key existed, so this asks first (not atomic with the
   * delete).
   */
  @Override
  public boolean delete(String key) {
    ObjectKeys.validate(key);
    boolean existed = head(key).isPresent();
    try {
      client.deleteObject(b -> b.bucket(settings.bucket()).key(key));
      return existed;
    } catch (SdkException e) {
      throw S3Errors.classify("delete", key, description, e);
    }
  }

  @Override
  public ListPage list(String prefix, int maxKeys, String continuationToken) {
    StoreArguments.checkList(maxKeys);
    String safePrefix = prefix == null ? "" : prefix;
    try {
      ListObjectsV2Response response =
          client.listObjectsV2(
              b ->
                  b.bucket(settings.bucket())
                      .prefix(safePrefix.isEmpty() ? null : safePrefix)
                      .maxKeys(Math.min(maxKeys, MAX_KEYS_PER_PAGE))
                      .continuationToken(continuationToken));
      List<ObjectInfo> objects = new ArrayList<>(response.contents().size());
      for (S3Object object : response.contents()) {
        objects.add(
            ObjectInfo.listed(
                object.key(),
                object.size(),
                object.lastModified() == null ? 0 : object.lastModified().toEpochMilli(),
                unquote(object.eTag())));
      }
      boolean more =
          Boolean.TRUE.equals(response.isTruncated()) && response.nextContinuationToken() != null;
      return new ListPage(objects, more ? response.nextContinuationToken() : null);
    } catch (SdkException e) {
      throw S3Errors.classify("list", safePrefix + "*", description, e);
    }
  }

  @Override
  public Optional<ObjectInfo> head(String key) {
    ObjectKeys.validate(key);
    try {
      HeadObjectResponse response = client.headObject(b -> b.bucket(settings.bucket()).key(key));
      return Optional.of(
          new ObjectInfo(
              key,
              response.contentLength(),
              response.lastModified() == null ? 0 : response.lastModified().toEpochMilli(),
              unquote(response.eTag()),
              response.contentType(),
              response.metadata()));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (AwsServiceException e) {
      if (e.statusCode() == 404 && !isNoSuchBucket(e)) {
        return Optional.empty();
      }
      throw S3Errors.classify("head", key, description, e);
    } catch (SdkException e) {
      throw S3Errors.classify("head", key, description, e);
    }
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "S3ObjectStore[" + description + "]";
  }

  private PutResult putSingle(String key, InputStream body, int length, PutOptions options)
      throws IOException {
    byte[] content = StoreArguments.readExactly(body, length, key, description);
    PutObjectRequest.Builder request =
        PutObjectRequest.builder()
            .bucket(settings.bucket())
            .key(key)
            .contentType(options.contentType())
            .contentLength((long) length)
            .metadata(options.userMetadata());
    if (options.createOnly()) {
      request.ifNoneMatch("*");
    }
    applyStorageClass(request::storageClass);
    applyEncryption(request::serverSideEncryption, request::ssekmsKeyId);
    PutObjectResponse response;
    try {
      response = client.putObject(request.build(), RequestBody.fromBytes(content));
    } catch (AwsServiceException e) {
      if (refusedAsTaken(e, options)) {
        // The MD5 is computed only now: a refusal is rare, and every other put would pay for it.
        return alreadyStored(key, md5Hex(content), length, options, e).orElseThrow(() -> e);
      }
      throw e;
    }
    return new PutResult(unquote(response.eTag()), length, response.versionId());
  }

  /** A create-only write that S3 refused (HTTP 412 to {@code If-None-Match: *}): the key exists. */
  private static boolean refusedAsTaken(AwsServiceException e, PutOptions options) {
    return options.createOnly() && e.statusCode() == 412;
  }

  /**
   * After a create-only write was refused because the key exists: whether the object there is the
   * very one this put sends, as when an earlier attempt of this put stored it and its answer was
   * lost (a timeout, a dropped connection: the SDK's retry then meets the object as taken). One
   * HEAD tells, without reading the object: S3 gives an object stored in one PutObject the MD5 of
   * its bytes as ETag, and one completed from a multipart upload the {@link MultipartEtag} of its
   * parts; size, content type and user metadata must be those sent too. Then the put succeeded.
   *
   * <p>Empty (the refusal stands, and the caller tells by reading, as it does on backends that
   * cannot tell) when anything differs, when the ETag is not an MD5 of the bytes (SSE-KMS, DSSE-KMS
   * or SSE-C, whether this store asked for it or the bucket's default encryption applied it: the
   * HEAD says which), when nothing can be told ({@code expectedEtag} null) or when the HEAD fails
   * (its error is added to {@code refused}).
   */
  private Optional<PutResult> alreadyStored(
      String key,
      String expectedEtag,
      long length,
      PutOptions options,
      AwsServiceException refused) {
    if (expectedEtag == null) {
      return Optional.empty();
    }
    HeadObjectResponse there;
    try {
      there = client.headObject(b -> b.bucket(settings.bucket()).key(key));
    } catch (SdkException headFailed) {
      refused.addSuppressed(headFailed);
      log.debug(
          "Could not look at the object a create-only put of '{}' in {} was refused for: {}",
          ObjectKeys.printable(key),
          description,
          headFailed.toString());
      return Optional.empty();
    }
    if (!etagIsContentMd5(there)) {
      log.debug(
          "The object at '{}' in {} is encrypted with {}: its ETag is not an MD5 of its bytes, so"
              + " the caller must tell whether it is the one this put sent",
          ObjectKeys.printable(key),
          description,
          there.sseCustomerAlgorithm() != null ? "SSE-C" : there.serverSideEncryptionAsString());
      return Optional.empty();
    }
    if (!isTheObjectSent(there, expectedEtag, length, options)) {
      return Optional.empty();
    }
    log.info(
        "A create-only put of '{}' in {} was refused as the key exists, but the object there is the"
            + " one sent (ETag {}): an earlier attempt stored it and its answer was lost",
        ObjectKeys.printable(key),
        description,
        unquote(there.eTag()));
    return Optional.of(new PutResult(unquote(there.eTag()), length, there.versionId()));
  }

  /**
   * Whether S3's ETag of this object is derived from its bytes alone (the MD5, or the multipart
   * form of it): without encryption and with SSE-S3 (AES256) it is; with SSE-KMS, DSSE-KMS and
   * SSE-C (and any mode this SDK does not know) it is not.
   */
  private static boolean etagIsContentMd5(HeadObjectResponse there) {
    String mode = there.serverSideEncryptionAsString();
    return there.sseCustomerAlgorithm() == null
        && (mode == null || mode.isEmpty() || ServerSideEncryption.AES256.toString().equals(mode));
  }

  /**
   * Whether the object described by {@code there} is the one a put sent: the ETag S3 forms from
   * those bytes ({@code expectedEtag}), their size, and the content type and user metadata sent.
   */
  private static boolean isTheObjectSent(
      HeadObjectResponse there, String expectedEtag, long length, PutOptions options) {
    return expectedEtag.equalsIgnoreCase(unquote(there.eTag()))
        && there.contentLength() != null
        && there.contentLength() == length
        && options.contentType().equals(there.contentType())
        && options.userMetadata().equals(there.metadata());
  }

  /**
   * A multipart put, started again with a fresh upload when someone else aborted the one in flight
   * (a bucket lifecycle rule {@code AbortIncompleteMultipartUpload}, an operator or a cleanup job):
   * the body is re-read from its mark, which a {@link java.io.ByteArrayInputStream} (what every
   * caller here passes) keeps without copying. At most {@link #UPLOAD_ATTEMPTS} uploads; a body
   * that cannot be re-read is not tried again. A create-only retry still completes with {@code
   * If-None-Match: *}, so an object another writer stored meanwhile is refused, not replaced.
   */
  private PutResult putMultipart(
      String key, InputStream body, long length, PutOptions options, String operation)
      throws IOException {
    boolean rereadable = body.markSupported();
    if (rereadable) {
      body.mark((int) Math.min(length, Integer.MAX_VALUE));
    }
    for (int attempt = 1; ; attempt++) {
      try {
        return uploadMultipart(key, body, length, options, operation);
      } catch (UploadGone gone) {
        if (!rereadable || attempt >= UPLOAD_ATTEMPTS) {
          throw uploadAbortedByOthers(key, operation, attempt, rereadable, gone.noSuchUpload);
        }
        log.warn(
            "Multipart upload {} of '{}' in {} was aborted by someone else (NoSuchUpload on {}; a"
                + " lifecycle rule AbortIncompleteMultipartUpload, an operator or a cleanup job?);"
                + " uploading it again ({} of {})",
            gone.uploadId,
            ObjectKeys.printable(key),
            description,
            gone.call,
            attempt + 1,
            UPLOAD_ATTEMPTS);
        body.reset();
      }
    }
  }

  /**
   * One multipart upload of the body from where it stands: create, parts, complete.
   *
   * @throws UploadGone the store no longer knows the upload (NoSuchUpload on a part, or on the
   *     complete with no object at the key provably ours): someone else aborted it
   */
  private PutResult uploadMultipart(
      String key, InputStream body, long length, PutOptions options, String operation)
      throws IOException {
    CreateMultipartUploadRequest.Builder create =
        CreateMultipartUploadRequest.builder()
            .bucket(settings.bucket())
            .key(key)
            .contentType(options.contentType())
            .metadata(options.userMetadata())
            .checksumAlgorithm(ChecksumAlgorithm.CRC32);
    applyStorageClass(create::storageClass);
    applyEncryption(create::serverSideEncryption, create::ssekmsKeyId);
    String uploadId = client.createMultipartUpload(create.build()).uploadId();
    log.debug("Multipart upload {} of '{}' in {} ({} bytes)", uploadId, key, description, length);
    try {
      List<CompletedPart> parts = new ArrayList<>();
      long remaining = length;
      int partNumber = 1;
      while (remaining > 0) {
        int size = (int) Math.min(settings.partSizeBytes(), remaining);
        byte[] part = StoreArguments.readExactly(body, size, key, description);
        String crc32 = crc32Base64(part);
        int number = partNumber;
        String etag;
        try {
          etag =
              client
                  .uploadPart(
                      UploadPartRequest.builder()
                          .bucket(settings.bucket())
                          .key(key)
                          .uploadId(uploadId)
                          .partNumber(number)
                          .contentLength((long) size)
                          .checksumAlgorithm(ChecksumAlgorithm.CRC32)
                          .checksumCRC32(crc32)
                          .build(),
                      RequestBody.fromBytes(part))
                  .eTag();
        } catch (AwsServiceException e) {
          if (S3Errors.isNoSuchUpload(e)) {
            throw new UploadGone(uploadId, "part " + number, e);
          }
          throw e;
        }
        parts.add(
            CompletedPart.builder().partNumber(number).eTag(etag).checksumCRC32(crc32).build());
        remaining -= size;
        partNumber++;
      }
      CompleteMultipartUploadRequest.Builder complete =
          CompleteMultipartUploadRequest.builder()
              .bucket(settings.bucket())
              .key(key)
              .uploadId(uploadId)
              .multipartUpload(b -> b.parts(parts));
      if (options.createOnly()) {
        complete.ifNoneMatch("*");
      }
      CompleteMultipartUploadResponse response;
      try {
        response = client.completeMultipartUpload(complete.build());
      } catch (AwsServiceException e) {
        if (refusedAsTaken(e, options)) {
          Optional<PutResult> stored =
              alreadyStored(
                  key,
                  MultipartEtag.of(parts.stream().map(CompletedPart::eTag).toList()),
                  length,
                  options,
                  e);
          if (stored.isEmpty()) {
            throw e; // aborted below
          }
          abort(key, uploadId, operation, e); // this upload is not needed: the object is there
          return stored.get();
        }
        if (!S3Errors.isNoSuchUpload(e)) {
          throw e;
        }
        Optional<PutResult> stored = completedBefore(key, length, options, parts, e);
        if (stored.isEmpty()) {
          throw new UploadGone(uploadId, "complete", e);
        }
        log.info(
            "Completing multipart upload {} of '{}' in {} answered NoSuchUpload, but the object there is the one"
                + " uploaded (ETag {}): an earlier attempt completed it and its answer was lost",
            uploadId,
            ObjectKeys.printable(key),
            description,
            stored.get().etag());
        return stored.get();
      }
      return new PutResult(unquote(response.eTag()), length, response.versionId());
    } catch (UploadGone gone) {
      throw gone; // nothing left to abort
    } catch (IOException | RuntimeException e) {
      abort(key, uploadId, operation, e);
      throw e;
    }
  }

  /**
   * The error once no upload got through: each was aborted by someone else, or the body could not
   * be read again for another one. Not retriable: something aborts uploads in progress, which
   * trying again later would meet as well.
   */
  private StorageException uploadAbortedByOthers(
      String key, String operation, int attempts, boolean rereadable, AwsServiceException cause) {
    String why =
        rereadable
            ? attempts
                + " multipart uploads in a row were aborted by someone else before they completed"
            : "the multipart upload was aborted by someone else before it completed, and the body"
                + " cannot be read again (it does not support mark/reset) for another upload";
    return new FailedCall(operation, key, description)
        .failed(
            " (HTTP "
                + cause.statusCode()
                + " NoSuchUpload): "
                + why
                + ". Is a bucket lifecycle rule (AbortIncompleteMultipartUpload) or a cleanup job"
                + " aborting uploads in progress?",
            false,
            cause);
  }

  /** The store no longer knows a multipart upload of ours: someone else aborted it. */
  private static final class UploadGone extends RuntimeException {
    final String uploadId;
    final String call;
    final AwsServiceException noSuchUpload;

    UploadGone(String uploadId, String call, AwsServiceException noSuchUpload) {
      super(null, noSuchUpload, false, false);
      this.uploadId = uploadId;
      this.call = call;
      this.noSuchUpload = noSuchUpload;
    }
  }

  /**
   * After CompleteMultipartUpload answered NoSuchUpload: the upload is gone, either completed by an
   * earlier attempt whose answer was lost (the SDK retried it, on a timeout or a dropped
   * connection) or aborted. Completed, if the object at {@code key} is the one these parts make:
   * its ETag is the one S3 forms from them (so its bytes are these, cut the same way), and its
   * size, content type and user metadata are those sent. Otherwise (aborted, another object there,
   * or part ETags that are not MD5s so nothing can be told) empty: the put uploads again,
   * create-only if it was, so an object of ours that could not be told apart is then refused as an
   * existing key (which {@link #alreadyStored}, or else the caller, recognises), and another
   * writer's is refused or replaced as the put asks.
   */
  private Optional<PutResult> completedBefore(
      String key,
      long length,
      PutOptions options,
      List<CompletedPart> parts,
      AwsServiceException noSuchUpload) {
    String expected = MultipartEtag.of(parts.stream().map(CompletedPart::eTag).toList());
    if (expected == null) {
      return Optional.empty();
    }
    HeadObjectResponse there;
    try {
      there = client.headObject(b -> b.bucket(settings.bucket()).key(key));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (AwsServiceException e) {
      if (e.statusCode() == 404 && !isNoSuchBucket(e)) {
        return Optional.empty();
      }
      e.addSuppressed(noSuchUpload);
      throw e; // cannot tell whether it was stored: this error, not the NoSuchUpload, decides
    } catch (SdkException e) {
      e.addSuppressed(noSuchUpload);
      throw e;
    }
    return isTheObjectSent(there, expected, length, options)
        ? Optional.of(new PutResult(unquote(there.eTag()), length, there.versionId()))
        : Optional.empty();
  }

  private void abort(String key, String uploadId, String operation, Exception cause) {
    try {
      client.abortMultipartUpload(
          AbortMultipartUploadRequest.builder()
              .bucket(settings.bucket())
              .key(key)
              .uploadId(uploadId)
              .build());
      log.debug("Aborted multipart upload {} of '{}' after: {}", uploadId, key, cause.toString());
    } catch (RuntimeException abortFailure) {
      cause.addSuppressed(abortFailure);
      if (abortFailure instanceof AwsServiceException service && S3Errors.isNoSuchUpload(service)) {
        // Already gone: completed by an earlier attempt whose answer was lost, or aborted.
        log.debug("Multipart upload {} of '{}' was gone already", uploadId, key);
        return;
      }
      // The bucket's lifecycle rule for incomplete uploads (or a later retry) cleans up what is
      // left.
      log.warn(
          "Could not abort multipart upload {} of '{}' in {} after a failed {}: {}",
          uploadId,
          ObjectKeys.printable(key),
          description,
          operation,
          abortFailure.toString());
    }
  }

  private void requireExists(String key) {
    if (head(key).isEmpty()) {
      throw new FailedCall("get", key, description).noSuchObject("", null);
    }
  }

  private void applyStorageClass(Consumer<StorageClass> setter) {
    if (settings.storageClass() != null) {
      setter.accept(StorageClass.fromValue(settings.storageClass()));
    }
  }

  private void applyEncryption(Consumer<ServerSideEncryption> mode, Consumer<String> kmsKey) {
    switch (settings.encryption()) {
      case NONE -> {}
      case AES256 -> mode.accept(ServerSideEncryption.AES256);
      case AWS_KMS -> {
        mode.accept(ServerSideEncryption.AWS_KMS);
        if (settings.kmsKeyId() != null) {
          kmsKey.accept(settings.kmsKeyId());
        }
      }
    }
  }

  /** The MD5 of {@code content} in lower-case hex: S3's ETag for it stored in one PutObject. */
  private static String md5Hex(byte[] content) {
    return HexFormat.of().formatHex(Md5.newDigest().digest(content));
  }

  private static String crc32Base64(byte[] content) {
    CRC32 crc = new CRC32();
    crc.update(content);
    return Base64.getEncoder()
        .encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  private static boolean isNoSuchBucket(AwsServiceException e) {
    return e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode());
  }

  private static String unquote(String etag) {
    if (etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
      return etag.substring(1, etag.length() - 1);
    }
    return etag;
  }

  private static Region resolveRegion(S3Settings settings) {
    if (settings.region() != null && !settings.region().isBlank()) {
      return Region.of(settings.region());
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkException e) {
      // S3-compatible stores ignore the region but the SDK needs one to sign requests.
      log.info("No S3 region configured or found in the environment; using us-east-1");
      return Region.US_EAST_1;
    }
  }

  /**
   * The settings' keys when they have them (with their session token when temporary), else AWS's
   * default chain. The one place S3 credentials are made: every store, the connector's and each
   * command's, is opened through {@link #buildClient} (package-private: tests).
   */
  static AwsCredentialsProvider credentials(S3Settings settings) {
    if (settings.accessKey() == null) {
      return DefaultCredentialsProvider.builder().build();
    }
    AwsCredentials keys =
        settings.sessionToken() == null
            ? AwsBasicCredentials.create(settings.accessKey(), settings.secretKey().value())
            : AwsSessionCredentials.create(
                settings.accessKey(),
                settings.secretKey().value(),
                settings.sessionToken().value());
    return StaticCredentialsProvider.create(keys);
  }
}
