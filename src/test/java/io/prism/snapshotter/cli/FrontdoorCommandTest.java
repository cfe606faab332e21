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
          .contains("Failed to bind")
          .contains(
              "; another process listens there (bin/snapshotter local runs a front door on"
                  + " 127.0.0.1:50051 and /metrics on 127.0.0.1:8080): stop it, or set"
                  + " frontdoor.listen in "
                  + config
                  + " to a free port (port 0: any)");
    }
  }

  /** The metrics port taken: the hint names http.listen, not the gRPC port's key. */
  @Test
  void aMetricsPortTakenNamesHttpListen(@TempDir Path directory) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path config =
          Files.writeString(
              directory.resolve("frontdoor.properties"),
              "bootstrap.servers=127.0.0.1:1\n"
                  + "frontdoor.topic=events\n"
                  + "frontdoor.listen=127.0.0.1:0\n"
                  + "http.listen=127.0.0.1:"
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
          .startsWith("frontdoor: could not serve metrics on http.listen=")
          .contains("stop it, or set http.listen in " + config + " to a free port");
    }
  }
}
