package io.prism.snapshotter.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsCaFileTest {
  @TempDir Path dir;

  static Path testCa() throws Exception {
    return Path.of(TlsCaFileTest.class.getResource("/tls/test-ca.pem").toURI());
  }

  @Test
  void readsEveryCertificateOfAPemFile() throws Exception {
    Path two = dir.resolve("bundle.pem");
    String pem = Files.readString(testCa());
    Files.writeString(two, pem + pem);

    assertThat(TlsCaFile.load(testCa()).certificates()).hasSize(1);
    assertThat(TlsCaFile.load(two).certificates()).hasSize(2);
    assertThat(TlsCaFile.load(testCa()).certificates().get(0).getSubjectX500Principal().getName())
        .contains("prism test CA");
    assertThat(TlsCaFile.load(testCa()).sslContext().getProtocol()).isEqualTo("TLS");
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = dir.resolve("nope.pem");
    assertThatThrownBy(() -> TlsCaFile.load(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(missing + " does not exist");
  }

  @Test
  void aFileWithoutACertificateIsRefusedNamingIt() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n");
    Path text = Files.writeString(dir.resolve("text.pem"), "not a certificate at all\n");

    assertThatThrownBy(() -> TlsCaFile.load(empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(empty.toString());
    for (Path bad : new Path[] {key, text}) {
      assertThatThrownBy(() -> TlsCaFile.load(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(bad + " ");
    }
  }

  @Test
  void aDirectoryIsRefusedNamingIt() {
    assertThatThrownBy(() -> TlsCaFile.load(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(dir.toString());
  }
}
