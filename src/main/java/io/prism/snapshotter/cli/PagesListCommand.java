package io.prism.snapshotter.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.index.IndexBackend;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.IndexEntryJson;
import io.prism.snapshotter.index.IndexException;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.util.Counted;
import io.prism.snapshotter.util.Printable;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code snapshotter pages list}: a writer's pages in a time range, from the page index. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = {
      "List a writer's pages from the page index.",
      "The pages that hold a time from --from to --to, both included (as in replay), ordered by"
          + " start time then page sequence. Times: epoch milliseconds or ISO-8601; digits below a"
          + " millisecond are rounded into the range (--from up, --to down); a range that then"
          + " holds no millisecond prints nothing (exit 0), as in replay.",
      "Exit codes: 0 ok, 69 the index failed, 74 stdout failed, 78 bad config (or --from after"
          + " --to)."
    })
final class PagesListCommand implements Callable<Integer> {
  enum Output {
    table,
    json
  }

  @Option(names = "--writer", required = true, paramLabel = "W", description = "The writer id.")
  String writer;

  @Option(
      names = "--from",
      paramLabel = "T",
      converter = TimeArgument.Exact.class,
      description = "First time included (default: the beginning).")
  Instant from;

  @Option(
      names = "--to",
      paramLabel = "T",
      converter = TimeArgument.Exact.class,
      description = "Last time included (default: no end).")
  Instant to;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Settings naming the index (index.*), e.g. the connector's properties "
              + "(default: data/connector.properties, as bin/snapshotter local writes it).")
  Path config;

  @Option(
      names = "--output",
      paramLabel = "table|json",
      defaultValue = "table",
      description = "table (default), or json: one JSON object per line.")
  Output output;

  /** Stdout itself, not System.out: a PrintStream would swallow a failed write (a full disk). */
  OutputStream out = new FileOutputStream(FileDescriptor.out);

  PrintStream err = System.err;

  /** Where the settings are looked for without --config (a test points elsewhere). */
  Path localStackConfig = StoreConfigOption.LOCAL_STACK_CONFIG;

  @Override
  public Integer call() {
    StdoutFailure.Watched stdout = new StdoutFailure.Watched(out);
    PrintStream lines = new PrintStream(new BufferedOutputStream(stdout, 1 << 16), false, UTF_8);
    try {
      TimeWindow window = TimeWindow.of(from, to);
      IndexConfig settings =
          new IndexConfig(
              SettingsFile.load(
                  StoreConfigOption.resolve(config, StoreConfigOption.INDEX, localStackConfig),
                  "pages list",
                  err));
      requireAnIndexThatExists(settings);
      List<IndexEntry> entries;
      try (PageIndex index = settings.openForReading()) {
        if (window.millis().isEmpty()) {
          err.println("pages list: " + window.emptyNote());
          return 0; // after opening the index: a bad config is not hidden by an empty range
        }
        entries = index.entries(writer, range(window.millis().get()));
      }
      if (output == Output.json) {
        entries.forEach(e -> lines.println(IndexEntryJson.write(e)));
      } else {
        printTable(lines, entries);
      }
      lines.flush();
      if (stdout.failure() != null) {
        if (StdoutFailure.readerGone(stdout.failure())) {
          return 0; // the reader stopped reading (| head): it has what it wanted
        }
        err.println("pages list: cannot write to stdout: " + stdout.failure().getMessage());
        return StdoutFailure.EXIT_IO_ERROR;
      }
      return 0;
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("pages list: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    } catch (IndexException e) {
      err.println("pages list: " + e.getMessage());
      return Main.EXIT_UNAVAILABLE;
    }
  }

  /**
   * The index's half-open range for the options' inclusive one: {@code --to T} includes a page that
   * starts at T, as replay includes an event at T. Up to 2026-11 {@code --to} was exclusive here
   * and inclusive in replay, so the same options listed fewer pages than replay read.
   */
  static TimeRange range(io.prism.snapshotter.replay.TimeRange included) {
    long to = included.toMillis();
    // to + 1 == Long.MAX_VALUE, like no --to, is a range without end (TimeRange.openEnded).
    long end = to == Long.MAX_VALUE ? Long.MAX_VALUE : to + 1;
    return new TimeRange(included.fromMillis(), end);
  }

  /**
   * Opening a SQLite index creates its file: a mistyped path (or the wrong directory) would list an
   * empty new index as "0 pages" and leave a stray database behind. And with no index there is
   * nothing to list.
   */
  private static void requireAnIndexThatExists(IndexConfig settings) {
    if (settings.backend() == IndexBackend.NONE) {
      throw new ConfigException(
          IndexConfig.BACKEND
              + "=none: these settings name no page index to list "
              + "(replay --writer finds pages by listing storage)");
    }
    settings.requirePrimaryExisting();
  }

  private void printTable(PrintStream lines, List<IndexEntry> entries) {
    // SEQUENCE holds any long: a merged page's is negative and up to 20 characters.
    String format = "%-24s  %-24s  %20s  %8s  %10s  %10s  %s%n";
    lines.printf(format, "START", "END", "SEQUENCE", "EVENTS", "BYTES", "STORED", "KEY");
    for (IndexEntry e : entries) {
      lines.printf(
          format,
          Instant.ofEpochMilli(e.startTime()),
          Instant.ofEpochMilli(e.endTime()),
          e.pageSequence(),
          e.eventCount(),
          e.pageSizeBytes(),
          e.storageSizeBytes(),
          e.pageKey()); // keys hold no control characters
    }
    err.println(
        Counted.of(entries.size(), "page")
            + " of "
            + Printable.quote(writer)
            + openPagesHint(entries));
  }

  /**
   * Someone who has just published and lists nothing most likely looks at events still in the
   * writer's open page, which the index learns of only once it is stored.
   */
  private static String openPagesHint(List<IndexEntry> entries) {
    return entries.isEmpty()
        ? " (events in a writer's open page are listed once it closes: at buffer.max.events,"
            + " buffer.max.size.bytes or buffer.max.age.seconds, or when its session ends)"
        : "";
  }
}
