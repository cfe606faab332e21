package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import io.prism.snapshotter.testing.TestServices;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Azure backend signed in with Microsoft Entra ID: no key and no connection string, so the
 * SDK's DefaultAzureCredential finds a managed identity (App Service's source: IDENTITY_ENDPOINT
 * and IDENTITY_HEADER point at the token endpoint start_azurite_oauth runs) and sends its bearer
 * tokens to an Azurite on HTTPS that checks their issuer, audience and lifetime. The whole
 * object-store contract runs that way.
 */
class AzureEntraIdIT extends ObjectStoreContract {

  /**
   * The user-assigned identity the token endpoint gives another account's audience, which Azurite
   * refuses.
   */
  private static final String WRONG_AUDIENCE_IDENTITY = "wrong-audience";

  /**
   * The user-assigned identity the token endpoint answers 400 for, as App Service does for one not
   * assigned.
   */
  private static final String UNKNOWN_IDENTITY = "no-such-identity";

  @BeforeAll
  static void identityEndpointIsConfigured() {
    TestServices.requireIdentityEndpoint();
  }

  @Override
  protected ObjectStore newStore() {
    return AzureObjectStore.open(entraIdSettings(newContainer()).withBlockSizeBytes(PART_SIZE));
  }

  @Test
  void pagesStoredWithATokenAreThereForTheAccountKeyToo() throws IOException {
    String container = newContainer();
    try (ObjectStore byToken = AzureObjectStore.open(entraIdSettings(container))) {
      byToken.put(
          "pages/p1",
          new ByteArrayInputStream(bytes("page")),
          4,
          PutOptions.builder().metadata("prism-first-offset", "7").createOnly(true).build());

      assertThat(
              keyClient()
                  .getBlobContainerClient(container)
                  .getBlobClient("pages/p1")
                  .downloadContent()
                  .toBytes())
          .isEqualTo(bytes("page"));
      assertThat(read(byToken.get("pages/p1"))).isEqualTo(bytes("page"));
      assertThat(byToken.list("pages/", 10, null).objects())
          .extracting(ObjectInfo::key)
          .containsExactly("pages/p1");
      assertThat(byToken.delete("pages/p1")).isTrue();
      assertThat(keyClient().getBlobContainerClient(container).getBlobClient("pages/p1").exists())
          .isFalse();
      assertThat(byToken.describe())
          .isEqualTo(
              "azure://"
                  + Azurite.ACCOUNT
                  + "/"
                  + container
                  + " at https://"
                  + TestServices.azuriteOAuthUrl().getAuthority()
                  + " (Entra ID)");
    }
  }

  @Test
  void aTokenAzuriteRefusesIsAFatalErrorThatSaysWhy() {
    String container = newContainer();
    try (ObjectStore refused =
        AzureObjectStore.open(
            entraIdSettings(container).withManagedIdentityClientId(WRONG_AUDIENCE_IDENTITY))) {
      assertThatThrownBy(
              () ->
                  refused.put("k", new ByteArrayInputStream(bytes("x")), 1, PutOptions.defaults()))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("'k'")
          .hasMessageContaining(container)
          .hasMessageContaining("(Entra ID)")
          .hasMessageContaining("HTTP 403")
          .hasMessageContaining("Invalid token audience")
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
      assertThatThrownBy(() -> refused.list("", 10, null))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("Invalid token audience")
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
      assertThatThrownBy(() -> refused.head("k"))
          .as("a HEAD answer has no body to quote, and the SDK's shared-key advice does not apply")
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("HTTP 403 AuthenticationFailed")
          .hasMessageNotContaining("StorageSharedKeyCredential")
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
    }
    assertThat(keyClient().getBlobContainerClient(container).getBlobClient("k").exists()).isFalse();
  }

  @Test
  void anIdentityTheEndpointDoesNotKnowIsAFatalErrorThatSaysWhy() {
    String container = newContainer();
    try (ObjectStore unknown =
        AzureObjectStore.open(
            entraIdSettings(container).withManagedIdentityClientId(UNKNOWN_IDENTITY))) {
      assertThatThrownBy(
              () ->
                  unknown.put("k", new ByteArrayInputStream(bytes("x")), 1, PutOptions.defaults()))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("'k'")
          .hasMessageContaining("could not sign in with Entra ID")
          .hasMessageContaining("Unable to load the proper Managed Identity")
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
    }
  }

  private static AzureSettings entraIdSettings(String container) {
    // The endpoint names the account; no account name, key or connection string: Entra ID it is.
    return AzureSettings.ofEntraId(container, null, TestServices.azuriteOAuthUrl());
  }

  /** Creates a container with a unique name (with the account key) and returns the name. */
  private static String newContainer() {
    String name =
        "entra-"
            + UUID.randomUUID()
                .toString()
                .toLowerCase(Locale.ROOT)
                .replace("-", "")
                .substring(0, 20);
    keyClient().createBlobContainer(name);
    return name;
  }

  /**
   * The same Azurite through its account key: to set up containers and to check what the token
   * store did.
   */
  private static BlobServiceClient keyClient() {
    return new BlobServiceClientBuilder()
        .endpoint(TestServices.azuriteOAuthUrl().toString())
        .credential(new StorageSharedKeyCredential(Azurite.ACCOUNT, Azurite.ACCOUNT_KEY))
        .httpClient(new JdkHttpClientBuilder().build())
        .buildClient();
  }
}
