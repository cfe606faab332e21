package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class FrontdoorCommandTest {
  @Test
  void aListenPortTakenByAnotherProcessIsUnavailableNotABadConfig(@TempDir Path directory)
      throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path config =
          Files.writeString(
              directory.resolve("frontdoor.properties"),
              "bootstrap.servers=127.0.0.1:1\n"
                  + "frontdoor.topic=events\n"
                  + "frontdoor.listen=127.0.0.1:"
                  + taken.getLocalPort()
                  + "\n");
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      PrintStream originalErr = System.err;
      int exit;
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      try {
        exit = new CommandLine(new FrontdoorCommand()).execute("--config", config.toString());
      } finally {
        System.setErr(originalErr);
      }

      assertThat(exit).isEqualTo(Main.EXIT_UNAVAILABLE);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .startsWith("frontdoor: ")
          .contains("Failed to bind");
    }
  }
}
