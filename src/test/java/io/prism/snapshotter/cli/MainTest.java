package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
  @TempDir Path dir;

  @Test
  void aFailureNoCommandForesawIsOneLineNamingTheCommandNotAStackTrace() throws Exception {
    // A CA file that is no PEM: gRPC refuses to build the channel with an exception of its own.
    Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
    StringWriter err = new StringWriter();
    CommandLine line = Main.commandLine();
    line.setErr(new PrintWriter(err, true));

    int exit =
        line.execute(
            "publish", "--writer", "w", "--target", "127.0.0.1:1", "--tls-ca", notPem.toString());

    assertThat(exit).isEqualTo(Main.EXIT_UNEXPECTED);
    assertThat(err.toString()).startsWith("snapshotter publish: ").doesNotContain("\tat ");
    assertThat(err.toString()).contains("No certificate data found");
  }
}
