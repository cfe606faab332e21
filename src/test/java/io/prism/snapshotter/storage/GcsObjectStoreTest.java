package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The GCS backend without a GCS server: none runs on these machines (see the README), so the
 * contract suite cannot run on it. The real client is driven at a closed loopback port, which
 * exercises its request building, retries and {@link GcsErrors}; and at {@link GcsJsonApiStub}, a
 * stand-in for the JSON API, for create-only writes refused as taken; the rest are the settings and
 * error rules.
 */
class GcsObjectStoreTest {

  private static URI nowhere;

  @BeforeAll
  static void closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      nowhere = URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
  }

  @Test
  void anUnreachableEndpointGivesRetriableErrorsNamingKeyAndBucket() {
    GcsSettings settings =
        GcsSettings.forBucket("pages")
            .withEndpoint(nowhere)
            .withChunkSizeBytes(GcsSettings.MIN_CHUNK_SIZE_BYTES);
    try (ObjectStore store = GcsObjectStore.open(settings)) {
      assertThat(store.describe()).isEqualTo("gs://pages at " + nowhere);
      byte[] small = new byte[10];
      byte[] large = new byte[(int) GcsSettings.MIN_CHUNK_SIZE_BYTES + 10];

      assertRetriable(
          () ->
              store.put(
                  "w/small", new ByteArrayInputStream(small), small.length, PutOptions.ifAbsent()),
          "w/small");
      assertRetriable(
          () ->
              store.put(
                  "w/large", new ByteArrayInputStream(large), large.length, PutOptions.defaults()),
          "w/large");
      assertRetriable(() -> store.get("w/small"), "w/small");
      assertRetriable(() -> store.get("w/small", 2, 3), "w/small");
      assertRetriable(() -> store.head("w/small"), "w/small");
      assertRetriable(() -> store.delete("w/small"), "w/small");
      assertRetriable(() -> store.list("w/", 10, null), "w/*");
    }
  }

  @Test
  void badInputIsRefusedBeforeAnyRequest() {
    try (ObjectStore store =
        GcsObjectStore.open(GcsSettings.forBucket("pages").withEndpoint(nowhere))) {
      assertThatThrownBy(
              () ->
                  store.put(
                      "../escape", new ByteArrayInputStream(new byte[1]), 1, PutOptions.defaults()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("..");
      assertThatThrownBy(
              () -> store.put("k", new ByteArrayInputStream(new byte[1]), 5, PutOptions.defaults()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("ended after 1");
      assertThatThrownBy(() -> store.get("k", -1, 2)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.list("", 0, null))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void anUnreadableKeyFileIsAClearError(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("missing.json");
    assertThatThrownBy(
            () -> GcsObjectStore.open(GcsSettings.forBucket("b").withCredentialsFile(missing)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(missing.toString());

    Path garbage =
        Files.writeString(dir.resolve("garbage.json"), "{\"type\": \"service_account\"}");
    assertThatThrownBy(
            () -> GcsObjectStore.open(GcsSettings.forBucket("b").withCredentialsFile(garbage)))
        .hasMessageContaining(garbage.toString());
  }

  @Test
  void errorsAreClassifiedByStatus() {
    String store = "gs://b";
    assertThat(
            GcsErrors.classify(
                "create-only put",
                "k",
                store,
                new com.google.cloud.storage.StorageException(412, "Precondition Failed")))
        .isInstanceOf(ObjectAlreadyExistsException.class)
        .hasMessageContaining("'k'")
        .hasMessageContaining(store);
    assertThat(
            GcsErrors.classify(
                "put",
                "k",
                store,
                new com.google.cloud.storage.StorageException(412, "Precondition Failed")))
        .isNotInstanceOf(ObjectAlreadyExistsException.class);
    assertThat(
            GcsErrors.classify(
                "get",
                "k",
                store,
                new com.google.cloud.storage.StorageException(404, "No such object: b/k")))
        .isInstanceOf(NoSuchObjectException.class);
    StorageException noBucket =
        GcsErrors.classify(
            "put",
            "k",
            store,
            new com.google.cloud.storage.StorageException(
                404, "The specified bucket does not exist."));
    assertThat(noBucket).isNotInstanceOf(NoSuchObjectException.class);
    assertThat(noBucket.retriable()).isFalse();
    assertThat(
            GcsErrors.classify(
                    "put",
                    "k",
                    store,
                    new com.google.cloud.storage.StorageException(403, "Forbidden"))
                .retriable())
        .isFalse();
    assertThat(
            GcsErrors.classify(
                    "put",
                    "k",
                    store,
                    new com.google.cloud.storage.StorageException(503, "Backend Error"))
                .retriable())
        .isTrue();
    assertThat(
            GcsErrors.classify(
                    "put",
                    "k",
                    store,
                    new com.google.cloud.storage.StorageException(429, "Too Many Requests"))
                .retriable())
        .isTrue();
    assertThat(
            GcsErrors.classify(
                    "put",
                    "k",
                    store,
                    new RuntimeException(new ConnectException("Connection refused")))
                .retriable())
        .isTrue();
    assertThat(
            GcsErrors.classify("put", "k", store, new IllegalStateException("no project"))
                .retriable())
        .isFalse();
  }

  @Test
  void settingsRefuseChunksThatAreNotWhole256KiBMultiples() {
    assertThatThrownBy(
            () ->
                GcsSettings.forBucket("b").withChunkSizeBytes(GcsSettings.MIN_CHUNK_SIZE_BYTES + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("multiple of 262144");
    assertThatThrownBy(() -> GcsSettings.forBucket(" "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(GcsSettings.forBucket("b").describe()).isEqualTo("gs://b");
  }

  private static void assertRetriable(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String key) {
    assertThatThrownBy(call)
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("'" + key + "'")
        .hasMessageContaining("gs://pages")
        .satisfies(e -> assertThat(((StorageException) e).retriable()).as(e.toString()).isTrue());
  }

  // The create-only refusal of an object this put itself stored, against GcsJsonApiStub: the real
  // client over HTTP, a stand-in for the service (no GCS-compatible server runs here).

  private static final int SINGLE = 1000;
  private static final int RESUMABLE = (int) GcsSettings.MIN_CHUNK_SIZE_BYTES * 2 + 300;

  private static PutOptions pageOptions() {
    return PutOptions.builder().metadata("first-offset", "5").createOnly(true).build();
  }

  private static PutResult put(ObjectStore store, String key, byte[] content, PutOptions options) {
    return store.put(key, new ByteArrayInputStream(content), content.length, options);
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new java.util.Random(seed).nextBytes(bytes);
    return bytes;
  }

  /**
   * A create-only single-request upload whose answer is lost after the stub stored the object: the
   * client sends it again, which is refused (412) as the key exists. The object there is the one
   * sent, so the put succeeded, which one metadata GET tells without reading the object.
   */
  @Test
  void aCreateOnlyPutWhoseAnswerWasLostSucceedsWithoutReadingTheObject() throws IOException {
    byte[] content = randomBytes(SINGLE, 41);
    try (GcsJsonApiStub gcs = GcsJsonApiStub.start("pages");
        ObjectStore store = GcsObjectStore.open(gcs.settings())) {
      gcs.loseAnswers(1);

      PutResult result = put(store, "page", content, pageOptions());

      assertThat(gcs.calls())
          .as("sent, answer lost, sent again and refused, then looked at")
          .containsExactly("upload multipart", "upload multipart", "get metadata");
      ObjectInfo stored = store.head("page").orElseThrow();
      assertThat(result.etag()).isEqualTo(stored.etag());
      assertThat(result.size()).isEqualTo(content.length);
      assertThat(stored.userMetadata()).isEqualTo(java.util.Map.of("first-offset", "5"));
      assertThat(gcs.content("page")).isEqualTo(content);
    }
  }

  /**
   * A resumable upload whose last answer is lost meets no refusal: the client asks its session how
   * far it got, and a finished session answers with the object (as the JSON API documents). Only a
   * put made again meets the key taken (below).
   */
  @Test
  void aResumableUploadWhoseLastAnswerWasLostIsFinishedByItsSession() throws IOException {
    byte[] content = randomBytes(RESUMABLE, 48);
    try (GcsJsonApiStub gcs = GcsJsonApiStub.start("pages");
        ObjectStore store = GcsObjectStore.open(gcs.settings())) {
      gcs.loseAnswers(1);

      PutResult result = put(store, "page", content, pageOptions());

      assertThat(result.size()).isEqualTo(content.length);
      assertThat(gcs.calls()).containsOnlyOnce("upload resumable").doesNotContain("get media");
      assertThat(gcs.content("page")).isEqualTo(content);
    }
  }

  /**
   * The same page put again create-only (the sink's own retry, after the client's gave up) is the
   * object there, single-request or resumable (refused when its session starts): it succeeds from
   * one metadata GET, without reading the object.
   */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {SINGLE, RESUMABLE})
  void theSameBytesPutAgainCreateOnlySucceedWithoutReadingTheObject(int size) throws IOException {
    byte[] content = randomBytes(size, 42);
    try (GcsJsonApiStub gcs = GcsJsonApiStub.start("pages");
        ObjectStore store = GcsObjectStore.open(gcs.settings())) {
      PutResult first = put(store, "page", content, pageOptions());
      gcs.forget();

      PutResult again = put(store, "page", content, pageOptions());

      assertThat(again).isEqualTo(first);
      assertThat(gcs.calls()).endsWith("get metadata").doesNotContain("get media");
      assertThat(gcs.content("page")).isEqualTo(content);
    }
  }

  /**
   * Another object under the key is still refused: other bytes of the same size and metadata, or
   * the same bytes under other metadata or content type. The object there stays.
   */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {SINGLE, RESUMABLE})
  void anotherObjectUnderTheKeyIsStillRefused(int size) throws IOException {
    byte[] content = randomBytes(size, 43);
    byte[] other = randomBytes(size, 44);
    PutOptions otherMetadata =
        PutOptions.builder().metadata("first-offset", "6").createOnly(true).build();
    PutOptions otherType =
        PutOptions.builder()
            .metadata("first-offset", "5")
            .contentType("text/plain")
            .createOnly(true)
            .build();
    try (GcsJsonApiStub gcs = GcsJsonApiStub.start("pages");
        ObjectStore store = GcsObjectStore.open(gcs.settings())) {
      put(store, "page", content, pageOptions());

      assertThatThrownBy(() -> put(store, "page", other, pageOptions()))
          .isInstanceOf(ObjectAlreadyExistsException.class)
          .hasMessageContaining("create-only put of 'page' in gs://pages")
          .hasMessageContaining("412");
      assertThatThrownBy(() -> put(store, "page", content, otherMetadata))
          .isInstanceOf(ObjectAlreadyExistsException.class);
      assertThatThrownBy(() -> put(store, "page", content, otherType))
          .isInstanceOf(ObjectAlreadyExistsException.class);

      assertThat(gcs.content("page")).isEqualTo(content);
      assertThat(gcs.calls()).doesNotContain("get media");
    }
  }

  /**
   * When nothing can be told the refusal goes to the caller, who reads the object to tell: the
   * object has no md5Hash (a composite object; one encrypted with a customer-supplied key), or a
   * resumable upload's body cannot be read again for its digests.
   */
  @Test
  void whenNothingCanBeToldTheRefusalIsLeftToTheCaller() throws IOException {
    byte[] small = randomBytes(SINGLE, 45);
    byte[] large = randomBytes(RESUMABLE, 46);
    try (GcsJsonApiStub gcs = GcsJsonApiStub.start("pages");
        ObjectStore store = GcsObjectStore.open(gcs.settings())) {
      put(store, "small", small, pageOptions());
      put(store, "large", large, pageOptions());
      gcs.describeAs(
          resource -> {
            resource.remove("md5Hash");
            return resource;
          });
      assertThatThrownBy(() -> put(store, "small", small, pageOptions()))
          .isInstanceOf(ObjectAlreadyExistsException.class);
      gcs.describeAs(java.util.function.UnaryOperator.identity());

      java.io.InputStream once =
          new java.io.FilterInputStream(new ByteArrayInputStream(large)) {
            @Override
            public boolean markSupported() {
              return false;
            }
          };
      assertThatThrownBy(() -> store.put("large", once, large.length, pageOptions()))
          .isInstanceOf(ObjectAlreadyExistsException.class);
    }
  }

  /** The error for an upload that finished but cannot be seen names the put as it was asked. */
  @ParameterizedTest(name = "create-only {0}")
  @ValueSource(booleans = {false, true})
  void aFinishedUploadThatIsNotVisibleIsARetriableErrorNamingThePut(boolean createOnly)
      throws IOException {
    byte[] content = randomBytes(RESUMABLE, 47);
    try (GcsJsonApiStub gcs = GcsJsonApiStub.start("pages");
        ObjectStore store = GcsObjectStore.open(gcs.settings())) {
      gcs.hideObjects(true);

      assertThatThrownBy(
              () ->
                  put(store, "page", content, PutOptions.builder().createOnly(createOnly).build()))
          .isInstanceOf(StorageException.class)
          .hasMessageStartingWith(
              (createOnly ? "create-only put" : "put")
                  + " of 'page' in gs://pages at "
                  + gcs.endpoint()
                  + ": the finished upload is not visible")
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isTrue());
    }
  }
}
