package io.prism.snapshotter.cli;

import io.prism.snapshotter.config.ConfigFile;
import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.replay.CorruptPageException;
import io.prism.snapshotter.replay.PageRef;
import io.prism.snapshotter.replay.StorageScanLocator;
import io.prism.snapshotter.replay.TimeRange;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.ObjectStores;
import io.prism.snapshotter.storage.StorageException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code snapshotter pages list --writer W}: a writer's pages in replay order. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = {
      "List a writer's pages in the order replay reads them: key, start and end time (UTC), stored bytes.",
      "Exit codes: 0 ok, 65 a page is corrupt, 69 storage failed, 78 bad config."
    })
final class PagesListCommand implements Callable<Integer> {
  @Option(names = "--writer", paramLabel = "W", required = true, description = "The writer id.")
  String writer;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Settings naming the store (default: data/connector.properties, from bin/snapshotter local).")
  Path config;

  @Override
  public Integer call() {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      SnapshotterConfig settings = new SnapshotterConfig(ConfigFile.load(StoreConfigOption.resolve(config)));
      try (ObjectStore store = ObjectStores.open(settings.storage())) {
        for (PageRef page : new StorageScanLocator(store, settings.storage().keyTemplate(), pool)
            .locate(writer, TimeRange.ALL)) {
          System.out.println(page.key() + "\t" + Instant.ofEpochMilli(page.startTime()) + "\t"
              + Instant.ofEpochMilli(page.endTime()) + "\t" + page.storedSizeBytes());
        }
      }
      return 0;
    } catch (CorruptPageException e) {
      System.err.println("pages list: " + e.getMessage());
      return Main.EXIT_BAD_DATA;
    } catch (StorageException e) {
      System.err.println("pages list: " + e.getMessage());
      return Main.EXIT_UNAVAILABLE;
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("pages list: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    } finally {
      pool.shutdownNow();
    }
  }
}
