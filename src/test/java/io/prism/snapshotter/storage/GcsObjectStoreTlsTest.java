package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.testing.SelfSignedCertificate;
import io.prism.snapshotter.util.TlsCaFile;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GCS store against a JSON API endpoint on HTTPS with a private CA ({@link GcsJsonApiStub} with
 * a certificate made here), trusting the CA named by {@code storage.gcs.tls.ca.file} rather than
 * the JVM's trust store; and the errors, not retried, when the certificate is refused. The stub
 * stands in for a GCS-compatible server (none runs on these machines); the TLS is the JDK's on both
 * sides, as it would be against any server.
 */
class GcsObjectStoreTlsTest {
  private static final String PASSWORD = "keystore-secret";

  @TempDir static Path dir;

  /** Its certificate names 127.0.0.1, the address it is reached at. */
  static GcsJsonApiStub server;

  /** Its certificate names 127.0.0.9 only, but it is reached at 127.0.0.1 too. */
  static GcsJsonApiStub misnamed;

  static SelfSignedCertificate serverCertificate;
  static SelfSignedCertificate misnamedCertificate;

  @BeforeAll
  static void startServers() throws Exception {
    serverCertificate = SelfSignedCertificate.create(dir, "server", "ip:127.0.0.1", PASSWORD);
    misnamedCertificate = SelfSignedCertificate.create(dir, "misnamed", "ip:127.0.0.9", PASSWORD);
    server = GcsJsonApiStub.startTls("pages", serverCertificate.serverContext());
    misnamed = GcsJsonApiStub.startTls("pages", misnamedCertificate.serverContext());
  }

  @AfterAll
  static void stopServers() {
    for (GcsJsonApiStub stub : new GcsJsonApiStub[] {server, misnamed}) {
      if (stub != null) {
        stub.close();
      }
    }
  }

  static GcsSettings settings(GcsJsonApiStub stub, SelfSignedCertificate ca) {
    return stub.settings().withTlsCa(ca == null ? null : TlsCaFile.load(ca.pem()));
  }

  static void put(ObjectStore store, String key, byte[] content) {
    store.put(key, new ByteArrayInputStream(content), content.length, PutOptions.defaults());
  }

  static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(7).nextBytes(bytes);
    return bytes;
  }

  @Test
  void withTheServersCaFileTheStoreWritesAndReadsOverHttpsInOneRequestOrResumably()
      throws Exception {
    byte[] small = randomBytes(1000);
    byte[] large = randomBytes((int) GcsSettings.MIN_CHUNK_SIZE_BYTES * 2 + 300);
    try (ObjectStore store = GcsObjectStore.open(settings(server, serverCertificate))) {
      put(store, "pages/small.pb", small);
      put(store, "pages/large.pb", large); // a resumable session: its chunks go to Location
      try (InputStream in = store.get("pages/small.pb")) {
        assertThat(in.readAllBytes()).isEqualTo(small);
      }
      assertThat(store.head("pages/large.pb"))
          .get()
          .extracting(ObjectInfo::size)
          .isEqualTo((long) large.length);
    }
    assertThat(server.calls()).contains("upload multipart", "upload resumable", "upload chunk");
    assertThat(server.content("pages/large.pb")).isEqualTo(large);
  }

  @Test
  void withoutACaFileTheCertificateIsRefusedAsASettingToFixNotAnOutage() {
    try (ObjectStore store = GcsObjectStore.open(settings(server, null))) {
      assertThatThrownBy(() -> put(store, "k", randomBytes(10)))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("not signed by a CA this connection trusts")
          .hasMessageContaining("storage.gcs.tls.ca.file")
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
    }
  }

  @Test
  void aCaThatDidNotSignTheCertificateIsRefused() {
    try (ObjectStore store = GcsObjectStore.open(settings(server, misnamedCertificate))) {
      assertThatThrownBy(() -> store.head("k"))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("not signed by a CA this connection trusts")
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
    }
  }

  @Test
  void aCertificateThatDoesNotNameTheEndpointsHostIsRefusedEvenWithItsCa() {
    try (ObjectStore store = GcsObjectStore.open(settings(misnamed, misnamedCertificate))) {
      assertThatThrownBy(() -> put(store, "k", randomBytes(10)))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("does not name the host")
          .satisfies(e -> assertThat(((StorageException) e).retriable()).isFalse());
    }
  }

  @Test
  void aCaFileBesideAnHttpEndpointIsRefused() throws Exception {
    try (GcsJsonApiStub plain = GcsJsonApiStub.start("pages")) {
      TlsCaFile ca = TlsCaFile.load(serverCertificate.pem());
      assertThatThrownBy(() -> plain.settings().withTlsCa(ca))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is not https://");
    }
  }
}
