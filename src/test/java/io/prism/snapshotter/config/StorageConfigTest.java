package io.prism.snapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.storage.AzureSettings;
import io.prism.snapshotter.storage.GcsSettings;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.S3Encryption;
import io.prism.snapshotter.storage.S3Settings;
import io.prism.snapshotter.storage.StorageBackend;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StorageConfigTest {

  private static final List<String> S3_KEYS =
      List.of(
          S3StorageKeys.BUCKET,
          S3StorageKeys.ENDPOINT,
          S3StorageKeys.REGION,
          S3StorageKeys.ACCESS_KEY,
          S3StorageKeys.SECRET_KEY,
          S3StorageKeys.SESSION_TOKEN,
          S3StorageKeys.PATH_STYLE,
          S3StorageKeys.TLS_CA_FILE,
          S3StorageKeys.PART_SIZE_BYTES,
          S3StorageKeys.STORAGE_CLASS,
          S3StorageKeys.SSE,
          S3StorageKeys.SSE_KMS_KEY_ID);
  private static final List<String> AZURE_KEYS =
      List.of(
          AzureStorageKeys.CONTAINER,
          AzureStorageKeys.CONNECTION_STRING,
          AzureStorageKeys.ACCOUNT_NAME,
          AzureStorageKeys.ACCOUNT_KEY,
          AzureStorageKeys.ENDPOINT,
          AzureStorageKeys.MANAGED_IDENTITY_CLIENT_ID,
          AzureStorageKeys.BLOCK_SIZE_BYTES);

  @Test
  void defaults() {
    StorageConfig config = new StorageConfig(Map.of());

    assertThat(config.backend()).isEqualTo(StorageBackend.FILESYSTEM);
    assertThat(config.keyTemplate()).isEqualTo(KeyTemplate.parse(KeyTemplate.DEFAULT));
    assertThat(config.filesystemPath()).isEmpty();
    assertThat(config.crossKeyErrors())
        .containsOnlyKeys(StorageConfig.BACKEND, StorageConfig.FILESYSTEM_PATH);
  }

  @Test
  void s3Defaults() {
    S3Settings settings = new StorageConfig(s3()).s3Settings();

    assertThat(settings.bucket()).isEqualTo("b");
    assertThat(settings.endpoint()).isNull();
    assertThat(settings.region()).isNull();
    assertThat(settings.pathStyle()).isFalse();
    assertThat(settings.partSizeBytes()).isEqualTo(8L * 1024 * 1024);
    assertThat(settings.storageClass()).isNull();
    assertThat(settings.encryption()).isEqualTo(S3Encryption.NONE);
    assertThat(settings.kmsKeyId()).isNull();
    assertThat(settings.accessKey()).isNull();
    assertThat(settings.secretKey()).isNull();
    assertThat(settings.sessionToken()).isNull();
    assertThat(settings.tlsCa()).isNull();
  }

  @Test
  void aFullS3ConfigGivesTypedSettings() {
    Map<String, String> props =
        new HashMap<>(
            Map.of(
                "storage.backend", "minio",
                "storage.s3.bucket", "event-snapshots",
                "storage.s3.endpoint", "http://minio:9000",
                "storage.s3.region", "eu-west-1",
                "storage.s3.access.key", "AKIA",
                "storage.s3.secret.key", "s3cr3t",
                "storage.s3.path.style", "true",
                "storage.s3.part.size.bytes", "6291456",
                "storage.s3.storage.class", "STANDARD_IA",
                "storage.s3.sse", "aws:kms"));
    props.put("storage.s3.sse.kms.key.id", "alias/prism");
    StorageConfig config = new StorageConfig(props);

    assertThat(config.backend()).isEqualTo(StorageBackend.S3);
    assertThat(config.crossKeyErrors()).isEmpty();
    S3Settings settings = config.s3Settings();
    assertThat(settings.bucket()).isEqualTo("event-snapshots");
    assertThat(settings.endpoint()).isEqualTo(URI.create("http://minio:9000"));
    assertThat(settings.region()).isEqualTo("eu-west-1");
    assertThat(settings.pathStyle()).isTrue();
    assertThat(settings.accessKey()).isEqualTo("AKIA");
    assertThat(settings.secretKey().value()).isEqualTo("s3cr3t");
    assertThat(settings.partSizeBytes()).isEqualTo(6_291_456L);
    assertThat(settings.storageClass()).isEqualTo("STANDARD_IA");
    assertThat(settings.encryption()).isEqualTo(S3Encryption.AWS_KMS);
    assertThat(settings.toString()).doesNotContain("s3cr3t");
    assertThat(settings.kmsKeyId()).isEqualTo("alias/prism");
    assertThat(config.toString()).doesNotContain("s3cr3t");
  }

  private static final String SESSION_TOKEN = "FwoGZXIvYXdzEBYaDOSessionTokenSecret+/=";

  private static Map<String, String> s3(String... keyValues) {
    Map<String, String> props = new HashMap<>();
    props.put("storage.backend", "s3");
    props.put("storage.s3.bucket", "b");
    for (int i = 0; i < keyValues.length; i += 2) {
      props.put(keyValues[i], keyValues[i + 1]);
    }
    return props;
  }

  @Test
  void aTlsCaFileIsReadIntoTheSettings() throws Exception {
    Path ca = Path.of(getClass().getResource("/tls/test-ca.pem").toURI());
    StorageConfig config =
        new StorageConfig(
            s3(
                "storage.s3.endpoint",
                "https://minio.internal:9000",
                "storage.s3.tls.ca.file",
                ca.toString()));

    assertThat(config.crossKeyErrors()).isEmpty();
    assertThat(config.s3Settings().tlsCa().path()).isEqualTo(ca);
    assertThat(new StorageConfig(s3()).s3Settings().tlsCa()).isNull();
  }

  @Test
  void anAzureTlsCaFileIsReadIntoTheSettingsAndRefusedBesideAnHttpEndpoint() throws Exception {
    Path ca = Path.of(getClass().getResource("/tls/test-ca.pem").toURI());
    Map<String, String> azure = new HashMap<>();
    azure.put("storage.backend", "azure");
    azure.put("storage.azure.container", "pages");
    azure.put("storage.azure.account.name", "acct");
    azure.put("storage.azure.account.key", "a2V5");
    azure.put("storage.azure.endpoint", "https://blob.stack.internal/acct");
    azure.put("storage.azure.tls.ca.file", ca.toString());
    StorageConfig config = new StorageConfig(azure);
    assertThat(config.crossKeyErrors()).isEmpty();
    assertThat(config.azureSettings().tlsCa().path()).isEqualTo(ca);

    azure.put("storage.azure.endpoint", "http://127.0.0.1:10000/acct");
    assertThat(new StorageConfig(azure).crossKeyErrors())
        .containsOnlyKeys("storage.azure.tls.ca.file", "storage.azure.endpoint")
        .extractingByKey("storage.azure.tls.ca.file")
        .asString()
        .contains("does not start with https://");
  }

  @Test
  void aGcsTlsCaFileIsReadIntoTheSettingsAndRefusedBesideAnHttpEndpointOrWhenMissing(
      @TempDir Path dir) throws Exception {
    Path ca = Path.of(getClass().getResource("/tls/test-ca.pem").toURI());
    Map<String, String> gcs = new HashMap<>();
    gcs.put("storage.backend", "gcs");
    gcs.put("storage.gcs.bucket", "pages");
    gcs.put("storage.gcs.endpoint", "https://gcs.internal:4443");
    gcs.put("storage.gcs.tls.ca.file", ca.toString());
    StorageConfig config = new StorageConfig(gcs);
    assertThat(config.crossKeyErrors()).isEmpty();
    assertThat(config.gcsSettings().tlsCa().path()).isEqualTo(ca);
    assertThat(validate(gcs).get(GcsStorageKeys.TLS_CA_FILE).visible()).isTrue();
    assertThat(validate(Map.of("storage.backend", "s3")).get(GcsStorageKeys.TLS_CA_FILE).visible())
        .isFalse();

    gcs.put("storage.gcs.endpoint", "http://127.0.0.1:4443");
    assertThat(new StorageConfig(gcs).crossKeyErrors())
        .containsOnlyKeys("storage.gcs.tls.ca.file", "storage.gcs.endpoint")
        .extractingByKey("storage.gcs.tls.ca.file")
        .asString()
        .contains("does not start with https://");

    gcs.remove("storage.gcs.endpoint"); // Google's own endpoint: https
    gcs.put("storage.gcs.tls.ca.file", dir.resolve("missing.pem").toString());
    StorageConfig missing = new StorageConfig(gcs);
    assertThat(missing.crossKeyErrors())
        .containsOnlyKeys("storage.gcs.tls.ca.file")
        .extractingByKey("storage.gcs.tls.ca.file")
        .asString()
        .contains("missing.pem does not exist");
    assertThatThrownBy(missing::gcsSettings)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage.gcs.tls.ca.file");
  }

  @Test
  void aTlsCaFileThatIsNotThereOrBesideAnHttpEndpointIsAnErrorOnTheKeysInvolved(@TempDir Path dir)
      throws Exception {
    Path missing = dir.resolve("missing.pem");
    Path ca = Path.of(getClass().getResource("/tls/test-ca.pem").toURI());
    StorageConfig notThere = new StorageConfig(s3("storage.s3.tls.ca.file", missing.toString()));
    StorageConfig plainHttp =
        new StorageConfig(
            s3(
                "storage.s3.endpoint",
                "http://minio:9000",
                "storage.s3.tls.ca.file",
                ca.toString()));

    assertThat(notThere.crossKeyErrors())
        .containsOnlyKeys("storage.s3.tls.ca.file")
        .extractingByKey("storage.s3.tls.ca.file")
        .asString()
        .contains(missing + " does not exist");
    assertThat(plainHttp.crossKeyErrors())
        .containsOnlyKeys("storage.s3.tls.ca.file", "storage.s3.endpoint");
    assertThat(plainHttp.crossKeyErrors().get("storage.s3.endpoint"))
        .singleElement()
        .asString()
        .contains("does not start with https://");
    assertThatThrownBy(notThere::s3Settings)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage.s3.tls.ca.file");
  }

  @Test
  void temporaryCredentialsGiveSettingsWithTheSessionTokenHidden() {
    StorageConfig config =
        new StorageConfig(
            s3(
                "storage.s3.access.key", "ASIATEMPORARY",
                "storage.s3.secret.key", "s3cr3t",
                "storage.s3.session.token", SESSION_TOKEN));

    assertThat(config.crossKeyErrors()).isEmpty();
    S3Settings settings = config.s3Settings();
    assertThat(settings.accessKey()).isEqualTo("ASIATEMPORARY");
    assertThat(settings.secretKey().value()).isEqualTo("s3cr3t");
    assertThat(settings.sessionToken().value()).isEqualTo(SESSION_TOKEN);
    assertThat(settings.toString()).doesNotContain(SESSION_TOKEN).contains("sessionToken=[hidden]");
    assertThat(config.toString()).doesNotContain(SESSION_TOKEN);
    ConfigDef.ConfigKey key =
        StorageConfig.configDef().configKeys().get("storage.s3.session.token");
    assertThat(key.type).isEqualTo(ConfigDef.Type.PASSWORD);
    assertThat(key.group).isEqualTo(S3StorageKeys.GROUP);
  }

  @Test
  void anEmptySessionTokenIsNone() {
    StorageConfig withKeys =
        new StorageConfig(
            s3(
                "storage.s3.access.key", "AKIA",
                "storage.s3.secret.key", "s3cr3t",
                "storage.s3.session.token", ""));
    StorageConfig withoutKeys = new StorageConfig(s3("storage.s3.session.token", ""));

    assertThat(withKeys.crossKeyErrors()).isEmpty();
    assertThat(withKeys.s3Settings().sessionToken()).isNull();
    assertThat(withoutKeys.crossKeyErrors()).isEmpty();
    assertThat(withoutKeys.s3Settings().accessKey()).isNull();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {"-|-", "AKIA|-", "-|s3cr3t"})
  void aSessionTokenWithoutBothKeysIsACrossKeyErrorOnAllThreeThatDoesNotShowIt(
      String accessKey, String secretKey) {
    Map<String, String> props = s3("storage.s3.session.token", SESSION_TOKEN);
    if (accessKey != null) {
      props.put("storage.s3.access.key", accessKey);
    }
    if (secretKey != null) {
      props.put("storage.s3.secret.key", secretKey);
    }
    StorageConfig config = new StorageConfig(props);

    Map<String, List<String>> errors = config.crossKeyErrors();
    assertThat(errors)
        .containsOnlyKeys(
            S3StorageKeys.ACCESS_KEY, S3StorageKeys.SECRET_KEY, S3StorageKeys.SESSION_TOKEN);
    assertThat(errors.get(S3StorageKeys.SESSION_TOKEN))
        .singleElement()
        .asString()
        .startsWith("storage.s3.session.token is set but storage.s3.")
        .contains("set all three")
        .doesNotContain(SESSION_TOKEN);
    assertThatThrownBy(config::s3Settings)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage.s3.session.token")
        .hasMessageNotContaining(SESSION_TOKEN);
  }

  @ParameterizedTest
  @ValueSource(strings = {" ", "\n", "\r\n", "\t", "\u00e9"})
  void aSessionTokenWithSpacesOrLineBreaksInsideIsRefusedByKeyWithoutShowingIt(String stray) {
    // Kafka trims a value's ends, so what is left to refuse is inside: a pasted, wrapped token.
    String token = SESSION_TOKEN.substring(0, 12) + stray + SESSION_TOKEN.substring(12);
    String visible = SESSION_TOKEN.substring(0, 12);

    assertThatThrownBy(() -> new StorageConfig(s3("storage.s3.session.token", token)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage.s3.session.token")
        .hasMessageContaining("without spaces or line breaks")
        .hasMessageNotContaining(visible);
    assertThat(validate(s3("storage.s3.session.token", token)).get("storage.s3.session.token"))
        .satisfies(
            value ->
                assertThat(value.errorMessages())
                    .singleElement()
                    .asString()
                    .doesNotContain(visible));
  }

  @Test
  void aSessionTokensEndsAreTrimmedAsEveryValuesAre() {
    StorageConfig config =
        new StorageConfig(
            s3(
                "storage.s3.access.key", "ASIATEMPORARY",
                "storage.s3.secret.key", "s3cr3t",
                "storage.s3.session.token", " " + SESSION_TOKEN + "\n"));

    assertThat(config.s3Settings().sessionToken().value()).isEqualTo(SESSION_TOKEN);
  }

  @Test
  void settingsRefuseASessionTokenWithoutKeys() {
    assertThatThrownBy(
            () ->
                S3Settings.forBucket("b").withCredentials(null, null, new Password(SESSION_TOKEN)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(SESSION_TOKEN);
  }

  @Test
  void theFilesystemPathIsTyped() {
    StorageConfig config = new StorageConfig(Map.of("storage.filesystem.path", "/var/lib/prism"));

    assertThat(config.filesystemPath()).hasValue(Path.of("/var/lib/prism"));
    assertThat(config.crossKeyErrors()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "storage.backend|hdfs",
        "storage.key.template|{writer_id}/{oops}",
        "storage.key.template|snapshots/{sequence}",
        "storage.s3.endpoint|minio:9000",
        "storage.s3.endpoint|ftp://minio",
        "storage.s3.region|US East",
        "storage.s3.part.size.bytes|1048576",
        "storage.s3.part.size.bytes|lots",
        "storage.s3.path.style|maybe",
        "storage.s3.storage.class|COLD",
        "storage.s3.sse|rot13",
        "storage.s3.bucket|a/b",
        "storage.upload.threads|-1",
        "storage.upload.threads|65",
        "storage.upload.threads|several"
      })
  void badValuesAreRejectedNamingTheKey(String key, String value) {
    assertThatThrownBy(() -> new StorageConfig(Map.of(key, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key);
  }

  @Test
  void uploadThreadsUnsetAreTwoForTheFilesystemAndEightForAStoreAcrossANetwork() {
    assertThat(new StorageConfig(Map.of()).uploadThreads()).isEqualTo(2);
    assertThat(new StorageConfig(Map.of("storage.backend", "filesystem")).uploadThreads())
        .isEqualTo(2);
    for (String backend : List.of("s3", "minio", "azure", "gcs")) {
      assertThat(new StorageConfig(Map.of("storage.backend", backend)).uploadThreads())
          .as(backend)
          .isEqualTo(8);
    }
  }

  @Test
  void uploadThreadsSetAreTakenAsTheyAreWhateverTheBackend() {
    assertThat(
            new StorageConfig(Map.of("storage.backend", "s3", "storage.upload.threads", "2"))
                .uploadThreads())
        .isEqualTo(2);
    assertThat(new StorageConfig(Map.of("storage.upload.threads", "16")).uploadThreads())
        .isEqualTo(16);
    assertThat(
            new StorageConfig(Map.of("storage.backend", "gcs", "storage.upload.threads", "0"))
                .uploadThreads())
        .isZero();
  }

  @Test
  void backendNamesAreCaseInsensitiveAndMinioIsS3() {
    assertThat(new StorageConfig(Map.of("storage.backend", "S3")).backend())
        .isEqualTo(StorageBackend.S3);
    assertThat(new StorageConfig(Map.of("storage.backend", "MinIO")).backend())
        .isEqualTo(StorageBackend.S3);
  }

  @Test
  void s3WithoutABucketIsACrossKeyErrorOnBothKeys() {
    Map<String, List<String>> errors =
        new StorageConfig(Map.of("storage.backend", "s3")).crossKeyErrors();

    assertThat(errors).containsOnlyKeys(StorageConfig.BACKEND, S3StorageKeys.BUCKET);
    assertThat(errors.get(S3StorageKeys.BUCKET))
        .singleElement()
        .asString()
        .contains("storage.s3.bucket");
    assertThatThrownBy(() -> new StorageConfig(Map.of("storage.backend", "s3")).s3Settings())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage.s3.bucket");
  }

  @Test
  void filesystemWithoutAPathIsACrossKeyError() {
    assertThat(new StorageConfig(Map.of()).crossKeyErrors())
        .containsOnlyKeys(StorageConfig.BACKEND, StorageConfig.FILESYSTEM_PATH);
  }

  @Test
  void halfOfAStaticCredentialIsACrossKeyError() {
    Map<String, List<String>> errors =
        new StorageConfig(
                Map.of(
                    "storage.backend",
                    "s3",
                    "storage.s3.bucket",
                    "b",
                    "storage.s3.access.key",
                    "AKIA"))
            .crossKeyErrors();

    assertThat(errors).containsOnlyKeys(S3StorageKeys.ACCESS_KEY, S3StorageKeys.SECRET_KEY);
  }

  @Test
  void aKmsKeyWithoutKmsEncryptionIsACrossKeyError() {
    Map<String, List<String>> errors =
        new StorageConfig(
                Map.of(
                    "storage.backend",
                    "s3",
                    "storage.s3.bucket",
                    "b",
                    "storage.s3.sse",
                    "AES256",
                    "storage.s3.sse.kms.key.id",
                    "k"))
            .crossKeyErrors();

    assertThat(errors).containsOnlyKeys(S3StorageKeys.SSE, S3StorageKeys.SSE_KMS_KEY_ID);
  }

  @Test
  void s3KeysAreVisibleOnlyWhenS3IsChosen() {
    Map<String, ConfigValue> filesystem = validate(Map.of("storage.backend", "filesystem"));
    Map<String, ConfigValue> minio = validate(Map.of("storage.backend", "minio"));

    S3_KEYS.forEach(
        key -> {
          assertThat(filesystem.get(key).visible()).as(key).isFalse();
          assertThat(minio.get(key).visible()).as(key).isTrue();
        });
    assertThat(filesystem.get(StorageConfig.FILESYSTEM_PATH).visible()).isTrue();
    assertThat(minio.get(StorageConfig.FILESYSTEM_PATH).visible()).isFalse();
    assertThat(minio.get(StorageConfig.BACKEND).visible()).isTrue();
    assertThat(minio.get(StorageConfig.KEY_TEMPLATE).visible()).isTrue();
  }

  @Test
  void azureKeysAreVisibleOnlyWhenAzureIsChosen() {
    Map<String, ConfigValue> s3 = validate(Map.of("storage.backend", "s3"));
    Map<String, ConfigValue> azure = validate(Map.of("storage.backend", "azure"));

    AZURE_KEYS.forEach(
        key -> {
          assertThat(s3.get(key).visible()).as(key).isFalse();
          assertThat(azure.get(key).visible()).as(key).isTrue();
        });
    S3_KEYS.forEach(key -> assertThat(azure.get(key).visible()).as(key).isFalse());
    assertThat(azure.get(StorageConfig.FILESYSTEM_PATH).visible()).isFalse();
  }

  @Test
  void anAccountKeyAzureConfigGivesTypedSettings() {
    StorageConfig config =
        new StorageConfig(
            Map.of(
                "storage.backend", "azure",
                "storage.azure.container", "event-pages",
                "storage.azure.account.name", "prismdata",
                "storage.azure.account.key", "a2V5",
                "storage.azure.endpoint", "http://127.0.0.1:10000/prismdata",
                "storage.azure.block.size.bytes", "4194304"));

    assertThat(config.backend()).isEqualTo(StorageBackend.AZURE);
    assertThat(config.crossKeyErrors()).isEmpty();
    AzureSettings settings = config.azureSettings();
    assertThat(settings.container()).isEqualTo("event-pages");
    assertThat(settings.accountName()).isEqualTo("prismdata");
    assertThat(settings.accountKey().value()).isEqualTo("a2V5");
    assertThat(settings.connectionString()).isNull();
    assertThat(settings.serviceEndpoint())
        .isEqualTo(URI.create("http://127.0.0.1:10000/prismdata"));
    assertThat(settings.blockSizeBytes()).isEqualTo(4_194_304L);
    assertThat(settings.describe())
        .isEqualTo("azure://prismdata/event-pages at http://127.0.0.1:10000/prismdata");
    assertThat(settings.toString()).doesNotContain("a2V5");
    assertThat(config.toString()).doesNotContain("a2V5");
  }

  @Test
  void aConnectionStringAzureConfigUsesThePublicEndpointDefaults() {
    StorageConfig config =
        new StorageConfig(
            Map.of(
                "storage.backend",
                "azure",
                "storage.azure.container",
                "pages",
                "storage.azure.connection.string",
                "AccountName=a;AccountKey=c2VjcmV0"));

    AzureSettings settings = config.azureSettings();
    assertThat(settings.connectionString().value()).isEqualTo("AccountName=a;AccountKey=c2VjcmV0");
    assertThat(settings.accountName()).isNull();
    assertThat(settings.blockSizeBytes()).isEqualTo(AzureStorageKeys.BLOCK_SIZE_BYTES_DEFAULT);
    assertThat(settings.toString()).doesNotContain("c2VjcmV0");
    assertThat(
            AzureSettings.ofAccountKey(
                    "c", "acct", new org.apache.kafka.common.config.types.Password("k"), null)
                .serviceEndpoint())
        .isEqualTo(URI.create("https://acct.blob.core.windows.net"));
  }

  @Test
  void anAccountNameWithoutAKeySignsInWithEntraId() {
    StorageConfig config =
        new StorageConfig(
            Map.of(
                "storage.backend",
                "azure",
                "storage.azure.container",
                "pages",
                "storage.azure.account.name",
                "prismdata",
                "storage.azure.managed.identity.client.id",
                "0c1d-id"));

    assertThat(config.crossKeyErrors()).isEmpty();
    AzureSettings settings = config.azureSettings();
    assertThat(settings.signsInWithEntraId()).isTrue();
    assertThat(settings.managedIdentityClientId()).isEqualTo("0c1d-id");
    assertThat(settings.serviceEndpoint())
        .isEqualTo(URI.create("https://prismdata.blob.core.windows.net"));
    assertThat(settings.describe()).isEqualTo("azure://prismdata/pages (Entra ID)");
  }

  @Test
  void anEndpointAloneNamesTheAccountForEntraId() {
    StorageConfig config =
        new StorageConfig(
            Map.of(
                "storage.backend",
                "azure",
                "storage.azure.container",
                "pages",
                "storage.azure.endpoint",
                "https://prismdata.privatelink.blob.core.windows.net"));

    assertThat(config.crossKeyErrors()).isEmpty();
    AzureSettings settings = config.azureSettings();
    assertThat(settings.signsInWithEntraId()).isTrue();
    assertThat(settings.accountName()).isNull();
    assertThat(settings.serviceEndpoint())
        .isEqualTo(URI.create("https://prismdata.privatelink.blob.core.windows.net"));
    assertThat(
            AzureSettings.ofAccountKey(
                    "c", "acct", new org.apache.kafka.common.config.types.Password("k"), null)
                .signsInWithEntraId())
        .isFalse();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "storage.azure.account.name=a1b2c                                   | storage.backend,storage.azure.container",
        "storage.azure.container=c1c;storage.azure.account.key=k            | storage.azure.account.name,storage.azure.account.key",
        "storage.azure.container=c1c                                        | storage.azure.connection.string,storage.azure.account.name,storage.azure.account.key",
        "storage.azure.container=c1c;storage.azure.connection.string=x;storage.azure.account.name=abc;storage.azure.account.key=k | storage.azure.connection.string,storage.azure.account.name,storage.azure.account.key",
        "storage.azure.container=c1c;storage.azure.connection.string=x;storage.azure.endpoint=http://h:1/a | storage.azure.endpoint,storage.azure.connection.string",
        "storage.azure.container=c1c;storage.azure.endpoint=http://h:1/a;storage.azure.account.key=k | storage.azure.account.name,storage.azure.account.key",
        "storage.azure.container=c1c;storage.azure.managed.identity.client.id=id;storage.azure.connection.string=x | storage.azure.managed.identity.client.id,storage.azure.connection.string",
        "storage.azure.container=c1c;storage.azure.managed.identity.client.id=id;storage.azure.account.name=abc;storage.azure.account.key=k | storage.azure.managed.identity.client.id,storage.azure.account.key",
        "storage.azure.container=c1c;storage.azure.managed.identity.client.id=id | storage.azure.connection.string,storage.azure.account.name,storage.azure.account.key",
        "storage.azure.container=c1c;storage.azure.endpoint=http://127.0.0.1:10000/devstoreaccount1 | storage.azure.endpoint,storage.azure.account.key"
      })
  void azureCrossKeyErrorsNameEveryKeyInvolved(String settings, String keys) {
    Map<String, String> props = new HashMap<>();
    props.put("storage.backend", "azure");
    for (String pair : settings.split(";")) {
      String[] kv = pair.split("=", 2);
      props.put(kv[0], kv[1]);
    }
    StorageConfig config = new StorageConfig(props);

    assertThat(config.crossKeyErrors()).containsOnlyKeys(keys.split(","));
    assertThatThrownBy(config::azureSettings)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage.azure");
  }

  @ParameterizedTest
  @CsvSource({
    "storage.azure.container, Pages",
    "storage.azure.container, a--b",
    "storage.azure.container, ab",
    "storage.azure.account.name, Upper",
    "storage.azure.endpoint, ftp://x",
    "storage.azure.block.size.bytes, 1000"
  })
  void badAzureValuesAreRefusedNamingTheKey(String key, String value) {
    assertThatThrownBy(() -> new StorageConfig(Map.of("storage.backend", "azure", key, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key);
  }

  @Test
  void aGcsConfigGivesTypedSettingsAndItsKeysShowOnlyForGcs() {
    StorageConfig config =
        new StorageConfig(
            Map.of(
                "storage.backend", "gs",
                "storage.gcs.bucket", "event-pages",
                "storage.gcs.project.id", "prism-prod-1",
                "storage.gcs.credentials.file", "/etc/prism/gcs.json",
                "storage.gcs.endpoint", "http://127.0.0.1:4443",
                "storage.gcs.chunk.size.bytes", "16777216"));

    assertThat(config.backend()).isEqualTo(StorageBackend.GCS);
    GcsSettings settings = config.gcsSettings();
    assertThat(settings.bucket()).isEqualTo("event-pages");
    assertThat(settings.projectId()).isEqualTo("prism-prod-1");
    assertThat(settings.credentialsFile()).isEqualTo(Path.of("/etc/prism/gcs.json"));
    assertThat(settings.endpoint()).isEqualTo(URI.create("http://127.0.0.1:4443"));
    assertThat(settings.chunkSizeBytes()).isEqualTo(16L * 1024 * 1024);

    Map<String, ConfigValue> gcs = validate(Map.of("storage.backend", "gcs"));
    Map<String, ConfigValue> azure = validate(Map.of("storage.backend", "azure"));
    for (String key :
        List.of(
            GcsStorageKeys.BUCKET,
            GcsStorageKeys.PROJECT_ID,
            GcsStorageKeys.CREDENTIALS_FILE,
            GcsStorageKeys.ENDPOINT,
            GcsStorageKeys.CHUNK_SIZE_BYTES)) {
      assertThat(gcs.get(key).visible()).as(key).isTrue();
      assertThat(azure.get(key).visible()).as(key).isFalse();
    }
    AZURE_KEYS.forEach(key -> assertThat(gcs.get(key).visible()).as(key).isFalse());
  }

  @Test
  void gcsWithoutABucketIsACrossKeyError() {
    StorageConfig config = new StorageConfig(Map.of("storage.backend", "gcs"));

    assertThat(config.crossKeyErrors())
        .containsOnlyKeys(StorageConfig.BACKEND, GcsStorageKeys.BUCKET);
    assertThatThrownBy(config::gcsSettings)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(GcsStorageKeys.BUCKET);
  }

  @ParameterizedTest
  @CsvSource({
    "storage.gcs.chunk.size.bytes, 1048577",
    "storage.gcs.chunk.size.bytes, 262144",
    "storage.gcs.project.id, Has_Caps",
    "storage.gcs.endpoint, storage.googleapis.com"
  })
  void badGcsValuesAreRefusedNamingTheKey(String key, String value) {
    assertThatThrownBy(() -> new StorageConfig(Map.of("storage.backend", "gcs", key, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key);
  }

  @Test
  void theBackendKeyRecommendsEveryBackendName() {
    ConfigValue backend = validate(Map.of()).get(StorageConfig.BACKEND);

    assertThat(backend.recommendedValues())
        .containsExactly("filesystem", "s3", "minio", "azure", "gcs", "gs");
    assertThat(validate(Map.of("storage.backend", "s3")).get(S3StorageKeys.SSE).recommendedValues())
        .containsExactly("none", "AES256", "aws:kms");
  }

  @Test
  void everyKeyIsDocumentedAndGrouped() {
    ConfigDef def = StorageConfig.configDef();

    assertThat(def.configKeys()).hasSize(30);
    def.configKeys()
        .values()
        .forEach(
            key -> {
              assertThat(key.documentation).as(key.name).isNotBlank();
              assertThat(key.group).as(key.name).startsWith("Storage");
              assertThat(key.displayName).as(key.name).isNotBlank();
            });
    assertThat(def.configKeys().get(S3StorageKeys.SECRET_KEY).type)
        .isEqualTo(ConfigDef.Type.PASSWORD);
    assertThat(def.configKeys().get(AzureStorageKeys.ACCOUNT_KEY).type)
        .isEqualTo(ConfigDef.Type.PASSWORD);
    assertThat(def.configKeys().get(AzureStorageKeys.CONNECTION_STRING).type)
        .isEqualTo(ConfigDef.Type.PASSWORD);
    assertThat(def.configKeys().get(StorageConfig.KEY_TEMPLATE).documentation)
        .contains("{start_offset}");
  }

  @Test
  void addToExtendsAnotherFragmentsConfigDef() {
    ConfigDef def =
        new ConfigDef()
            .define(
                "page.format",
                ConfigDef.Type.STRING,
                "protobuf",
                ConfigDef.Importance.HIGH,
                "format");

    StorageConfig.addTo(def);

    assertThat(def.names()).contains("page.format", StorageConfig.BACKEND, S3StorageKeys.BUCKET);
  }

  private static Map<String, ConfigValue> validate(Map<String, String> props) {
    return StorageConfig.configDef().validate(props).stream()
        .collect(Collectors.toMap(ConfigValue::name, Function.identity()));
  }
}
