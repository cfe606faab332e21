package io.prism.snapshotter.frontdoor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Certificates for TLS tests, made with the openssl command line: a CA, and PEM certificates with
 * PKCS#8 keys signed by it (servers get SANs for localhost and 127.0.0.1).
 */
final class TestPki {
  record Credentials(Path certificate, Path key) {}

  private final Path directory;
  private final String name;

  private TestPki(Path directory, String name) {
    this.directory = directory;
    this.name = name;
  }

  /** A new CA in {@code directory}. */
  static TestPki newCa(Path directory, String name) throws Exception {
    TestPki ca = new TestPki(directory, name);
    openssl(
        directory,
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        name + "-ca.key",
        "-out",
        name + "-ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=" + name + " test CA");
    return ca;
  }

  Path certificate() {
    return directory.resolve(name + "-ca.crt");
  }

  Credentials issueServer(String commonName) throws Exception {
    return issue(
        commonName, "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  }

  Credentials issueClient(String commonName) throws Exception {
    return issue(commonName, "extendedKeyUsage=clientAuth\n");
  }

  private Credentials issue(String commonName, String extensions) throws Exception {
    String base = name + "-" + commonName;
    Path extensionFile = Files.writeString(directory.resolve(base + ".ext"), extensions);
    openssl(
        directory,
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        base + ".key",
        "-out",
        base + ".csr",
        "-subj",
        "/CN=" + commonName);
    openssl(
        directory,
        "x509",
        "-req",
        "-in",
        base + ".csr",
        "-CA",
        name + "-ca.crt",
        "-CAkey",
        name + "-ca.key",
        "-CAcreateserial",
        "-out",
        base + ".crt",
        "-days",
        "2",
        "-extfile",
        extensionFile.toString());
    return new Credentials(directory.resolve(base + ".crt"), directory.resolve(base + ".key"));
  }

  private static void openssl(Path directory, String... arguments)
      throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(arguments));
    Process process =
        new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (process.waitFor() != 0) {
      throw new IllegalStateException(
          "openssl " + String.join(" ", arguments) + " failed:\n" + output);
    }
  }
}
