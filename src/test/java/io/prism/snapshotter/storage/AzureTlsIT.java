package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.testing.TestServices;
import io.prism.snapshotter.util.TlsCaFile;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Azure backend over HTTPS to an Azurite that bin/test starts with its own certificate for
 * 127.0.0.1, which no trust store holds: trusted through {@code storage.azure.tls.ca.file}, and
 * refused without it as a setting to fix, not an outage to retry.
 */
class AzureTlsIT {
  String container;

  AzureSettings settings(TlsCaFile ca) {
    return AzureSettings.ofAccountKey(
            container,
            Azurite.ACCOUNT,
            new Password(Azurite.ACCOUNT_KEY),
            TestServices.azuriteTlsUrl())
        .withTlsCa(ca);
  }

  @BeforeEach
  void createContainer() {
    container =
        "tls-"
            + UUID.randomUUID()
                .toString()
                .toLowerCase(Locale.ROOT)
                .replace("-", "")
                .substring(0, 20);
    AzureObjectStore.buildClient(settings(TlsCaFile.load(TestServices.tlsCa()))).create();
  }

  static void put(ObjectStore store, String key, String content) {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    store.put(key, new ByteArrayInputStream(bytes), bytes.length, PutOptions.defaults());
  }

  @Test
  void withTheServersCaFileTheStoreWritesReadsAndListsOverHttps() throws Exception {
    try (ObjectStore store =
        AzureObjectStore.open(settings(TlsCaFile.load(TestServices.tlsCa())))) {
      put(store, "pages/a.pb", "over tls");
      try (InputStream in = store.get("pages/a.pb")) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("over tls");
      }
      assertThat(store.list("pages/", 10, null).objects())
          .extracting(ObjectInfo::key)
          .containsExactly("pages/a.pb");
    }
  }

  @Test
  void aConnectionStringsHttpsBlobEndpointIsTrustedThroughTheCaFileToo() throws Exception {
    Password connectionString =
        new Password(
            "DefaultEndpointsProtocol=https;AccountName="
                + Azurite.ACCOUNT
                + ";AccountKey="
                + Azurite.ACCOUNT_KEY
                + ";BlobEndpoint="
                + TestServices.azuriteTlsUrl()
                + ";");
    AzureSettings settings =
        AzureSettings.ofConnectionString(container, connectionString)
            .withTlsCa(TlsCaFile.load(TestServices.tlsCa()));
    try (ObjectStore store = AzureObjectStore.open(settings)) {
      put(store, "pages/b.pb", "through a connection string");
      assertThat(store.head("pages/b.pb")).isPresent();
    }
  }

  @Test
  void withoutACaFileTheCertificateIsRefusedAsASettingToFixNotAnOutage() {
    try (ObjectStore store = AzureObjectStore.open(settings(null))) {
      assertThatThrownBy(() -> put(store, "k", "x"))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("not signed by a CA this connection trusts")
          .hasMessageContaining("storage.azure.tls.ca.file")
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
    }
  }

  @Test
  void aCaThatDidNotSignTheCertificateIsRefused() {
    try (ObjectStore store =
        AzureObjectStore.open(settings(TlsCaFile.load(TestServices.otherTlsCa())))) {
      assertThatThrownBy(() -> store.list("", 10, null))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("not signed by a CA this connection trusts")
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
    }
  }
}
