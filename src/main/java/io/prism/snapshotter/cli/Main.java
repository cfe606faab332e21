package io.prism.snapshotter.cli;

import io.prism.snapshotter.util.Causes;
import java.io.PrintWriter;
import org.apache.logging.log4j.jul.Log4jBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/snapshotter}: one command per capability a user touches. */
@Command(
    name = "snapshotter",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "Prism Snapshotter: event streams landed as pages in object storage.",
    subcommands = {
      PagesCommand.class,
      ConfigCommand.class,
      ReindexCommand.class,
      CheckCommand.class,
      CompactCommand.class,
      FrontdoorCommand.class,
      PublishCommand.class,
      ReplayCommand.class,
      LocalCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {
  /** Exit code for a page or input that cannot be read (EX_DATAERR). */
  public static final int EXIT_BAD_DATA = 65;

  /** Exit code for a bad configuration (EX_CONFIG). */
  public static final int EXIT_BAD_CONFIG = 78;

  /** Exit code for storage or another service that fails (EX_UNAVAILABLE). */
  public static final int EXIT_UNAVAILABLE = 69;

  public static void main(String[] args) {
    routeJavaUtilLoggingToLog4j();
    System.exit(run(args));
  }

  /**
   * gRPC (the front door, publish) and Jersey (the local stack's Connect worker) log through
   * java.util.logging, whose own console handler printed on stderr past config/cli-log4j2.xml, in
   * its own two-line format and at INFO too: gRPC's "Transport failed" with a stack trace for any
   * HTTP/1 request to the front door, say. The bridge hands JUL's records to log4j2 instead, whose
   * levels then decide. Without propagateLevels: the bridge propagates log4j2's levels to JUL
   * lazily, at its first record, over a set that close() clears; at SIGTERM JUL's shutdown cleaner
   * closes the handler while gRPC's ending transports log their first records, and the race threw a
   * NullPointerException that Netty printed on stderr (LocalStackIT, log4j-jul 2.25.3). In main
   * only: tests that call {@link #run} keep their JVM's logging as it is.
   */
  static void routeJavaUtilLoggingToLog4j() {
    Log4jBridgeHandler.install(true, null, false);
  }

  /** Exit code for a failure no command foresaw (EX_SOFTWARE). */
  public static final int EXIT_UNEXPECTED = 70;

  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The command line, with every subcommand, as {@link #run} executes it. */
  static CommandLine commandLine() {
    CommandLine line =
        new CommandLine(new Main())
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setExecutionExceptionHandler(Main::unexpected)
            // Help as wide as the terminal (80 columns when it is no terminal), up to 120,
            // wrapped at spaces only (WordWrappedHelp).
            .setUsageHelpAutoWidth(true)
            .setHelpFactory(WordWrappedHelp.FACTORY);
    separateHelpSections(line);
    return line;
  }

  /**
   * A blank line before the description and each list, and a heading over each list, in every
   * command's help but picocli's own {@code help} (which has its own).
   */
  private static void separateHelpSections(CommandLine command) {
    if (!command.getCommandSpec().helpCommand()) {
      command
          .getCommandSpec()
          .usageMessage()
          .descriptionHeading("%n")
          .parameterListHeading("%nParameters:%n")
          .optionListHeading("%nOptions:%n")
          .commandListHeading("%nCommands:%n");
    }
    command.getSubcommands().values().forEach(Main::separateHelpSections);
  }

  /**
   * A failure a command did not turn into a message of its own: one line saying which command and
   * why, not a stack trace (that only with {@code SNAPSHOTTER_LOG_LEVEL=debug}, for a bug report).
   */
  private static int unexpected(
      Exception failure, CommandLine command, CommandLine.ParseResult parsed) {
    PrintWriter err = command.getErr();
    StringBuilder line = new StringBuilder(command.getCommandSpec().qualifiedName());
    line.append(": ").append(describe(failure));
    Throwable root = Causes.innermost(failure);
    if (root != failure) {
      line.append(" (cause: ").append(describe(root)).append(')');
    }
    err.println(line);
    if ("debug".equalsIgnoreCase(System.getenv("SNAPSHOTTER_LOG_LEVEL"))) {
      failure.printStackTrace(err);
    } else {
      err.println("(unexpected: SNAPSHOTTER_LOG_LEVEL=debug shows the stack trace)");
    }
    err.flush();
    return EXIT_UNEXPECTED;
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    return message == null || message.isBlank()
        ? t.getClass().getName()
        : t.getClass().getSimpleName() + ": " + message;
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"snapshotter " + (version != null ? version : "dev")};
    }
  }
}
