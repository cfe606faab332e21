package io.prism.snapshotter.cli;

import io.prism.snapshotter.compact.CompactionReport;
import io.prism.snapshotter.compact.CompactionSettings;
import io.prism.snapshotter.compact.Compactor;
import io.prism.snapshotter.compact.WriterPages;
import io.prism.snapshotter.config.ConfigFile;
import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.index.IndexBackend;
import io.prism.snapshotter.index.IndexException;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.PublishMode;
import io.prism.snapshotter.page.PageFormatException;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.ObjectStores;
import io.prism.snapshotter.storage.StorageException;
import io.prism.snapshotter.util.Printable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code snapshotter compact}: merges a writer's small old pages (see docs/COMPACTION.md). */
@Command(
    name = "compact",
    mixinStandardHelpOptions = true,
    description = {
      "Merge a writer's small pages older than --older-than into pages of about",
      "page.target.size.mb (stored size), in page.format and page.compression",
      "(at page.compression.level); publish the merged pages, then remove the old",
      "entries and delete the old pages. Safe to interrupt at any point: replay shows each event once",
      "meanwhile, and running the command again finishes the job.",
      "Pages are found where replay finds them: through the index if the settings",
      "name index.backend, else by listing storage. Prints one line per merged",
      "page, then a summary. See docs/COMPACTION.md.",
      "Exit codes: 0 ok, 2 bad usage, 65 a page to merge is not readable (its key",
      "is named), 69 storage or the index failed (run again to finish), 78 bad",
      "config."
    })
final class CompactCommand implements Callable<Integer> {
  @Option(names = "--writer", paramLabel = "W", required = true, description = "The writer id.")
  String writer;

  @Option(names = "--older-than", paramLabel = "DURATION", converter = DurationArgument.class, defaultValue = "1d",
      description = "Only pages whose last event is older than this: 12h, 7d, P7D... (default: ${DEFAULT-VALUE}). "
          + "Keep it well beyond the connector's commit lag.")
  Duration olderThan;

  @Option(names = "--min-page-size", paramLabel = "BYTES", converter = ByteSizeArgument.class,
      description = "Only pages stored in fewer bytes than this: 65536, 512k, 2m (default: half of page.target.size.mb).")
  Long minPageSize;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Settings naming the store (storage.*), index (index.*) and page format (page.*) "
          + "(default: data/connector.properties, as bin/snapshotter local writes it).")
  Path config;

  @Option(names = "--dry-run", description = "Print what would be merged; change nothing.")
  boolean dryRun;

  PrintStream out = System.out;
  PrintStream err = System.err;
  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() {
    SnapshotterConfig settings;
    CompactionSettings compaction;
    try {
      settings = new SnapshotterConfig(ConfigFile.load(StoreConfigOption.resolve(config)));
      long target = settings.page().targetSizeBytes();
      compaction = new CompactionSettings(olderThan, minPageSize == null ? target / 2 : minPageSize, target,
          settings.page().format(), settings.page().compression(), settings.page().compressionLevel());
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("compact: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    }
    // As replay: the index only when the settings name one, else storage is listed.
    boolean indexed = settings.originals().containsKey(IndexConfig.BACKEND)
        && settings.index().backend() != IndexBackend.NONE;
    try (ObjectStore store = ObjectStores.open(settings.storage());
        PageIndex index = indexed ? settings.index().open(PublishMode.SYNC) : PageIndex.none()) {
      WriterPages pages = indexed
          ? WriterPages.fromIndex(index) : WriterPages.fromStorage(store, settings.storage().keyTemplate());
      CompactionReport report = new Compactor(store, index, pages, compaction, clock).run(writer, dryRun);
      print(report);
      return 0;
    } catch (PageFormatException | IllegalStateException e) {
      err.println("compact: " + e.getMessage());
      return Main.EXIT_BAD_DATA;
    } catch (StorageException | IndexException | IOException e) {
      err.println("compact: " + e.getMessage() + " (run again to finish)");
      return Main.EXIT_UNAVAILABLE;
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("compact: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    }
  }

  private void print(CompactionReport report) {
    for (CompactionReport.Merge merge : report.merges()) {
      if (report.dryRun()) {
        out.printf("would merge %d pages (%d bytes) into %s%n", merge.sources().size(), merge.sourceBytes(), merge.key());
      } else {
        out.printf("merged %d pages (%d bytes) into %s (%d bytes, %d events%s)%n", merge.sources().size(),
            merge.sourceBytes(), merge.key(), merge.mergedBytes(), merge.events(),
            merge.reused() ? ", stored by an interrupted run" : "");
      }
    }
    out.printf("writer %s: %d merged pages %s %d pages; %d interrupted merges finished; %d unindexed leftovers "
            + "deleted%n", Printable.quote(report.writerId()), report.merges().size(),
        report.dryRun() ? "would replace" : "replace", report.pagesReplaced(), report.finished(), report.orphans());
  }
}
