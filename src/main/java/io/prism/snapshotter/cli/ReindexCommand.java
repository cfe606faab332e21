package io.prism.snapshotter.cli;

import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.config.StorageConfig;
import io.prism.snapshotter.index.EntryTtl;
import io.prism.snapshotter.index.FanOutPageIndex;
import io.prism.snapshotter.index.IndexException;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.PublishMode;
import io.prism.snapshotter.sink.Reindexer;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.ObjectStores;
import io.prism.snapshotter.storage.StorageException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code snapshotter reindex}: the RFC's reconciliation job. */
@Command(
    name = "reindex",
    mixinStandardHelpOptions = true,
    description = {
      "Add to the page index the stored pages it lacks.",
      "Lists storage and reads each page's metadata. Safe to run at any time and again: pages"
          + " already indexed are left alone.",
      "With index.ttl.days, a page that ended longer ago than the TTL is not indexed (the index"
          + " would expire its entry at once): counted as skipped (older than index.ttl.days).",
      "A filesystem store's directory that is not there is a bad config (78), not created; a"
          + " SQLite index file that is not there is created (a lost index is rebuilt).",
      "Exit codes: 0 ok, 65 some objects were not readable pages, 69 storage or index failed, 78"
          + " bad config."
    })
final class ReindexCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Settings naming the store (storage.*) and index (index.*) "
              + "(default: data/connector.properties, as bin/snapshotter local writes it).")
  Path config;

  @Option(
      names = "--prefix",
      paramLabel = "P",
      defaultValue = "",
      description = "Only keys starting with P.")
  String prefix;

  @Option(
      names = "--since",
      paramLabel = "T",
      converter = TimeArgument.From.class,
      description = "Only objects stored at or after T (epoch milliseconds or ISO-8601).")
  Long since;

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    try {
      Map<String, String> settings =
          SettingsFile.load(
              StoreConfigOption.resolve(config, StoreConfigOption.STORE_AND_INDEX), "reindex", err);
      Reindexer.Result result;
      // A store that is not there is a wrong path (nothing to reindex), and is not created; a
      // missing index is, since rebuilding a lost one is what reindex is for.
      IndexConfig indexSettings = new IndexConfig(settings);
      try (ObjectStore store = ObjectStores.openExisting(new StorageConfig(settings));
          PageIndex index = indexSettings.open(PublishMode.SYNC)) {
        result =
            new Reindexer(store, index, EntryTtl.ofDays(indexSettings.ttlDays()), Clock.systemUTC())
                .run(
                    prefix,
                    since == null ? Long.MIN_VALUE : since,
                    ProgressBar.forTerminal(err, "reindex"));
        if (index instanceof FanOutPageIndex fanOut
            && !fanOut.awaitSecondaries(Duration.ofMinutes(5))) {
          err.println(
              "reindex: the secondary indexes did not take every entry within 5 minutes; run reindex again");
        }
      }
      out.printf(
          "listed %d, skipped (before --since) %d, skipped (older than index.ttl.days) %d, "
              + "already indexed %d, added %d, not pages %d, replaced by merged pages %d%n",
          result.listed(),
          result.skipped(),
          result.expired(),
          result.alreadyIndexed(),
          result.added(),
          result.unreadable(),
          result.superseded());
      return result.unreadable() > 0 ? Main.EXIT_BAD_DATA : 0;
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("reindex: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    } catch (IndexException | StorageException e) {
      err.println("reindex: " + e.getMessage());
      return Main.EXIT_UNAVAILABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println(
          "reindex: interrupted before it finished; the pages indexed so far stay indexed (run it"
              + " again for the rest: it counts those as already indexed)");
      return Main.EXIT_UNAVAILABLE;
    }
  }
}
