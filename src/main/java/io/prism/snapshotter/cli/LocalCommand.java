package io.prism.snapshotter.cli;

import io.prism.snapshotter.local.FreshStart;
import io.prism.snapshotter.local.LocalPaths;
import io.prism.snapshotter.local.LocalSettings;
import io.prism.snapshotter.local.LocalStack;
import io.prism.snapshotter.local.LocalStartException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code snapshotter local}: the whole pipeline on loopback in one process. */
@Command(
    name = "local",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole pipeline locally, in one process.",
      "A Kafka broker (KRaft), a Connect worker running the snapshotter and the gRPC front door, on"
          + " loopback, with every piece of state under --data, so a restart resumes. Ctrl-C or"
          + " SIGTERM stores every buffer, then stops.",
      "Settings: config/connector.properties (or --config FILE), then each --set key=value."
          + " local.kafka.port, local.controller.port, local.connect.port (0: any free port) and"
          + " local.topic.partitions are the stack's; frontdoor.* the front door's; http.listen is"
          + " where /metrics and /health/* answer (default 127.0.0.1:8080); every other key is the"
          + " connector's.",
      "The pages (storage.filesystem.path) and the SQLite index (index.sqlite.path) are kept under"
          + " --data; a --set of either is refused: move them with --data.",
      "Exit codes: 69 a service failed to start, 78 bad config; stopped by Ctrl-C or SIGTERM,"
          + " the JVM's own 130 or 143."
    })
public final class LocalCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Connector settings (default: config/connector.properties).")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "key=value",
      description = "Override one setting (repeatable).")
  Map<String, String> sets = new LinkedHashMap<>();

  @Option(
      names = "--fresh",
      description =
          "Delete the data directory first. Refused, deleting nothing, when it holds anything the"
              + " local stack did not make, or when the settings keep the store or an index outside"
              + " it (storage.backend other than filesystem, index.backend clickhouse or redis).")
  boolean fresh;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "./data",
      description =
          "Where the broker, the worker and the pages keep their state (default: ${DEFAULT-VALUE}).")
  Path data;

  PrintStream err = System.err;

  @Override
  public Integer call() {
    LocalPaths paths = new LocalPaths(data);
    LocalSettings settings;
    try {
      settings = LocalSettings.assemble(Optional.ofNullable(config), sets, paths);
      settings.port(LocalSettings.KAFKA_PORT);
      settings.port(LocalSettings.CONTROLLER_PORT);
      settings.port(LocalSettings.CONNECT_PORT);
      settings.partitions();
      if (fresh) {
        FreshStart.wipe(settings); // after the settings: they say where the store and index are
      }
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("local: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    } catch (IOException e) {
      err.println(
          "local: --fresh could not delete "
              + paths.data()
              + ": "
              + LocalStartException.reason(e)
              + "; delete it yourself, or give --data another directory");
      return Main.EXIT_UNAVAILABLE;
    }
    LocalStack stack = new LocalStack(settings);
    try {
      stack.start();
    } catch (LocalStartException e) {
      err.println("local: " + e.getMessage());
      stack.close();
      return e.badConfig() ? Main.EXIT_BAD_CONFIG : Main.EXIT_UNAVAILABLE;
    }
    stack.printWelcome(System.out);
    try {
      stack.runUntilStopped();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
