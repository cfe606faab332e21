package io.prism.snapshotter.cli;

import io.prism.snapshotter.config.ConfigFile;
import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.index.IndexBackend;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.PublishMode;
import io.prism.snapshotter.preflight.Check;
import io.prism.snapshotter.preflight.ConfigChecks;
import io.prism.snapshotter.preflight.IndexChecks;
import io.prism.snapshotter.preflight.StoreChecks;
import io.prism.snapshotter.preflight.TlsChecks;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.ObjectStores;
import io.prism.snapshotter.storage.StorageBackend;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code snapshotter check}: a connector's settings, store and index, before it is deployed. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Check a connector's settings, store and index before deploying.",
      "After the settings, it uses the store and index as the sink does. Storage: a create-only write of a probe object at a key of the key template (a second"
          + " create-only write must be refused), then read, list, delete. Index: a probe entry"
          + " published, read back, removed. No probe is left behind.",
      "A filesystem store's directory or a SQLite index file (primary or secondary) that is not"
          + " there yet is not created (the sink creates it when it starts): the check tries that"
          + " the directory above it takes a new entry, and skips the probes that need it.",
      "With --read-only: list and read the store, read the index; nothing is written.",
      "Exit codes: 0 every check passed, 69 storage or index failed a check, 78 bad settings."
    })
final class CheckCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "The connector's settings, e.g. its connector.properties "
              + "(default: data/connector.properties, as bin/snapshotter local writes it).")
  Path config;

  @Option(
      names = "--read-only",
      description =
          "Write nothing: list and read the store under the key template's prefix, read the index"
              + " (what replay, pages and reindex's listing need; for read-only credentials).")
  boolean readOnly;

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    Map<String, String> settings;
    try {
      settings = ConfigFile.load(StoreConfigOption.resolve(config, StoreConfigOption.CONNECTOR));
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("check: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    }
    List<Check> checks = new ArrayList<>();
    ConfigChecks.Result parsed = ConfigChecks.run(settings);
    checks.addAll(parsed.checks());
    SnapshotterConfig valid = parsed.config();
    if (valid != null) {
      checks.addAll(TlsChecks.run(valid, Instant.now()));
      checks.addAll(storeChecks(valid, readOnly));
      checks.addAll(indexChecks(valid, readOnly));
    }
    print(checks);
    if (valid == null) {
      return Main.EXIT_BAD_CONFIG;
    }
    return checks.stream().anyMatch(Check::failed) ? Main.EXIT_UNAVAILABLE : 0;
  }

  private static List<Check> storeChecks(SnapshotterConfig config, boolean readOnly) {
    Optional<Path> directory =
        config.storage().backend() == StorageBackend.FILESYSTEM
            ? config.storage().filesystemPath()
            : Optional.empty();
    if (directory.isPresent() && !Files.exists(directory.get())) {
      // Opening the store would create it: see NotCreatedYet.
      return readOnly
          ? StoreChecks.runReadOnlyWhereNotCreatedYet(directory.get())
          : StoreChecks.runWhereNotCreatedYet(directory.get());
    }
    try (ObjectStore store = ObjectStores.open(config.storage())) {
      return readOnly
          ? StoreChecks.runReadOnly(store, config.storage().keyTemplate())
          : StoreChecks.run(store, config.storage().keyTemplate(), System.currentTimeMillis());
    } catch (RuntimeException cannotOpen) {
      return List.of(new Check("storage", "open", Check.Outcome.FAILED, Check.reason(cannotOpen)));
    }
  }

  private static List<Check> indexChecks(SnapshotterConfig config, boolean readOnly) {
    if (config.index().backend() == IndexBackend.NONE) {
      return List.of(
          new Check(
              "index", "open", Check.Outcome.SKIPPED, "index.backend=none: pages are not indexed"));
    }
    IndexConfig settings = config.index();
    List<Check> checks = new ArrayList<>();
    if (readOnly) {
      try {
        settings.requirePrimaryExisting(); // opening would create it: the check would pass
      } catch (ConfigException missing) {
        return List.of(new Check("index", "open", Check.Outcome.FAILED, Check.reason(missing)));
      }
    } else if (!Files.exists(settings.sqlitePath())) {
      // Opening a SQLite index would create its file (and the directories above it): see
      // NotCreatedYet. As the primary, nothing is left to probe; as a secondary, the rest is.
      if (settings.backend() == IndexBackend.SQLITE) {
        return IndexChecks.runWhereNotCreatedYet(settings.sqlitePath());
      }
      if (settings.secondaries().contains(IndexBackend.SQLITE)) {
        checks.add(IndexChecks.secondaryNotCreatedYet(settings.sqlitePath()));
        settings = settings.withoutSecondary(IndexBackend.SQLITE);
      }
    }
    // Read-only: the index as replay opens it (the primary alone, nothing that writes).
    try (PageIndex index = readOnly ? settings.openForReading() : settings.open(PublishMode.SYNC)) {
      checks.addAll(
          readOnly
              ? IndexChecks.runReadOnly(index)
              : IndexChecks.run(index, System.currentTimeMillis()));
    } catch (RuntimeException cannotOpen) {
      checks.add(new Check("index", "open", Check.Outcome.FAILED, Check.reason(cannotOpen)));
    }
    return checks;
  }

  private void print(List<Check> checks) {
    int nameWidth = checks.stream().mapToInt(check -> check.name().length()).max().orElse(0);
    String line = "%-8s %-" + nameWidth + "s  %-7s %s%n";
    for (Check check : checks) {
      out.printf(line, check.subject(), check.name(), label(check.outcome()), check.detail());
    }
    long failed = checks.stream().filter(Check::failed).count();
    out.println(
        failed == 0
            ? "All " + checks.size() + " checks passed (or were skipped as not applicable)."
            : failed + " of " + checks.size() + " checks FAILED.");
  }

  private static String label(Check.Outcome outcome) {
    return switch (outcome) {
      case PASSED -> "ok";
      case FAILED -> "FAILED";
      case SKIPPED -> "skipped";
    };
  }
}
