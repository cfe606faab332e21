package io.prism.snapshotter.cli;

import io.prism.snapshotter.frontdoor.ClientOptions;
import io.prism.snapshotter.frontdoor.FrontDoorClient;
import io.prism.snapshotter.frontdoor.FrontDoorHeaders;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/snapshotter publish --writer W [--attr k=v ...] [--session] [--target host:port]}:
 * each stdin line is one event's payload; prints what the front door answers.
 */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = {
      "Publishes each line of stdin as one event through the front door and prints the answers:",
      "'<message_id> <sequence>' per stored event, '<STATUS>: <reason>' per refused one,",
      "or one summary line with --session. Exit status 1 if any event was not stored."
    })
public final class PublishCommand implements Callable<Integer> {
  @Option(
      names = "--writer",
      paramLabel = "W",
      required = true,
      description = "Writer id of every event.")
  String writer;

  @Option(
      names = "--attr",
      paramLabel = "k=v",
      description = "An attribute for every event (repeatable).")
  Map<String, String> attributes = new LinkedHashMap<>();

  @Option(
      names = "--session",
      description = "Publish all lines in one session; its end flushes the writer's page.")
  boolean session;

  @Option(
      names = "--target",
      paramLabel = "host:port",
      defaultValue = "127.0.0.1:50051",
      description = "Front door address (default: ${DEFAULT-VALUE}).")
  String target;

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      description = "PEM CA of the server certificate: use TLS.")
  Path trustedCa;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = "PEM client certificate (mutual TLS).")
  Path clientCertificate;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "PEM PKCS#8 key of the client certificate.")
  Path clientKey;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "File holding the bearer token.")
  Path tokenFile;

  @Option(
      names = "--event-id-header",
      paramLabel = "NAME",
      defaultValue = FrontDoorHeaders.EVENT_ID,
      description =
          "The front door's writer.event.id.header, which --attr may not set (default: ${DEFAULT-VALUE}).")
  String eventIdHeader;

  @Option(
      names = "--deadline-ms",
      defaultValue = "30000",
      description = "Deadline per call (default: ${DEFAULT-VALUE}).")
  long deadlineMillis;

  private final InputStream in;
  private final PrintStream out;

  public PublishCommand() {
    this(System.in, System.out);
  }

  PublishCommand(InputStream in, PrintStream out) {
    this.in = in;
    this.out = out;
  }

  /** Exit status for options that do not fit together (sysexits.h EX_USAGE). */
  static final int EXIT_USAGE = 64;

  @Override
  public Integer call() throws Exception {
    ClientOptions options;
    try {
      options =
          new ClientOptions(
              target,
              writer,
              attributes,
              session,
              Optional.ofNullable(trustedCa),
              Optional.ofNullable(clientCertificate),
              Optional.ofNullable(clientKey),
              Optional.ofNullable(tokenFile),
              Duration.ofMillis(deadlineMillis),
              eventIdHeader);
    } catch (IllegalArgumentException e) {
      System.err.println("publish: " + e.getMessage());
      return EXIT_USAGE;
    }
    return FrontDoorClient.run(
        options, new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), out);
  }
}
