package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.config.StorageConfig;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectStoresTest {

  @TempDir Path tempDir;

  @Test
  void opensTheFilesystemBackendAtTheConfiguredPath() throws Exception {
    Path base = tempDir.resolve("pages");
    try (ObjectStore store =
        ObjectStores.open(new StorageConfig(Map.of("storage.filesystem.path", base.toString())))) {
      store.put("k", new ByteArrayInputStream(new byte[] {1}), 1, PutOptions.defaults());

      assertThat(store).isInstanceOf(FilesystemObjectStore.class);
      assertThat(store.describe()).isEqualTo("file:" + base);
      assertThat(Files.readAllBytes(base.resolve("k"))).containsExactly(1);
    }
  }

  @Test
  void opensTheAzureAndGcsBackendsTheConfigNames() {
    // Opening builds clients only; nothing is sent until the first operation.
    try (ObjectStore azure =
            ObjectStores.open(
                new StorageConfig(
                    Map.of(
                        "storage.backend",
                        "azure",
                        "storage.azure.container",
                        "pages",
                        "storage.azure.account.name",
                        "prismdata",
                        "storage.azure.account.key",
                        "a2V5")));
        ObjectStore gcs =
            ObjectStores.open(
                new StorageConfig(
                    Map.of(
                        "storage.backend",
                        "gs",
                        "storage.gcs.bucket",
                        "pages",
                        "storage.gcs.endpoint",
                        "http://127.0.0.1:4443")))) {
      assertThat(azure).isInstanceOf(AzureObjectStore.class);
      assertThat(azure.describe()).isEqualTo("azure://prismdata/pages");
      assertThat(gcs).isInstanceOf(GcsObjectStore.class);
      assertThat(gcs.describe()).isEqualTo("gs://pages at http://127.0.0.1:4443");
    }
  }

  /**
   * What pages verify sizes its threads by: the S3 client's connection pool (50; a request past it
   * waits for a connection); the Azure (JDK HttpClient) and GCS (HttpURLConnection) clients and a
   * filesystem set no limit. A wrapper (metrics) says what its store says.
   */
  @Test
  void eachBackendSaysHowManyRequestsItsClientServesAtOnce() {
    // Opening builds clients only; nothing is sent.
    try (ObjectStore s3 =
            ObjectStores.open(
                new StorageConfig(
                    Map.of(
                        "storage.backend", "s3",
                        "storage.s3.bucket", "b",
                        "storage.s3.endpoint", "http://127.0.0.1:1",
                        "storage.s3.region", "us-east-1",
                        "storage.s3.access.key", "a",
                        "storage.s3.secret.key", "s")));
        ObjectStore azure =
            ObjectStores.open(
                new StorageConfig(
                    Map.of(
                        "storage.backend", "azure",
                        "storage.azure.container", "pages",
                        "storage.azure.account.name", "prismdata",
                        "storage.azure.account.key", "a2V5")));
        ObjectStore gcs =
            ObjectStores.open(
                new StorageConfig(
                    Map.of(
                        "storage.backend", "gs",
                        "storage.gcs.bucket", "pages",
                        "storage.gcs.endpoint", "http://127.0.0.1:4443")));
        ObjectStore filesystem =
            ObjectStores.open(
                new StorageConfig(
                    Map.of("storage.filesystem.path", tempDir.resolve("pages").toString())))) {
      assertThat(s3.concurrentRequests()).isEqualTo(50);
      assertThat(new ForwardingObjectStore(s3) {}.concurrentRequests()).isEqualTo(50);
      assertThat(azure.concurrentRequests()).isEqualTo(Integer.MAX_VALUE);
      assertThat(gcs.concurrentRequests()).isEqualTo(64);
      assertThat(filesystem.concurrentRequests()).isEqualTo(Integer.MAX_VALUE);
    }
  }

  @Test
  void opensAnAzureStoreThatSignsInWithEntraIdWhenNoKeyIsGiven() {
    // The credential looks for an identity only when the first request needs a token.
    try (ObjectStore azure =
        ObjectStores.open(
            new StorageConfig(
                Map.of(
                    "storage.backend",
                    "azure",
                    "storage.azure.container",
                    "pages",
                    "storage.azure.account.name",
                    "prismdata")))) {
      assertThat(azure.describe()).isEqualTo("azure://prismdata/pages (Entra ID)");
    }
  }

  @Test
  void refusesAConfigWithCrossKeyErrors() {
    assertThatThrownBy(() -> ObjectStores.open(new StorageConfig(Map.of("storage.backend", "s3"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage.s3.bucket");
    assertThatThrownBy(() -> ObjectStores.open(new StorageConfig(Map.of())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage.filesystem.path");
    assertThatThrownBy(
            () -> ObjectStores.open(new StorageConfig(Map.of("storage.backend", "azure"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage.azure.container");
    assertThatThrownBy(() -> ObjectStores.open(new StorageConfig(Map.of("storage.backend", "gcs"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage.gcs.bucket");
  }
}
