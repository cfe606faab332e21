package io.prism.snapshotter.cli;

import io.prism.snapshotter.frontdoor.FrontDoorConfig;
import io.prism.snapshotter.frontdoor.FrontDoorServer;
import io.prism.snapshotter.util.Causes;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/snapshotter frontdoor [--config FILE]}: runs the gRPC front door until stopped. */
@Command(
    name = "frontdoor",
    mixinStandardHelpOptions = true,
    description = {
      "Run the gRPC front door in front of a Kafka cluster.",
      "It serves PubSubBasicInterface (Publish, BatchPublish, PublishSession) until Ctrl-C or"
          + " SIGTERM, then drains calls and flushes."
    })
public final class FrontdoorCommand implements Callable<Integer> {
  /** Exit status for a configuration error (sysexits.h EX_CONFIG). */
  static final int EXIT_CONFIG = 78;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      defaultValue = "config/frontdoor.properties",
      description =
          "Properties file: frontdoor.* keys plus Kafka producer settings (default: ${DEFAULT-VALUE}).")
  Path config;

  @Override
  public Integer call() {
    if (!Files.isReadable(config)) {
      System.err.println("frontdoor: cannot read the config file " + config.toAbsolutePath());
      return EXIT_CONFIG;
    }
    try {
      return FrontDoorServer.runUntilStopped(config, System.err);
    } catch (UncheckedIOException e) {
      // Not the settings: a port taken by another process, a certificate file unreadable now.
      // Supervisors restart on 69 and may give up on 78.
      System.err.println(
          "frontdoor: " + e.getMessage() + ": " + e.getCause().getMessage() + portTakenHint(e));
      return Main.EXIT_UNAVAILABLE;
    } catch (RuntimeException e) {
      // ConfigException and friends carry the key and the reason; that is what a user needs.
      System.err.println(
          "frontdoor: "
              + e.getMessage()
              + (e.getCause() != null ? ": " + e.getCause().getMessage() : ""));
      return EXIT_CONFIG;
    }
  }

  /**
   * gRPC's "Failed to bind to address /127.0.0.1:50051" does not say which setting chose the port
   * or what may hold it; the likeliest holder on a developer's machine is {@code bin/snapshotter
   * local}, which runs a front door on the same default ports.
   */
  private String portTakenHint(UncheckedIOException e) {
    boolean bind = false;
    for (Throwable t : Causes.chain(e)) {
      // The JDK's HTTP server throws BindException; gRPC's Netty transport an IOException of its
      // own ("Failed to bind to address ...", caused by a native "Address already in use").
      String message = String.valueOf(t.getMessage());
      bind |=
          t instanceof BindException
              || message.contains("Failed to bind")
              || message.contains("Address already in use");
    }
    if (!bind) {
      return "";
    }
    String key =
        e.getMessage().contains(FrontDoorConfig.HTTP_LISTEN)
            ? FrontDoorConfig.HTTP_LISTEN
            : FrontDoorConfig.LISTEN;
    return "; another process listens there (bin/snapshotter local runs a front door on"
        + " 127.0.0.1:50051 and /metrics on 127.0.0.1:8080): stop it, or set "
        + key
        + " in "
        + config
        + " to a free port (port 0: any)";
  }
}
