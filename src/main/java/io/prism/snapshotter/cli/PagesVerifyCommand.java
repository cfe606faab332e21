package io.prism.snapshotter.cli;

import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.config.StorageConfig;
import io.prism.snapshotter.index.FanOutPageIndex;
import io.prism.snapshotter.index.IndexBackend;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.IndexException;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.PublishMode;
import io.prism.snapshotter.storage.ObjectKeys;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.ObjectStores;
import io.prism.snapshotter.storage.StorageException;
import io.prism.snapshotter.util.Counted;
import io.prism.snapshotter.util.Printable;
import io.prism.snapshotter.verify.IndexVerifier;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code snapshotter pages verify}: index entries whose page is not in storage (dangling), and
 * entries whose page has another size; {@code --repair} removes the dangling ones.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Find index entries whose page is gone from storage.",
      "Checks a writer's index entries (or every writer's) against storage: each page is looked"
          + " up with a HEAD (no download), --parallelism at a time; entries are read from the"
          + " index 1,000 at a time. One line per finding, in the index's order (writers, then each"
          + " writer's entries by start time):",
      "  dangling KEY writer W: the index lists the page, storage lacks it (deleted by an"
          + " operator or a lifecycle rule, an older bucket restored); compact and replay fail on"
          + " it until the entry is removed.",
      "  removed KEY writer W: the same, and --repair removed the entry.",
      "  size-differs KEY writer W index N bytes, stored M bytes: the sizes differ.",
      "Then a summary on stderr, and every 5 s a progress line on stderr. An entry is dangling"
          + " only when storage answers that the key does not exist, twice, and the index still"
          + " lists it the second time; any other storage or index failure stops the command"
          + " (nothing is removed on its account).",
      "--repair removes dangling entries only (never one whose size differs). Before it removes"
          + " anything it looks for one entry whose page is stored, and refuses, removing nothing,"
          + " when none is (10 or more entries checked) or the store holds no object at all: a"
          + " wrong bucket, prefix or directory looks the same. --force removes anyway.",
      "Exit codes: 0 nothing found (or every dangling entry removed, and no size differs), 66"
          + " dangling entries left in the index, 65 sizes differ (and no dangling entry left), 69"
          + " storage or the index failed, 78 bad config or a refused --repair, 2 bad usage."
    })
final class PagesVerifyCommand implements Callable<Integer> {
  /** Exit code for dangling entries left in the index (EX_NOINPUT: no such page). */
  static final int EXIT_DANGLING = 66;

  @Option(
      names = "--writer",
      paramLabel = "W",
      description = "Only this writer's entries (default: every writer the index lists).")
  String writer;

  @Option(
      names = "--repair",
      description = "Remove the dangling entries (each looked up once more just before).")
  boolean repair;

  @Option(
      names = "--force",
      description =
          "With --repair: remove even when the store holds no object, or none of the pages of"
              + " the entries checked (the pages are gone indeed).")
  boolean force;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      description =
          "HEADs at once, 1 to what the store's client serves at once: 50 on S3 (its"
              + " connection pool), "
              + IndexVerifier.Options.MAX_PARALLELISM
              + " on Azure, GCS and a filesystem (default: "
              + IndexVerifier.Options.DEFAULT_PARALLELISM
              + ").")
  int parallelism = IndexVerifier.Options.DEFAULT_PARALLELISM;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Settings naming the store (storage.*) and index (index.*), e.g. the connector's "
              + "properties (default: data/connector.properties, as bin/snapshotter local writes it).")
  Path config;

  @Spec CommandSpec spec;

  PrintStream out = System.out;
  PrintStream err = System.err;

  /** The least time between two progress lines (a test shortens it). */
  Duration progressEvery = IndexVerifier.Options.DEFAULT_PROGRESS_EVERY;

  /** Where the settings are looked for without --config (a test points elsewhere). */
  Path localStackConfig = StoreConfigOption.LOCAL_STACK_CONFIG;

  @Override
  public Integer call() {
    if (parallelism < 1 || parallelism > IndexVerifier.Options.MAX_PARALLELISM) {
      throw new ParameterException(
          spec.commandLine(),
          "--parallelism must be 1 to "
              + IndexVerifier.Options.MAX_PARALLELISM
              + " (50 on S3), not "
              + parallelism);
    }
    if (force && !repair) {
      throw new ParameterException(spec.commandLine(), "--force goes with --repair only");
    }
    IndexVerifier.Options options = new IndexVerifier.Options(parallelism, force, progressEvery);
    try {
      Map<String, String> settings =
          SettingsFile.load(
              StoreConfigOption.resolve(
                  config, StoreConfigOption.STORE_AND_INDEX, localStackConfig),
              "pages verify",
              err);
      IndexConfig indexSettings = new IndexConfig(settings);
      // As compact and replay: an index only where the settings name one (the key's default,
      // sqlite, would otherwise verify an index the connector may never have used).
      if (!settings.containsKey(IndexConfig.BACKEND)
          || indexSettings.backend() == IndexBackend.NONE) {
        throw new ConfigException(
            "these settings name no page index to verify (set " + IndexConfig.BACKEND + ")");
      }
      indexSettings.requireExisting(); // before the store: the index is what is verified
      IndexVerifier.Summary summary;
      try (ObjectStore store = ObjectStores.openExisting(new StorageConfig(settings))) {
        if (parallelism > IndexVerifier.maxParallelism(store)) {
          // More threads than the client has connections would only wait for one.
          throw new ParameterException(
              spec.commandLine(),
              "--parallelism must be 1 to "
                  + IndexVerifier.maxParallelism(store)
                  + " on "
                  + store.describe()
                  + " (its client's connection pool), not "
                  + parallelism);
        }
        try (PageIndex index = indexSettings.openExisting(PublishMode.SYNC)) {
          summary = new IndexVerifier(store, index, options).run(writer, repair, printer());
          if (summary.removed() > 0
              && index instanceof FanOutPageIndex fanOut
              && !fanOut.awaitSecondaries(Duration.ofMinutes(5))) {
            err.println(
                "pages verify: the secondary indexes did not take every removal within 5 minutes;"
                    + " run pages verify --repair again");
          }
        }
      }
      err.printf(
          "%s of %s checked: %d dangling%s, %d with another size%n",
          Counted.of(summary.entries(), "entry", "entries"),
          Counted.of(summary.writers(), "writer"),
          summary.dangling(),
          repair ? " (" + summary.removed() + " removed)" : "",
          summary.sizeDiffers());
      if (summary.allDangling()) {
        err.println(
            "pages verify: every entry checked is dangling: check that the settings name the store"
                + " the sink writes to (a wrong bucket, prefix or directory looks the same)");
      }
      if (summary.danglingLeft() > 0) {
        err.println(
            "pages verify: run again with --repair to remove the dangling entries"
                + " (their events are gone with their pages: reindex cannot restore them)");
        return EXIT_DANGLING;
      }
      return summary.sizeDiffers() > 0 ? Main.EXIT_BAD_DATA : 0;
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("pages verify: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    } catch (IllegalStateException e) {
      // A RepairRefusedException, above all: refusals are 78, as replay's.
      err.println("pages verify: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    } catch (StorageException | IndexException e) {
      err.println("pages verify: " + e.getMessage() + " (nothing was removed on its account)");
      return Main.EXIT_UNAVAILABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("pages verify: interrupted waiting for the secondary indexes");
      return Main.EXIT_UNAVAILABLE;
    }
  }

  private IndexVerifier.Listener printer() {
    return new IndexVerifier.Listener() {
      @Override
      public void dangling(IndexEntry entry, boolean removed) {
        out.printf(
            "%s %s writer %s%n",
            removed ? "removed" : "dangling",
            printable(entry.pageKey()),
            Printable.quote(entry.writerId()));
      }

      @Override
      public void progress(IndexVerifier.Summary soFar, String writerId) {
        err.printf(
            "pages verify: %s of %s checked so far: %d dangling%s, %d with another size;"
                + " at writer %s%n",
            Counted.of(soFar.entries(), "entry", "entries"),
            Counted.of(soFar.writers(), "writer"),
            soFar.dangling(),
            repair ? " (" + soFar.removed() + " removed)" : "",
            soFar.sizeDiffers(),
            Printable.quote(writerId));
      }

      @Override
      public void searching(long entriesChecked) {
        err.printf(
            "pages verify: --repair looks for an entry whose page the store holds before it"
                + " removes anything: %s checked, none has its page yet%n",
            Counted.of(entriesChecked, "entry", "entries"));
      }

      @Override
      public void sizeDiffers(IndexEntry entry, long storedBytes) {
        out.printf(
            "size-differs %s writer %s index %s, stored %s%n",
            printable(entry.pageKey()),
            Printable.quote(entry.writerId()),
            Counted.of(entry.storageSizeBytes(), "byte"),
            Counted.of(storedBytes, "byte"));
      }
    };
  }

  /**
   * A valid key whole (it holds no control characters, and a script may pass it on); one no store
   * takes, which only a foreign writer's entry can have, escaped and quoted.
   */
  private static String printable(String key) {
    return ObjectKeys.problem(key) == null ? key : "'" + ObjectKeys.printable(key) + "'";
  }
}
