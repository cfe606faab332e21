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

/**
 * The GCS backend's code paths that need no server: no GCS-compatible server runs on these machines
 * (see the README), so the contract suite cannot run on it. The real client is driven at a closed
 * loopback port, which exercises its request building, retries and {@link GcsErrors}; the rest are
 * the settings and error rules.
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
}
