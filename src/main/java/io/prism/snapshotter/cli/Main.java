package io.prism.snapshotter.cli;

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
    System.exit(run(args));
  }

  public static int run(String... args) {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"snapshotter " + (version != null ? version : "dev")};
    }
  }
}
