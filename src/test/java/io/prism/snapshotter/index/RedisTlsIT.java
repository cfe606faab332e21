package io.prism.snapshotter.index;

import static io.prism.snapshotter.index.PageIndexContract.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.testing.TestServices;
import io.prism.snapshotter.util.TlsCaFile;
import io.prism.snapshotter.util.TlsClientIdentity;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis index over TLS ({@code rediss://}, a redis-server started by bin/test with only a TLS
 * port and a self-signed certificate for 127.0.0.1), trusting the CA named by {@code
 * index.redis.tls.ca.file} rather than the JVM's trust store, and the errors that say why a
 * handshake failed.
 */
class RedisTlsIT {
  final String prefix = "tls" + UUID.randomUUID().toString().replace("-", "");
  PageIndex index;

  RedisSettings settings(URI url, TlsCaFile ca) {
    return new RedisSettings(url, prefix, null, 0, ca, null);
  }

  @AfterEach
  void close() {
    if (index != null) {
      index.close();
    }
  }

  @Test
  void withTheServersCaTheIndexPublishesReadsAndRemovesOverTls() {
    index =
        RedisPageIndex.open(
            settings(TestServices.redisTlsUrl(), TlsCaFile.load(TestServices.tlsCa())));
    List<IndexEntry> entries =
        List.of(entry("w-tls", 1, 1_000, 2_000), entry("w-tls", 2, 3_000, 4_000));
    index.publish(entries);

    assertThat(index.entries("w-tls", TimeRange.ALL)).containsExactlyElementsOf(entries);
    index.remove(List.of(entries.get(0)));
    assertThat(index.entries("w-tls", TimeRange.ALL)).containsExactly(entries.get(1));
  }

  @Test
  void withoutACaFileTheJvmsTrustStoreDoesNotKnowTheCertificateAndTheErrorSaysWhatToSet() {
    assertThatThrownBy(() -> RedisPageIndex.open(settings(TestServices.redisTlsUrl(), null)))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining("Cannot connect to redis " + TestServices.redisTlsUrl())
        .hasMessageContaining("not signed by a CA this connection trusts")
        .hasMessageContaining("index.redis.tls.ca.file");
  }

  @Test
  void aCaThatDidNotSignTheServersCertificateIsRefused() {
    assertThatThrownBy(
            () ->
                RedisPageIndex.open(
                    settings(
                        TestServices.redisTlsUrl(), TlsCaFile.load(TestServices.otherTlsCa()))))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining("not signed by a CA this connection trusts");
  }

  @Test
  void aCertificateThatDoesNotNameTheHostConnectedToIsRefusedEvenWithItsCa() {
    // The server listens on 127.0.0.2 too; its certificate names 127.0.0.1 only. A CA of our own
    // replaces the JDK's socket factory, which must not drop the host-name check with it.
    URI otherAddress =
        URI.create(TestServices.redisTlsUrl().toString().replace("127.0.0.1", "127.0.0.2"));
    assertThatThrownBy(
            () -> RedisPageIndex.open(settings(otherAddress, TlsCaFile.load(TestServices.tlsCa()))))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining("does not name the host connected to")
        .hasMessageContaining("127.0.0.2");
  }

  @Test
  void aServerThatAsksForAClientCertificateTakesTheConfiguredOne() {
    index =
        RedisPageIndex.open(
            new RedisSettings(
                TestServices.redisMutualTlsUrl(),
                prefix,
                null,
                0,
                TlsCaFile.load(TestServices.tlsCa()),
                TlsClientIdentity.load(TestServices.tlsCa(), TestServices.tlsKey())));
    List<IndexEntry> entries = List.of(entry("w-mtls", 1, 1_000, 2_000));
    index.publish(entries);

    assertThat(index.entries("w-mtls", TimeRange.ALL)).containsExactlyElementsOf(entries);
  }

  @Test
  void withoutAClientCertificateAServerThatAsksForOneIsRefusedSayingWhatToSet() {
    assertThatThrownBy(
            () ->
                RedisPageIndex.open(
                    settings(
                        TestServices.redisMutualTlsUrl(), TlsCaFile.load(TestServices.tlsCa()))))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining("Cannot connect to redis " + TestServices.redisMutualTlsUrl())
        .hasMessageContaining("index.redis.tls.client.cert.file");
  }
}
