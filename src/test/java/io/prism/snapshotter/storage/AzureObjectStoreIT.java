package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

  private static PutOptions pageOptions() {
    return PutOptions.builder().metadata("first-offset", "5").createOnly(true).build();
  }

  private static AzureObjectStore storeOn(String container, AnswerLosingHttpClient http) {
    AzureSettings settings = Azurite.settings(container).withBlockSizeBytes(PART_SIZE);
    return new AzureObjectStore(AzureObjectStore.buildClient(settings, http), settings);
  }

  /**
   * A create-only put (one Put Blob, or blocks and a Put Block List) whose answer is lost after
   * Azurite stored the blob: the SDK sends it again, which Azurite refuses as the key exists. The
   * blob there is the one sent, so the put succeeded, which one Get Blob Properties tells without
   * downloading the blob (its Content-MD5: Azure's own for a Put Blob, the one the store sent with
   * a Put Block List).
   */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {1000, (int) PART_SIZE + 300})
  void aCreateOnlyPutWhoseAnswerWasLostSucceedsWithoutDownloadingTheBlob(int size)
      throws IOException {
    String container = Azurite.newContainer();
    byte[] content = randomBytes(size, 31);
    AnswerLosingHttpClient http =
        new AnswerLosingHttpClient(AnswerLosingHttpClient::createsTheBlob, 1);
    try (AzureObjectStore store = storeOn(container, http)) {
      PutResult result =
          store.put("page", new ByteArrayInputStream(content), content.length, pageOptions());

      List<String> calls = http.calls();
      assertThat(
              calls.stream()
                  .filter(call -> call.equals("PUT blob") || call.equals("PUT blocklist")))
          .as("sent, answer lost, sent again and refused: %s", calls)
          .hasSize(2);
      assertThat(calls).endsWith("HEAD blob").doesNotContain("GET blob");
      ObjectInfo stored = store.head("page").orElseThrow();
      assertThat(result.etag()).isEqualTo(stored.etag());
      assertThat(result.size()).isEqualTo(content.length);
      assertThat(stored.userMetadata()).isEqualTo(Map.of("first-offset", "5"));
      assertThat(read(store.get("page"))).isEqualTo(content);
    }
  }

  /**
   * The same page put again create-only (the sink's own retry, after the SDK's gave up) is the
   * object there: it succeeds from one Get Blob Properties, without a download.
   */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {1000, (int) PART_SIZE + 300})
  void theSameBytesPutAgainCreateOnlySucceedWithoutDownloadingTheBlob(int size) throws IOException {
    String container = Azurite.newContainer();
    byte[] content = randomBytes(size, 32);
    AnswerLosingHttpClient http = new AnswerLosingHttpClient(request -> false, 0);
    try (AzureObjectStore store = storeOn(container, http)) {
      PutResult first =
          store.put("page", new ByteArrayInputStream(content), content.length, pageOptions());
      http.forget();

      PutResult again =
          store.put("page", new ByteArrayInputStream(content), content.length, pageOptions());

      assertThat(again).isEqualTo(first);
      assertThat(http.calls()).endsWith("HEAD blob").doesNotContain("GET blob");
      assertThat(read(store.get("page"))).isEqualTo(content);
    }
  }

  /**
   * Another blob under the key is still refused: other bytes of the same size and metadata, or the
   * same bytes under other metadata or content type. The blob there stays.
   */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {1000, (int) PART_SIZE + 300})
  void anotherBlobUnderTheKeyIsStillRefused(int size) throws IOException {
    byte[] content = randomBytes(size, 33);
    byte[] other = randomBytes(size, 34);
    put("page", content, pageOptions());
    PutOptions otherMetadata =
        PutOptions.builder().metadata("first-offset", "6").createOnly(true).build();
    PutOptions otherType =
        PutOptions.builder()
            .metadata("first-offset", "5")
            .contentType("text/plain")
            .createOnly(true)
            .build();

    assertThatThrownBy(() -> put("page", other, pageOptions()))
        .isInstanceOf(ObjectAlreadyExistsException.class)
        .hasMessageContaining("create-only put of 'page' in azure://");
    assertThatThrownBy(() -> put("page", content, otherMetadata))
        .isInstanceOf(ObjectAlreadyExistsException.class);
    assertThatThrownBy(() -> put("page", content, otherType))
        .isInstanceOf(ObjectAlreadyExistsException.class);

    ObjectInfo there = store.head("page").orElseThrow();
    assertThat(there.userMetadata()).isEqualTo(Map.of("first-offset", "5"));
    assertThat(there.contentType()).isEqualTo(PutOptions.DEFAULT_CONTENT_TYPE);
    assertThat(read(store.get("page"))).isEqualTo(content);
  }

  /**
   * A blob committed from blocks by a client that sent no Content-MD5 (Azure computes none for Put
   * Block List) cannot be told apart from another, even holding the very bytes: the refusal is left
   * to the caller, who reads the blob to tell.
   */
  @Test
  void aBlobWithoutContentMd5IsLeftToTheCaller() {
    String container = Azurite.newContainer();
    byte[] content = randomBytes((int) PART_SIZE + 300, 35);
    BlockBlobClient other =
        AzureObjectStore.buildClient(Azurite.settings(container))
            .getBlobClient("page")
            .getBlockBlobClient();
    String blockId = Base64.getEncoder().encodeToString(bytes("someone-else-000000"));
    other.stageBlock(blockId, BinaryData.fromBytes(content));
    other.commitBlockListWithResponse(
        new BlockBlobCommitBlockListOptions(List.of(blockId))
            .setMetadata(AzureMetadataNames.encode(Map.of("first-offset", "5"))),
        null,
        Context.NONE);
    assertThat(other.getProperties().getContentMd5()).isNull();
    AnswerLosingHttpClient http = new AnswerLosingHttpClient(request -> false, 0);
    try (AzureObjectStore store = storeOn(container, http)) {

      assertThatThrownBy(
              () ->
                  store.put(
                      "page", new ByteArrayInputStream(content), content.length, pageOptions()))
          .isInstanceOf(ObjectAlreadyExistsException.class);
      assertThat(http.calls()).endsWith("HEAD blob").doesNotContain("GET blob");
    }
  }
}
