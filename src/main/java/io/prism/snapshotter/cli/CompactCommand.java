package io.prism.snapshotter.cli;

import io.prism.snapshotter.compact.AllWritersCompaction;
import io.prism.snapshotter.compact.CompactionReport;
import io.prism.snapshotter.compact.CompactionSettings;
import io.prism.snapshotter.compact.Compactor;
import io.prism.snapshotter.compact.DanglingEntryException;
import io.prism.snapshotter.compact.WriterPages;
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
import io.prism.snapshotter.util.Counted;
import io.prism.snapshotter.util.Printable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code snapshotter compact}: merges a writer's (or every writer's) small old pages (see
 * docs/COMPACTION.md).
 */
@Command(
    name = "compact",
    mixinStandardHelpOptions = true,
    description = {
      "Merge a writer's small old pages into pages of the target size.",
      "Pages older than --older-than are merged into pages of about page.target.size.mb (stored"
          + " size), in page.format and page.compression (at page.compression.level); the merged"
          + " pages are published, then the old entries removed and the old pages deleted. Safe to"
          + " interrupt at any point: replay shows each event once meanwhile, and running the"
          + " command again finishes the job.",
      "Pages are found where replay finds them: through the index if the settings name"
          + " index.backend, else by listing storage. Prints one line per merged page, then a"
          + " summary. See docs/COMPACTION.md.",
      "With --all-writers (needs index.backend), every writer the index lists is compacted in"
          + " turn: one line per writer that changed, then a total; a writer that fails is named"
          + " and the run goes on with the next.",
      "Exit codes: 0 ok, 2 bad usage, 65 a page to merge is not readable, or the index lists it"
          + " and storage lacks it (its key is named; pages verify --repair removes such entries),"
          + " 69 storage or the index failed (run again to finish), 78 bad config. With"
          + " --all-writers: 69 if any writer failed on storage or the index, else 65 if any"
          + " failed on a page."
    })
final class CompactCommand implements Callable<Integer> {
  @ArgGroup(exclusive = true, multiplicity = "1")
  Writers writers;

  /** Which writers: exactly one of the two options. */
  static final class Writers {
    @Option(names = "--writer", paramLabel = "W", required = true, description = "The writer id.")
    String writer;

    @Option(
        names = "--all-writers",
        required = true,
        description = "Every writer the index lists, one after another (needs index.backend).")
    boolean all;
  }

  @Option(
      names = "--older-than",
      paramLabel = "DURATION",
      converter = DurationArgument.class,
      defaultValue = "1d",
      description =
          "Only pages whose latest event is older than this: 12h, 7d, P7D... (default: ${DEFAULT-VALUE}). "
              + "Keep it well beyond the connector's commit lag.")
  Duration olderThan;

  @Option(
      names = "--min-page-size",
      paramLabel = "BYTES",
      converter = ByteSizeArgument.class,
      description =
          "Only pages stored in fewer bytes than this: 65536, 512k, 2m (default: half of page.target.size.mb).")
  Long minPageSize;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Settings naming the store (storage.*), index (index.*) and page format (page.*) "
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
      settings =
          new SnapshotterConfig(
              SettingsFile.load(
                  StoreConfigOption.resolve(config, StoreConfigOption.STORE_INDEX_AND_PAGES),
                  "compact",
                  err));
      long target = settings.page().targetSizeBytes();
      compaction =
          new CompactionSettings(
              olderThan,
              minPageSize == null ? target / 2 : minPageSize,
              target,
              settings.page().format(),
              settings.page().compression(),
              settings.page().compressionLevel());
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("compact: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    }
    // As replay: the index only when the settings name one, else storage is listed.
    boolean indexed =
        settings.originals().containsKey(IndexConfig.BACKEND)
            && settings.index().backend() != IndexBackend.NONE;
    if (writers.all && !indexed) {
      err.println(
          "compact: --all-writers lists writers from the page index, and the settings name none "
              + "(set "
              + IndexConfig.BACKEND
              + "); without an index, compact one --writer at a time");
      return Main.EXIT_BAD_CONFIG;
    }
    // Neither a store nor an index that is not there is created: compact works on what the sink
    // stored, and in an empty new one would find nothing to merge.
    try (ObjectStore store = ObjectStores.openExisting(settings.storage());
        PageIndex index =
            indexed ? settings.index().openExisting(PublishMode.SYNC) : PageIndex.none()) {
      WriterPages pages =
          indexed
              ? WriterPages.fromIndex(index)
              : WriterPages.fromStorage(store, settings.storage().keyTemplate());
      Compactor compactor = new Compactor(store, index, pages, compaction, clock);
      if (writers.all) {
        return compactAll(new AllWritersCompaction(index, compactor));
      }
      // Each merge is printed once done (or planned), not kept: a writer of any size.
      CompactionReport report = compactor.run(writers.writer, dryRun, this::print);
      out.println(summaryLine(report));
      return 0;
    } catch (PageFormatException | IllegalStateException | DanglingEntryException e) {
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

  private int compactAll(AllWritersCompaction compaction) {
    AllWritersCompaction.Summary summary =
        compaction.run(
            dryRun,
            new AllWritersCompaction.Listener() {
              @Override
              public void compacted(CompactionReport report) {
                out.println(
                    summaryLine(report)
                        + "; "
                        + Counted.of(report.sourceBytes(), "byte")
                        + " before, "
                        + (report.dryRun() ? "unknown" : Long.toString(report.mergedBytes()))
                        + " after");
              }

              @Override
              public void failed(
                  String writerId, AllWritersCompaction.FailureKind kind, Exception cause) {
                err.printf(
                    "compact: writer %s failed: %s%s%n",
                    Printable.quote(writerId),
                    cause.getMessage(),
                    kind == AllWritersCompaction.FailureKind.UNAVAILABLE
                        ? " (run again to finish)"
                        : "");
              }
            });
    out.printf(
        "all writers: %d seen, %d %s, %s %s into %d; %s before, %s after; %d failed%s%n",
        summary.writersSeen(),
        summary.writersChanged(),
        dryRun ? "to compact" : "compacted",
        Counted.of(summary.pagesReplaced(), "page"),
        dryRun ? "would be merged" : "merged",
        summary.mergedPages(),
        Counted.of(summary.bytesBefore(), "byte"),
        dryRun ? "unknown" : Long.toString(summary.bytesAfter()),
        summary.failed(),
        summary.stoppedEarly() ? " (stopped: storage or the index kept failing)" : "");
    if (summary.unavailable() > 0) {
      return Main.EXIT_UNAVAILABLE;
    }
    return summary.badData() > 0 ? Main.EXIT_BAD_DATA : 0;
  }

  private void print(CompactionReport.Merge merge) {
    if (dryRun) {
      out.printf(
          "would merge %s (%s) into %s%n",
          Counted.of(merge.sources().size(), "page"),
          Counted.of(merge.sourceBytes(), "byte"),
          merge.key());
    } else {
      out.printf(
          "merged %s (%s) into %s (%s, %s%s)%n",
          Counted.of(merge.sources().size(), "page"),
          Counted.of(merge.sourceBytes(), "byte"),
          merge.key(),
          Counted.of(merge.mergedBytes(), "byte"),
          Counted.of(merge.events(), "event"),
          merge.reused() ? ", stored by an interrupted run" : "");
    }
  }

  private static String summaryLine(CompactionReport report) {
    long merged = report.mergedPages();
    return String.format(
        "writer %s: %s %s %s; %s finished; %s deleted",
        Printable.quote(report.writerId()),
        Counted.of(merged, "merged page"),
        report.dryRun() ? "would replace" : merged == 1 ? "replaces" : "replace",
        Counted.of(report.pagesReplaced(), "page"),
        Counted.of(report.finished(), "interrupted merge"),
        Counted.of(report.orphans(), "unindexed leftover"));
  }
}
