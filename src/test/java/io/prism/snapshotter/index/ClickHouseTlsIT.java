package io.prism.snapshotter.index;

import static io.prism.snapshotter.index.PageIndexContract.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.testing.TcpGate;
import io.prism.snapshotter.testing.TestServices;
import io.prism.snapshotter.util.TlsCaFile;
import io.prism.snapshotter.util.TlsClientIdentity;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ClickHouse index over HTTPS (ClickHouse 18.16's {@code https_port}, started by bin/test with
 * a self-signed certificate for 127.0.0.1), trusting the CA named by {@code
 * index.clickhouse.tls.ca.file} rather than the JVM's trust store, and the errors that say why a
 * handshake failed.
 */
class ClickHouseTlsIT {
  static final String DATABASE = "prism_it";
  final String table = "tls_" + UUID.randomUUID().toString().replace("-", "");
  PageIndex index;

  /** With the client certificate bin/test's ClickHouse requires (verificationMode strict). */
  ClickHouseSettings settings(URI url, TlsCaFile ca) {
    return settings(url, ca, TlsClientIdentity.load(TestServices.tlsCa(), TestServices.tlsKey()));
  }

  ClickHouseSettings settings(URI url, TlsCaFile ca, TlsClientIdentity client) {
    return new ClickHouseSettings(
        url, DATABASE, table, "prism", new Password("prism-secret"), 0, ca, client);
  }

  @AfterEach
  void dropTables() throws Exception {
    if (index != null) {
      index.close();
    }
    // The view first: an insert into the main table fails while its view's target is missing.
    for (String suffix :
        List.of(
            ClickHouseWriterSpans.VIEW_SUFFIX,
            ClickHouseWriterSpans.SPANS_SUFFIX,
            "",
            ClickHouseTables.BY_OFFSET_SUFFIX)) {
      ClickHousePageIndexIT.http("DROP TABLE IF EXISTS " + DATABASE + "." + table + suffix);
    }
  }

  /** The index's own handshake (TlsProbe), against the real server that requires certificates. */
  @Test
  void theProbeFindsAMissingOrUntrustedCertificateAndNoProblemWithATrustedOne() {
    TlsCaFile ca = TlsCaFile.load(TestServices.tlsCa());
    URI url = TestServices.clickHouseHttpsUrl();
    java.util.function.Function<TlsClientIdentity, java.util.Optional<String>> probe =
        client ->
            io.prism.snapshotter.util.TlsProbe.clientCertificateProblem(
                url,
                ca,
                client,
                ClickHouseSettings.TLS_CLIENT_CERT_SETTING,
                ClickHouseSettings.TLS_CLIENT_KEY_SETTING,
                "Broken pipe");
    assertThat(probe.apply(null))
        .hasValueSatisfying(
            reason ->
                assertThat(reason)
                    .contains("client certificate")
                    .contains(ClickHouseSettings.TLS_CLIENT_CERT_SETTING));
    assertThat(
            probe.apply(
                TlsClientIdentity.load(TestServices.otherTlsCa(), TestServices.otherTlsKey())))
        .isPresent();
    assertThat(probe.apply(TlsClientIdentity.load(TestServices.tlsCa(), TestServices.tlsKey())))
        .isEmpty();
  }

  /**
   * bin/test's ClickHouse requires a client certificate signed by its CA (verificationMode strict):
   * without one, or with one it does not trust, the connection fails (closed after the handshake,
   * with TLS 1.3: "Broken pipe"), and the open says why, naming the setting, instead of taking it
   * for an outage.
   */
  @Test
  void withoutAClientCertificateTheServerTrustsTheOpenFailsNamingTheSetting() {
    TlsCaFile ca = TlsCaFile.load(TestServices.tlsCa());
    assertThatThrownBy(
            () ->
                index =
                    ClickHousePageIndex.open(settings(TestServices.clickHouseHttpsUrl(), ca, null)))
        .isInstanceOf(IndexException.class)
        // Seen as an alert (certificate_required) or, when the server closes first, as a broken
        // connection that the index's own handshake then explains: either way, the same advice.
        .hasMessageContaining("the server asks for a TLS client certificate and")
        .hasMessageContaining("index.clickhouse.tls.client.cert.file");
    TlsClientIdentity untrusted =
        TlsClientIdentity.load(TestServices.otherTlsCa(), TestServices.otherTlsKey());
    assertThatThrownBy(
            () ->
                index =
                    ClickHousePageIndex.open(
                        settings(TestServices.clickHouseHttpsUrl(), ca, untrusted)))
        .isInstanceOf(IndexException.class)
        // The server's alert (unknown_ca), or a connection closed right after the handshake.
        .hasMessageContaining("signed by a CA the server accepts")
        .hasMessageContaining("index.clickhouse.tls.client.cert.file");
  }

  /**
   * The same server, down as the index opens (nothing to tell then: it starts, as with any outage)
   * and up afterwards: the first calls fail naming the setting, not as an outage ("Broken pipe").
   */
  @Test
  void aServerThatWasDownAtOpenAndAsksForACertificateIsExplainedOnceItAnswers() throws Exception {
    URI https = TestServices.clickHouseHttpsUrl();
    try (TcpGate gate = TcpGate.closedInFrontOf(https.getHost() + ":" + https.getPort())) {
      URI throughGate = URI.create("https://" + gate.address());
      index =
          ClickHousePageIndex.open(
              settings(throughGate, TlsCaFile.load(TestServices.tlsCa()), null));
      gate.open();
      for (int call = 0; call < 2; call++) {
        assertThatThrownBy(() -> index.publish(List.of(entry("w-tls", 1, 1_000, 2_000))))
            .as("call %d", call)
            .isInstanceOf(IndexException.class)
            .hasMessageContaining("the server asks for a TLS client certificate and")
            .hasMessageContaining("index.clickhouse.tls.client.cert.file");
      }
    }
  }

  @Test
  void withTheServersCaTheIndexPublishesReadsAndRemovesOverHttps() {
    index =
        ClickHousePageIndex.open(
            settings(TestServices.clickHouseHttpsUrl(), TlsCaFile.load(TestServices.tlsCa())));
    List<IndexEntry> entries =
        List.of(entry("w-tls", 1, 1_000, 2_000), entry("w-tls", 2, 3_000, 4_000));
    index.publish(entries);

    assertThat(index.entries("w-tls", TimeRange.ALL)).containsExactlyElementsOf(entries);
    index.remove(List.of(entries.get(0)));
    assertThat(index.entries("w-tls", TimeRange.ALL)).containsExactly(entries.get(1));
  }

  @Test
  void withoutACaFileTheJvmsTrustStoreDoesNotKnowTheCertificateAndTheErrorSaysWhatToSet() {
    assertThatThrownBy(
            () -> ClickHousePageIndex.open(settings(TestServices.clickHouseHttpsUrl(), null)))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining(TestServices.clickHouseHttpsUrl().toString())
        .hasMessageContaining("not signed by a CA this connection trusts")
        .hasMessageContaining("index.clickhouse.tls.ca.file");
  }

  @Test
  void aCaThatDidNotSignTheServersCertificateIsRefused() {
    assertThatThrownBy(
            () ->
                ClickHousePageIndex.open(
                    settings(
                        TestServices.clickHouseHttpsUrl(),
                        TlsCaFile.load(TestServices.otherTlsCa()))))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining("not signed by a CA this connection trusts");
  }

  @Test
  void aCertificateThatDoesNotNameTheHostConnectedToIsRefused() {
    // The server listens on 127.0.0.2 too; its certificate names 127.0.0.1 only.
    URI otherAddress =
        URI.create(TestServices.clickHouseHttpsUrl().toString().replace("127.0.0.1", "127.0.0.2"));
    assertThatThrownBy(
            () ->
                ClickHousePageIndex.open(
                    settings(otherAddress, TlsCaFile.load(TestServices.tlsCa()))))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining("does not name the host connected to")
        .hasMessageContaining("127.0.0.2");
  }
}
