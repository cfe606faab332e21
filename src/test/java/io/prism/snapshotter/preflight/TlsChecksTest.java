package io.prism.snapshotter.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.util.TlsCaFile;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TlsChecksTest {
  static Path resource(String name) throws Exception {
    return Path.of(TlsChecksTest.class.getResource("/tls/" + name).toURI());
  }

  static X509Certificate testCa() throws Exception {
    return TlsCaFile.load(resource("test-ca.pem")).certificates().get(0);
  }

  @Test
  void aValidCertificateSaysUntilWhen() throws Exception {
    Check check = TlsChecks.check("index.redis.tls.ca.file", List.of(testCa()), Instant.now());

    assertThat(check.outcome()).isEqualTo(Check.Outcome.PASSED);
    assertThat(check.name()).isEqualTo("index.redis.tls.ca.file");
    assertThat(check.detail())
        .startsWith("1 certificate, valid until 21")
        .contains("prism test CA");
  }

  @Test
  void oneThatExpiresWithinThirtyDaysPassesWithTheDateToRenewItBy() throws Exception {
    X509Certificate ca = testCa();
    Instant tenDaysBefore = ca.getNotAfter().toInstant().minus(Duration.ofDays(10));

    Check check = TlsChecks.check("k", List.of(ca, ca), tenDaysBefore);

    assertThat(check.outcome()).isEqualTo(Check.Outcome.PASSED);
    assertThat(check.detail()).startsWith("2 certificates; ").contains("expires in 10 days, on ");
  }

  @Test
  void anExpiredOrNotYetValidCertificateFails() throws Exception {
    X509Certificate ca = testCa();

    Check expired =
        TlsChecks.check("k", List.of(ca), ca.getNotAfter().toInstant().plus(Duration.ofDays(1)));
    Check early =
        TlsChecks.check("k", List.of(ca), ca.getNotBefore().toInstant().minus(Duration.ofDays(1)));

    assertThat(expired.outcome()).isEqualTo(Check.Outcome.FAILED);
    assertThat(expired.detail()).contains("expired on").contains("renew it");
    assertThat(early.outcome()).isEqualTo(Check.Outcome.FAILED);
    assertThat(early.detail()).contains("is not valid before").contains("clock");
  }

  @Test
  void theSettingsOfBackendsInUseAreCheckedAndNoOthers() throws Exception {
    String ca = resource("test-ca.pem").toString();
    SnapshotterConfig config =
        new SnapshotterConfig(
            Map.of(
                "storage.filesystem.path",
                "/tmp/unused",
                "index.backend",
                "redis",
                "index.redis.url",
                "rediss://r:6380/0",
                "index.redis.tls.ca.file",
                ca,
                "index.redis.tls.client.cert.file",
                ca,
                "index.redis.tls.client.key.file",
                resource("test-ca-key.pem").toString(),
                "index.clickhouse.tls.ca.file",
                ca));

    assertThat(TlsChecks.run(config, Instant.now()))
        .extracting(Check::name)
        .containsExactly("index.redis.tls.ca.file", "index.redis.tls.client.cert.file");
  }

  @Test
  void aClickHouseIndexHasItsCaFileAndClientCertificateChecked() throws Exception {
    String ca = resource("test-ca.pem").toString();
    SnapshotterConfig config =
        new SnapshotterConfig(
            Map.of(
                "storage.filesystem.path",
                "/tmp/unused",
                "index.backend",
                "clickhouse",
                "index.clickhouse.url",
                "https://ch:8443",
                "index.clickhouse.tls.ca.file",
                ca,
                "index.clickhouse.tls.client.cert.file",
                ca,
                "index.clickhouse.tls.client.key.file",
                resource("test-ca-key.pem").toString()));

    assertThat(TlsChecks.run(config, Instant.now()))
        .extracting(Check::name)
        .containsExactly("index.clickhouse.tls.ca.file", "index.clickhouse.tls.client.cert.file");
  }

  @Test
  void anAzureStoresCaFileIsChecked() throws Exception {
    String ca = resource("test-ca.pem").toString();
    SnapshotterConfig config =
        new SnapshotterConfig(
            Map.of(
                "storage.backend",
                "azure",
                "storage.azure.container",
                "pages",
                "storage.azure.account.name",
                "acct",
                "storage.azure.account.key",
                "a2V5",
                "storage.azure.endpoint",
                "https://blob.stack.internal/acct",
                "storage.azure.tls.ca.file",
                ca,
                "index.backend",
                "none"));

    assertThat(TlsChecks.run(config, Instant.now()))
        .extracting(Check::name)
        .containsExactly("storage.azure.tls.ca.file");
  }

  @Test
  void aGcsStoresCaFileIsChecked() throws Exception {
    String ca = resource("test-ca.pem").toString();
    SnapshotterConfig config =
        new SnapshotterConfig(
            Map.of(
                "storage.backend",
                "gcs",
                "storage.gcs.bucket",
                "pages",
                "storage.gcs.endpoint",
                "https://gcs.internal:4443",
                "storage.gcs.tls.ca.file",
                ca,
                "index.backend",
                "none"));

    assertThat(TlsChecks.run(config, Instant.now()))
        .extracting(Check::name)
        .containsExactly("storage.gcs.tls.ca.file");
  }
}
