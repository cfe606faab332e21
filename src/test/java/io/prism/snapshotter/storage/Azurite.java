package io.prism.snapshotter.storage;

import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import io.prism.snapshotter.testing.TestServices;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.UUID;
import org.apache.kafka.common.config.types.Password;

/**
 * The Azurite emulator bin/test starts (start_azurite): its well-known account, and fresh
 * containers in it.
 */
public final class Azurite {

  /** Azurite's one built-in account and its published key (not a secret). */
  public static final String ACCOUNT = "devstoreaccount1";

  public static final String ACCOUNT_KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  private Azurite() {}

  /** The blob endpoint, account included: {@code http://127.0.0.1:PORT/devstoreaccount1}. */
  public static URI endpoint() {
    return TestServices.azuriteUrl();
  }

  /** Account-key settings for {@code container}. */
  public static AzureSettings settings(String container) {
    return AzureSettings.ofAccountKey(container, ACCOUNT, new Password(ACCOUNT_KEY), endpoint());
  }

  /** Connection-string settings for {@code container}. */
  public static AzureSettings connectionStringSettings(String container) {
    return AzureSettings.ofConnectionString(
        container, new Password(TestServices.azuriteConnectionString()));
  }

  /**
   * Connection-string settings for {@code container} carrying a shared access signature for that
   * container alone, with {@code permissions} (e.g. {@code "racwdl"}), valid for an hour: no
   * account key in them.
   */
  public static AzureSettings sasSettings(String container, String permissions) {
    BlobContainerSasPermission allowed = BlobContainerSasPermission.parse(permissions);
    String sas =
        serviceClient()
            .getBlobContainerClient(container)
            .generateSas(
                new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1), allowed));
    return AzureSettings.ofConnectionString(
        container, new Password("BlobEndpoint=" + endpoint() + ";SharedAccessSignature=" + sas));
  }

  /** Creates a container with a unique name and returns the name. */
  public static String newContainer() {
    String name =
        "prism-"
            + UUID.randomUUID()
                .toString()
                .toLowerCase(Locale.ROOT)
                .replace("-", "")
                .substring(0, 20);
    serviceClient().createBlobContainer(name);
    return name;
  }

  private static BlobServiceClient serviceClient() {
    return new BlobServiceClientBuilder()
        .connectionString(TestServices.azuriteConnectionString())
        .buildClient();
  }
}
