package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

/**
 * The object-store contract, plus Azure-specific behaviour, against Azurite (started by bin/test).
 */
class AzureObjectStoreIT extends ObjectStoreContract {

  @Override
  protected ObjectStore newStore() {
    return AzureObjectStore.open(
        Azurite.settings(Azurite.newContainer()).withBlockSizeBytes(PART_SIZE));
  }

  @Test
  void aConnectionStringReachesTheSameContainer() throws IOException {
    String container = Azurite.newContainer();
    try (ObjectStore byKey = AzureObjectStore.open(Azurite.settings(container));
        ObjectStore byString = AzureObjectStore.open(Azurite.connectionStringSettings(container))) {
      byKey.put("k", new ByteArrayInputStream(bytes("hello")), 5, PutOptions.defaults());

      assertThat(read(byString.get("k"))).isEqualTo(bytes("hello"));
      assertThat(byString.describe())
          .isEqualTo(byKey.describe())
          .isEqualTo(
              "azure://"
                  + Azurite.ACCOUNT
                  + "/"
                  + container
                  + " at http://"
                  + Azurite.endpoint().getAuthority());
    }
  }

  @Test
  void aSharedAccessSignatureInTheConnectionStringIsEnoughToStoreListAndDeletePages()
      throws IOException {
    String container = Azurite.newContainer();
    try (ObjectStore bySas = AzureObjectStore.open(Azurite.sasSettings(container, "racwdl"));
        ObjectStore byKey = AzureObjectStore.open(Azurite.settings(container))) {
      bySas.put(
          "pages/p1",
          new ByteArrayInputStream(bytes("page")),
          4,
          PutOptions.builder().metadata("prism-first-offset", "7").createOnly(true).build());
      assertThatThrownBy(
              () ->
                  bySas.put(
                      "pages/p1",
                      new ByteArrayInputStream(bytes("other")),
                      5,
                      PutOptions.ifAbsent()))
          .as("create-only writes still refuse a taken key")
          .isInstanceOf(ObjectAlreadyExistsException.class);

      assertThat(read(byKey.get("pages/p1"))).isEqualTo(bytes("page"));
      assertThat(bySas.head("pages/p1"))
          .hasValueSatisfying(
              info -> assertThat(info.userMetadata()).containsEntry("prism-first-offset", "7"));
      assertThat(bySas.list("pages/", 10, null).objects())
          .extracting(ObjectInfo::key)
          .containsExactly("pages/p1");
      assertThat(bySas.delete("pages/p1")).isTrue();
      assertThat(byKey.head("pages/p1")).isEmpty();
      assertThat(bySas.describe()).as("the signature is a secret").doesNotContain("sig=");
    }
  }

  @Test
  void aReadOnlySignatureMakesWritesAFatalError() {
    String container = Azurite.newContainer();
    try (ObjectStore readOnly = AzureObjectStore.open(Azurite.sasSettings(container, "rl"))) {
      assertThatThrownBy(
              () ->
                  readOnly.put("k", new ByteArrayInputStream(bytes("x")), 1, PutOptions.defaults()))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("403")
          .hasMessageContaining("'k'")
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
      assertThat(readOnly.list("", 10, null).objects()).isEmpty();
    }
  }

  @Test
  void aWrongKeyIsAFatalError() {
    String container = Azurite.newContainer();
    String wrongKey =
        java.util.Base64.getEncoder().encodeToString(bytes("not-the-account-key-at-all"));
    try (ObjectStore wrong =
        AzureObjectStore.open(
            AzureSettings.ofAccountKey(
                container, Azurite.ACCOUNT, new Password(wrongKey), Azurite.endpoint()))) {
      assertThatThrownBy(
              () -> wrong.put("k", new ByteArrayInputStream(bytes("x")), 1, PutOptions.defaults()))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("403")
          .hasMessageContaining("'k'")
          .hasMessageContaining(container)
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
      assertThatThrownBy(() -> wrong.list("", 10, null))
          .isInstanceOf(StorageException.class)
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
    }
  }

  @Test
  void aMissingContainerIsAFatalErrorNotAMissingObject() {
    try (ObjectStore store = AzureObjectStore.open(Azurite.settings("no-such-container-here"))) {
      assertThatThrownBy(
              () -> store.put("k", new ByteArrayInputStream(bytes("x")), 1, PutOptions.defaults()))
          .isInstanceOf(StorageException.class)
          .isNotInstanceOf(NoSuchObjectException.class)
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
      assertThatThrownBy(() -> store.head("k"))
          .isInstanceOf(StorageException.class)
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
    }
  }

  @Test
  void anUnreachableEndpointIsARetriableError() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + closedPort + "/" + Azurite.ACCOUNT);
    try (ObjectStore store =
        AzureObjectStore.open(
            AzureSettings.ofAccountKey(
                "c", Azurite.ACCOUNT, new Password(Azurite.ACCOUNT_KEY), nowhere))) {
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
  void createOnlyBlockUploadRefusesAnExistingKey() throws IOException {
    byte[] original = randomBytes((int) PART_SIZE + 100, 7);
    byte[] intruder = randomBytes((int) PART_SIZE * 2 + 200, 8);
    put("big/taken", original, PutOptions.ifAbsent());

    assertThatThrownBy(() -> put("big/taken", intruder, PutOptions.ifAbsent()))
        .isInstanceOf(ObjectAlreadyExistsException.class)
        .hasMessageContaining("big/taken");

    assertThat(read(store.get("big/taken"))).isEqualTo(original);
  }

  @Test
  void metadataNamesAzureWouldRefuseRoundTrip() {
    Map<String, String> metadata =
        Map.of("writer-id", "w", "9lives", "cat", "a_b-c__d", "x", "-", "dash");
    put("meta", bytes("m"), PutOptions.builder().userMetadata(metadata).build());

    assertThat(store.head("meta"))
        .hasValueSatisfying(info -> assertThat(info.userMetadata()).isEqualTo(metadata));
  }

  @Test
  void theKeyNeverAppearsInDescriptions() {
    AzureSettings settings = Azurite.settings("some-container");
    try (ObjectStore store = AzureObjectStore.open(settings)) {
      assertThat(store.describe()).doesNotContain(Azurite.ACCOUNT_KEY);
      assertThat(store.toString()).doesNotContain(Azurite.ACCOUNT_KEY);
      assertThat(settings.toString()).doesNotContain(Azurite.ACCOUNT_KEY).contains("[hidden]");
      assertThat(Azurite.connectionStringSettings("c").toString())
          .doesNotContain(Azurite.ACCOUNT_KEY);
    }
  }
}
