package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.config.StorageConfig;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * The object-store contract, plus S3-specific behaviour, against a real S3 HTTP server (S3Proxy) in
 * this JVM.
 */
class S3ObjectStoreIT extends ObjectStoreContract {

  private static S3ProxyServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyServer.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Override
  protected ObjectStore newStore() {
    return S3ObjectStore.open(server.settings(server.newBucket()).withPartSizeBytes(PART_SIZE));
  }

  @Test
  void aWrongSecretIsAFatalError() {
    String bucket = server.newBucket();
    try (ObjectStore wrong =
        S3ObjectStore.open(
            server
                .settings(bucket)
                .withCredentials(S3ProxyServer.ACCESS_KEY, new Password("not-the-secret")))) {
      assertThatThrownBy(
              () -> wrong.put("k", new ByteArrayInputStream(bytes("x")), 1, PutOptions.defaults()))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("403")
          .hasMessageContaining("'k'")
          .hasMessageContaining("s3://" + bucket)
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
      assertThatThrownBy(() -> wrong.list("", 10, null))
          .isInstanceOf(StorageException.class)
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
    }
  }

  @Test
  void aStoppedServerIsARetriableError() throws Exception {
    S3ProxyServer doomed = S3ProxyServer.start();
    String bucket = doomed.newBucket();
    try (ObjectStore store = S3ObjectStore.open(doomed.settings(bucket))) {
      store.put("before", new ByteArrayInputStream(bytes("x")), 1, PutOptions.defaults());
      doomed.close();

      assertThatThrownBy(
              () ->
                  store.put(
                      "after", new ByteArrayInputStream(bytes("x")), 1, PutOptions.defaults()))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("'after'")
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isTrue());
      assertThatThrownBy(() -> store.get("before"))
          .isInstanceOf(StorageException.class)
          .isNotInstanceOf(NoSuchObjectException.class)
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isTrue());
    }
  }

  @Test
  void aMissingBucketIsAFatalErrorNotAMissingObject() {
    try (ObjectStore store = S3ObjectStore.open(server.settings("no-such-bucket-here"))) {
      assertThatThrownBy(
              () -> store.put("k", new ByteArrayInputStream(bytes("x")), 1, PutOptions.defaults()))
          .isInstanceOf(StorageException.class)
          .isNotInstanceOf(NoSuchObjectException.class)
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
    }
  }

  @Test
  void createOnlyMultipartUploadRefusesAnExistingKeyAndLeavesNoUploadBehind() throws IOException {
    byte[] original = randomBytes((int) PART_SIZE + 100, 7);
    byte[] intruder = randomBytes((int) PART_SIZE + 200, 8);
    put("big/taken", original, PutOptions.ifAbsent());

    assertThatThrownBy(() -> put("big/taken", intruder, PutOptions.ifAbsent()))
        .isInstanceOf(ObjectAlreadyExistsException.class);

    assertThat(read(store.get("big/taken"))).isEqualTo(original);
    assertThat(openUploads()).isZero();
  }

  @Test
  void aFailedMultipartUploadIsAborted() {
    byte[] content = randomBytes((int) PART_SIZE + 10, 9);

    assertThatThrownBy(
            () ->
                store.put(
                    "big/short",
                    new ByteArrayInputStream(content),
                    content.length + 1000L,
                    PutOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class);

    assertThat(store.head("big/short")).isEmpty();
    assertThat(openUploads()).isZero();
  }

  @Test
  void theSecretNeverAppearsInDescriptions() {
    S3Settings settings = server.settings("some-bucket");
    try (ObjectStore store = S3ObjectStore.open(settings)) {
      assertThat(store.describe())
          .isEqualTo("s3://some-bucket at " + server.endpoint())
          .doesNotContain(S3ProxyServer.SECRET_KEY);
      assertThat(store.toString()).doesNotContain(S3ProxyServer.SECRET_KEY);
      assertThat(settings.toString()).doesNotContain(S3ProxyServer.SECRET_KEY).contains("[hidden]");
    }
  }

  @Test
  void storageClassIsSentWithEveryWrite() throws IOException {
    String bucket = server.newBucket();
    try (ObjectStore classy =
        S3ObjectStore.open(
            server.settings(bucket).withStorageClass("STANDARD_IA").withPartSizeBytes(PART_SIZE))) {
      byte[] content = randomBytes((int) PART_SIZE + 1, 10);
      classy.put("small", new ByteArrayInputStream(bytes("x")), 1, PutOptions.defaults());
      classy.put("large", new ByteArrayInputStream(content), content.length, PutOptions.defaults());

      assertThat(read(classy.get("large"))).isEqualTo(content);
      try (S3Client client = S3ObjectStore.buildClient(server.settings(bucket))) {
        assertThat(client.headObject(b -> b.bucket(bucket).key("small")).storageClassAsString())
            .isEqualTo("STANDARD_IA");
      }
    }
  }

  @Test
  void serverSideEncryptionIsRequestedOnSingleAndMultipartWrites() throws IOException {
    String bucket = server.newBucket();
    try (ObjectStore encrypted =
        S3ObjectStore.open(
            server
                .settings(bucket)
                .withEncryption(S3Encryption.AES256, null)
                .withPartSizeBytes(PART_SIZE))) {
      byte[] content = randomBytes((int) PART_SIZE + 1, 11);
      encrypted.put("small", new ByteArrayInputStream(bytes("x")), 1, PutOptions.defaults());
      encrypted.put(
          "large", new ByteArrayInputStream(content), content.length, PutOptions.defaults());

      assertThat(read(encrypted.get("large"))).isEqualTo(content);
      assertThat(read(encrypted.get("small"))).isEqualTo(bytes("x"));
      try (S3Client client = S3ObjectStore.buildClient(server.settings(bucket))) {
        assertThat(
                client
                    .headObject(b -> b.bucket(bucket).key("small"))
                    .serverSideEncryptionAsString())
            .isEqualTo("AES256");
      }
    }
  }

  @Test
  void opensFromAStorageConfig() throws IOException {
    String bucket = server.newBucket();
    Map<String, String> props =
        Map.of(
            "storage.backend",
            "minio",
            "storage.s3.bucket",
            bucket,
            "storage.s3.endpoint",
            server.endpoint().toString(),
            "storage.s3.region",
            "us-east-1",
            "storage.s3.path.style",
            "true",
            "storage.s3.access.key",
            S3ProxyServer.ACCESS_KEY,
            "storage.s3.secret.key",
            S3ProxyServer.SECRET_KEY);
    try (ObjectStore fromConfig = ObjectStores.open(new StorageConfig(props))) {
      fromConfig.put("via/config", new ByteArrayInputStream(bytes("hi")), 2, PutOptions.defaults());

      assertThat(fromConfig).isInstanceOf(S3ObjectStore.class);
      assertThat(fromConfig.describe()).startsWith("s3://" + bucket);
      assertThat(read(fromConfig.get("via/config"))).isEqualTo(bytes("hi"));
    }
  }

  /** What the test does instead of one call of the real client. */
  @FunctionalInterface
  private interface Interception {
    Object call(S3Client real, Object[] args) throws Throwable;
  }

  /**
   * The server's client, except that calls of method {@code name} do what {@code instead} does with
   * the real client: what happened at the server before an attempt's answer came back.
   */
  private static S3Client intercepting(S3Client real, String name, Interception instead) {
    return (S3Client)
        Proxy.newProxyInstance(
            S3Client.class.getClassLoader(),
            new Class<?>[] {S3Client.class},
            (proxy, method, args) -> {
              try {
                if (method.getName().equals(name)
                    && args != null
                    && args.length > 0
                    && !(args[0] instanceof Consumer<?>)) {
                  return instead.call(real, args);
                }
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /** The server's client, except that CompleteMultipartUpload does what {@code complete} does. */
  private static S3Client completing(
      S3Client real,
      BiFunction<S3Client, CompleteMultipartUploadRequest, CompleteMultipartUploadResponse>
          complete) {
    return intercepting(
        real,
        "completeMultipartUpload",
        (client, args) -> complete.apply(client, (CompleteMultipartUploadRequest) args[0]));
  }

  /**
   * What a retried CompleteMultipartUpload gets from S3, MinIO and others once the upload is gone
   * (S3Proxy completes a completed upload again instead), built as the SDK builds it.
   */
  private static NoSuchUploadException noSuchUpload() {
    return (NoSuchUploadException)
        NoSuchUploadException.builder()
            .statusCode(404)
            .awsErrorDetails(
                AwsErrorDetails.builder()
                    .errorCode("NoSuchUpload")
                    .errorMessage("The specified upload does not exist.")
                    .build())
            .message("The specified upload does not exist.")
            .build();
  }

  private S3ObjectStore storeCompleting(
      String bucket,
      BiFunction<S3Client, CompleteMultipartUploadRequest, CompleteMultipartUploadResponse>
          complete) {
    S3Settings settings = server.settings(bucket).withPartSizeBytes(PART_SIZE);
    return new S3ObjectStore(completing(S3ObjectStore.buildClient(settings), complete), settings);
  }

  /**
   * A store whose first {@code aborted} multipart uploads another client aborts just before their
   * complete (the complete then answers NoSuchUpload, as S3 and MinIO do); later ones go through.
   * Each complete's upload id is added to {@code completes}.
   */
  private S3ObjectStore storeWhoseUploadsAreAborted(
      String bucket, int aborted, List<String> completes) {
    return storeCompleting(
        bucket,
        (real, request) -> {
          completes.add(request.uploadId());
          if (completes.size() <= aborted) {
            abortFromAnotherClient(bucket, request.key(), request.uploadId());
            throw noSuchUpload();
          }
          return real.completeMultipartUpload(request);
        });
  }

  /**
   * Aborts an upload as an operator (or a lifecycle rule) would: not through the store's client.
   */
  private static void abortFromAnotherClient(String bucket, String key, String uploadId) {
    try (S3Client other = S3ObjectStore.buildClient(server.settings(bucket))) {
      other.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
    }
  }

  private static PutOptions pageOptions(boolean createOnly) {
    return PutOptions.builder().metadata("first-offset", "5").createOnly(createOnly).build();
  }

  @ParameterizedTest(name = "create-only {0}")
  @ValueSource(booleans = {false, true})
  void aCompleteWhoseAnswerWasLostIsAPutThatSucceeded(boolean createOnly) throws IOException {
    String bucket = server.newBucket();
    byte[] content = randomBytes((int) PART_SIZE + 300, 12);
    // The first attempt completes the upload but its answer is lost; the SDK's retry finds the
    // upload gone.
    try (S3ObjectStore store =
        storeCompleting(
            bucket,
            (real, request) -> {
              real.completeMultipartUpload(request);
              throw noSuchUpload();
            })) {
      PutResult result =
          store.put(
              "big/page",
              new ByteArrayInputStream(content),
              content.length,
              pageOptions(createOnly));

      ObjectInfo stored = store.head("big/page").orElseThrow();
      assertThat(result.etag()).isEqualTo(stored.etag()).endsWith("-2");
      assertThat(result.size()).isEqualTo(content.length);
      assertThat(read(store.get("big/page"))).isEqualTo(content);
      assertThat(stored.userMetadata()).isEqualTo(Map.of("first-offset", "5"));
      assertThat(openUploads(bucket)).isZero();
    }
  }

  @ParameterizedTest(name = "create-only {0}")
  @ValueSource(booleans = {false, true})
  void anUploadAbortedBySomeoneElseBeforeItsCompleteIsUploadedAgain(boolean createOnly)
      throws IOException {
    String bucket = server.newBucket();
    byte[] content = randomBytes((int) PART_SIZE + 300, 13);
    List<String> completes = new ArrayList<>();
    try (S3ObjectStore store = storeWhoseUploadsAreAborted(bucket, 1, completes)) {
      PutResult result =
          store.put(
              "big/page",
              new ByteArrayInputStream(content),
              content.length,
              pageOptions(createOnly));

      assertThat(completes).hasSize(2).doesNotHaveDuplicates(); // a fresh upload
      ObjectInfo stored = store.head("big/page").orElseThrow();
      assertThat(result.etag()).isEqualTo(stored.etag()).endsWith("-2");
      assertThat(read(store.get("big/page"))).isEqualTo(content);
      assertThat(stored.userMetadata()).isEqualTo(Map.of("first-offset", "5"));
      assertThat(openUploads(bucket)).isZero();
    }
  }

  @Test
  void anUploadAbortedBySomeoneElseBetweenItsPartsIsUploadedAgain() throws IOException {
    String bucket = server.newBucket();
    byte[] content = randomBytes((int) PART_SIZE * 2 + 300, 16); // three parts
    List<String> uploads = new ArrayList<>();
    S3Settings settings = server.settings(bucket).withPartSizeBytes(PART_SIZE);
    S3Client client =
        intercepting(
            S3ObjectStore.buildClient(settings),
            "uploadPart",
            (real, args) -> {
              UploadPartRequest request = (UploadPartRequest) args[0];
              if (!uploads.contains(request.uploadId())) {
                uploads.add(request.uploadId());
              }
              if (uploads.size() == 1 && request.partNumber() == 2) {
                // Part 1 is in; the upload is aborted before part 2 arrives.
                abortFromAnotherClient(bucket, request.key(), request.uploadId());
                throw noSuchUpload();
              }
              return real.uploadPart(request, (RequestBody) args[1]);
            });
    try (S3ObjectStore store = new S3ObjectStore(client, settings)) {
      store.put("big/page", new ByteArrayInputStream(content), content.length, pageOptions(true));

      assertThat(uploads).hasSize(2);
      assertThat(read(store.get("big/page"))).isEqualTo(content);
      assertThat(store.head("big/page").orElseThrow().etag()).endsWith("-3");
      assertThat(openUploads(bucket)).isZero();
    }
  }

  @Test
  void uploadsAbortedEveryTimeFailAfterAFewAttemptsSayingWhatAbortsThem() {
    String bucket = server.newBucket();
    byte[] content = randomBytes((int) PART_SIZE + 300, 17);
    List<String> completes = new ArrayList<>();
    try (S3ObjectStore store = storeWhoseUploadsAreAborted(bucket, Integer.MAX_VALUE, completes)) {
      assertThatThrownBy(
              () ->
                  store.put(
                      "big/page",
                      new ByteArrayInputStream(content),
                      content.length,
                      pageOptions(true)))
          .isInstanceOf(StorageException.class)
          .isNotInstanceOf(ObjectAlreadyExistsException.class)
          .hasMessageContaining("create-only put of 'big/page' in s3://" + bucket)
          .hasMessageContaining("NoSuchUpload")
          .hasMessageContaining(
              S3ObjectStore.UPLOAD_ATTEMPTS + " multipart uploads in a row were aborted")
          .hasMessageContaining("AbortIncompleteMultipartUpload")
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
      assertThat(completes).hasSize(S3ObjectStore.UPLOAD_ATTEMPTS).doesNotHaveDuplicates();
      assertThat(store.head("big/page")).isEmpty();
      assertThat(openUploads(bucket)).isZero();
    }
  }

  @Test
  void aBodyThatCannotBeReadAgainIsNotUploadedAgain() {
    String bucket = server.newBucket();
    byte[] content = randomBytes((int) PART_SIZE + 300, 18);
    InputStream once =
        new FilterInputStream(new ByteArrayInputStream(content)) {
          @Override
          public boolean markSupported() {
            return false;
          }
        };
    List<String> completes = new ArrayList<>();
    try (S3ObjectStore store = storeWhoseUploadsAreAborted(bucket, 1, completes)) {
      assertThatThrownBy(() -> store.put("big/page", once, content.length, pageOptions(false)))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("NoSuchUpload")
          .hasMessageContaining("cannot be read again")
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
      assertThat(completes).hasSize(1);
      assertThat(store.head("big/page")).isEmpty();
    }
  }

  /**
   * The upload was aborted and another writer put an object of the same size and metadata: it is
   * not taken for the one uploaded. The put uploads again: create-only, that is refused (the other
   * writer's object stays); otherwise it replaces the object, as a put without create-only does.
   */
  @ParameterizedTest(name = "create-only {0}")
  @ValueSource(booleans = {false, true})
  void anotherObjectAtTheKeyIsNotTakenForTheOneUploadedEvenWithItsSizeAndMetadata(
      boolean createOnly) throws IOException {
    String bucket = server.newBucket();
    byte[] content = randomBytes((int) PART_SIZE + 300, 14);
    byte[] other = randomBytes(content.length, 15);
    List<String> completes = new ArrayList<>();
    try (S3ObjectStore store =
        storeCompleting(
            bucket,
            (real, request) -> {
              completes.add(request.uploadId());
              if (completes.size() > 1) {
                return real.completeMultipartUpload(request);
              }
              real.abortMultipartUpload(
                  b -> b.bucket(bucket).key(request.key()).uploadId(request.uploadId()));
              real.putObject(
                  b -> b.bucket(bucket).key(request.key()).metadata(Map.of("first-offset", "5")),
                  RequestBody.fromBytes(other));
              throw noSuchUpload();
            })) {
      if (createOnly) {
        assertThatThrownBy(
                () ->
                    store.put(
                        "big/page",
                        new ByteArrayInputStream(content),
                        content.length,
                        pageOptions(true)))
            .isInstanceOf(ObjectAlreadyExistsException.class);
        assertThat(read(store.get("big/page"))).isEqualTo(other);
      } else {
        store.put(
            "big/page", new ByteArrayInputStream(content), content.length, pageOptions(false));
        assertThat(read(store.get("big/page"))).isEqualTo(content);
      }
      assertThat(completes).hasSize(2);
      assertThat(openUploads(bucket)).isZero();
    }
  }

  /**
   * The server's client, recording the name of every call made through it, and answering HEADs as
   * {@code head} changes the server's answer.
   */
  private static S3Client recording(
      S3Client real, List<String> calls, UnaryOperator<HeadObjectResponse> head) {
    return (S3Client)
        Proxy.newProxyInstance(
            S3Client.class.getClassLoader(),
            new Class<?>[] {S3Client.class},
            (proxy, method, args) -> {
              calls.add(method.getName());
              try {
                Object answer = method.invoke(real, args);
                return answer instanceof HeadObjectResponse response
                    ? head.apply(response)
                    : answer;
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private S3ObjectStore storeRecording(
      String bucket, List<String> calls, UnaryOperator<HeadObjectResponse> head) {
    S3Settings settings = server.settings(bucket).withPartSizeBytes(PART_SIZE);
    return new S3ObjectStore(recording(S3ObjectStore.buildClient(settings), calls, head), settings);
  }

  /**
   * A create-only put whose first attempt stored the object but whose answer was lost: its retry
   * finds the key taken (HTTP 412). The object there is the one sent, so the put succeeded, which
   * one HEAD tells without reading the object (single-part: the ETag is the MD5 of the bytes;
   * multipart: the MD5 of the parts' MD5s).
   */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {1000, (int) PART_SIZE + 300})
  void aCreateOnlyPutOfTheObjectItsEarlierAttemptStoredSucceedsWithoutReadingIt(int size)
      throws IOException {
    String bucket = server.newBucket();
    byte[] content = randomBytes(size, 19);
    List<String> calls = new ArrayList<>();
    try (S3ObjectStore store = storeRecording(bucket, calls, UnaryOperator.identity())) {
      PutResult first =
          store.put("page", new ByteArrayInputStream(content), content.length, pageOptions(true));
      calls.clear();

      PutResult again =
          store.put("page", new ByteArrayInputStream(content), content.length, pageOptions(true));

      assertThat(again.etag()).isEqualTo(first.etag());
      assertThat(again.size()).isEqualTo(content.length);
      assertThat(calls).contains("headObject").doesNotContain("getObject");
      assertThat(read(store.get("page"))).isEqualTo(content);
      assertThat(openUploads(bucket)).isZero();
    }
  }

  /**
   * The same bytes under other user metadata (or content type) are not the object sent: the refusal
   * stands, and the object stays.
   */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {1000, (int) PART_SIZE + 300})
  void theSameBytesWithOtherMetadataOrContentTypeAreStillRefused(int size) throws IOException {
    byte[] content = randomBytes(size, 20);
    put("page", content, pageOptions(true));
    PutOptions otherMetadata =
        PutOptions.builder().metadata("first-offset", "6").createOnly(true).build();
    PutOptions otherType =
        PutOptions.builder()
            .metadata("first-offset", "5")
            .contentType("text/plain")
            .createOnly(true)
            .build();

    assertThatThrownBy(() -> put("page", content, otherMetadata))
        .isInstanceOf(ObjectAlreadyExistsException.class);
    assertThatThrownBy(() -> put("page", content, otherType))
        .isInstanceOf(ObjectAlreadyExistsException.class);

    ObjectInfo there = store.head("page").orElseThrow();
    assertThat(there.userMetadata()).isEqualTo(Map.of("first-offset", "5"));
    assertThat(there.contentType()).isEqualTo(PutOptions.DEFAULT_CONTENT_TYPE);
    assertThat(read(store.get("page"))).isEqualTo(content);
    assertThat(openUploads()).isZero();
  }

  /**
   * Under SSE-KMS (asked for, or the bucket's default) an object's ETag is not an MD5 of its bytes,
   * so it proves nothing even when it happens to look like one: the refusal is left to the caller,
   * who reads the object to tell.
   */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {1000, (int) PART_SIZE + 300})
  void underSseKmsTheRefusalIsLeftToTheCaller(int size) {
    String bucket = server.newBucket();
    byte[] content = randomBytes(size, 21);
    List<String> calls = new ArrayList<>();
    try (S3ObjectStore store =
        storeRecording(
            bucket,
            calls,
            head -> head.toBuilder().serverSideEncryption(ServerSideEncryption.AWS_KMS).build())) {
      store.put("page", new ByteArrayInputStream(content), content.length, pageOptions(true));

      assertThatThrownBy(
              () ->
                  store.put(
                      "page", new ByteArrayInputStream(content), content.length, pageOptions(true)))
          .isInstanceOf(ObjectAlreadyExistsException.class)
          .hasMessageContaining("create-only put of 'page' in s3://" + bucket);
      assertThat(openUploads(bucket)).isZero();
    }
  }

  private int openUploads(String bucket) {
    try (S3Client client = S3ObjectStore.buildClient(server.settings(bucket))) {
      return client.listMultipartUploads(b -> b.bucket(bucket)).uploads().size();
    }
  }

  private int openUploads() {
    String bucket = store.describe().substring("s3://".length(), store.describe().indexOf(' '));
    try (S3Client client = S3ObjectStore.buildClient(server.settings(bucket))) {
      return client.listMultipartUploads(b -> b.bucket(bucket)).uploads().size();
    }
  }
}
