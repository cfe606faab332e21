package io.prism.snapshotter.cli;

import io.prism.snapshotter.frontdoor.ClientOptions;
import io.prism.snapshotter.frontdoor.FrontDoorClient;
import io.prism.snapshotter.frontdoor.FrontDoorHeaders;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
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
      "Publish each line of stdin as one event through the front door.",
      "Prints the answers: '<message_id> <sequence>' per stored event, '<STATUS>: <reason>' per"
          + " refused one, or one summary line with --session.",
      "Exit codes: 0 every event stored, 1 any event not stored, 64 options that do not fit"
          + " together or name no readable file, 66 unreadable input (stdin, an empty token file)."
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
      description =
          "Deadline of each line's call in milliseconds, connecting included; with --session, of"
              + " the whole session, reading stdin included (default: ${DEFAULT-VALUE}).")
  long deadlineMillis;

  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;

  public PublishCommand() {
    this(System.in, System.out, System.err);
  }

  PublishCommand(InputStream in, PrintStream out, PrintStream err) {
    this.in = in;
    this.out = out;
    this.err = err;
  }

  /** Exit status for options that do not fit together (sysexits.h EX_USAGE). */
  static final int EXIT_USAGE = 64;

  /** Exit status for input that cannot be read: stdin, the token file (sysexits.h EX_NOINPUT). */
  static final int EXIT_NO_INPUT = 66;

  /**
   * gRPC logs a failed name resolution or connection as a java.util.logging WARNING with a stack
   * trace, on stderr; the answer line says the same (UNAVAILABLE: ... Unable to resolve host). Held
   * here: java.util.logging keeps loggers only weakly, and a collected one forgets its level.
   */
  static final Logger GRPC_LOG = Logger.getLogger("io.grpc");

  @Override
  public Integer call() {
    GRPC_LOG.setLevel(Level.SEVERE);
    ClientOptions options;
    try {
      if (deadlineMillis <= 0) {
        throw new IllegalArgumentException(
            "--deadline-ms must be a positive number of milliseconds, got " + deadlineMillis);
      }
      requireReadable("--tls-ca", trustedCa);
      requireReadable("--tls-cert", clientCertificate);
      requireReadable("--tls-key", clientKey);
      requireReadable("--token-file", tokenFile);
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
      err.println("publish: " + e.getMessage());
      return EXIT_USAGE;
    }
    try {
      return FrontDoorClient.run(
          options, new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), out);
    } catch (IOException e) {
      // An empty token file, a certificate that is no PEM, stdin that fails: say which.
      err.println("publish: " + e.getMessage());
      return EXIT_NO_INPUT;
    }
  }

  /** A file option names a readable file, or the user is told which option names what. */
  private static void requireReadable(String option, Path file) {
    if (file != null && !(Files.isRegularFile(file) && Files.isReadable(file))) {
      throw new IllegalArgumentException(
          option + " " + file + (Files.exists(file) ? ": not a readable file" : ": no such file"));
    }
  }
}
