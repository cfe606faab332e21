package io.prism.snapshotter.cli;

import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.index.IndexBackend;
import io.prism.snapshotter.index.IndexException;
import io.prism.snapshotter.replay.CorruptPageException;
import io.prism.snapshotter.replay.EventFilter;
import io.prism.snapshotter.replay.OnCorrupt;
import io.prism.snapshotter.replay.ReplayProgress;
import io.prism.snapshotter.replay.ReplaySettings;
import io.prism.snapshotter.replay.ReplayStream;
import io.prism.snapshotter.replay.Replayer;
import io.prism.snapshotter.replay.SkippedPage;
import io.prism.snapshotter.replay.StillLocatedException;
import io.prism.snapshotter.storage.StorageException;
import io.prism.snapshotter.util.Counted;
import io.prism.snapshotter.util.Printable;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code snapshotter replay}: a writer's events from its pages, in its order, each once, to stdout.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Print a writer's stored events in order, each event id once.",
      "Events go to stdout in the writer's order. Times are epoch milliseconds or ISO-8601"
          + " (2025-10-01T12:00:00Z, 2025-10-01); both ends are included. Event times are whole"
          + " milliseconds, and digits below one are rounded into the range (--from up, --to"
          + " down); a range that then holds no millisecond prints nothing (exit 0).",
      "--output: ndjson (default; the RFC's event lines, payload in base64), raw (each payload's"
          + " bytes then a newline), protobuf-delimited (length-delimited prism.snapshotter.Event"
          + " messages).",
      "Progress goes to stderr when there is a console. A writer without pages prints nothing"
          + " (exit 0).",
      "--on-corrupt: fail (default) stops at a page that cannot be read, naming it; skip goes on"
          + " past it (a WARN names each), prints every event of the other pages, lists the skipped"
          + " pages on stderr at the end and exits 65.",
      "Exit codes: 0 ok (also when the reader of stdout stops reading, as head does), 2 bad"
          + " usage, 65 a page is corrupt (its key is named; with --on-corrupt skip, after every"
          + " other page's events), 66 the index lists a page that"
          + " storage lacks (its key is named; pages verify --repair removes such entries), 69"
          + " storage failed, 74 stdout failed, 78 bad config (a store directory or SQLite index"
          + " file that is not there, or --from after --to)."
    })
public final class ReplayCommand implements Callable<Integer> {
  @ArgGroup(exclusive = true, multiplicity = "1")
  Writer writerOption;

  /** The writer: as typed, or in its key encoding (for ids argv cannot carry). */
  static final class Writer {
    @Option(names = "--writer", paramLabel = "W", required = true, description = "The writer id.")
    String plain;

    @Option(
        names = "--writer-encoded",
        paramLabel = "SEGMENT",
        required = true,
        converter = EncodedWriterArgument.class,
        description =
            "The writer id as its keys encode it (%XX for each byte outside [A-Za-z0-9_.-]):"
                + " for an id holding NUL, newlines or text the terminal's locale cannot pass.")
    String encoded;

    String id() {
      return plain != null ? plain : encoded;
    }
  }

  /** The writer id, whichever option gave it. */
  String writer;

  @Option(
      names = "--from",
      paramLabel = "T",
      converter = TimeArgument.Exact.class,
      description = "First event time included (default: the beginning).")
  Instant from;

  @Option(
      names = "--to",
      paramLabel = "T",
      converter = TimeArgument.Exact.class,
      description = "Last event time included (default: no end).")
  Instant to;

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      defaultValue = "ndjson",
      converter = ReplayOutput.Converter.class,
      description = "ndjson | raw | protobuf-delimited (default: ${DEFAULT-VALUE}).")
  ReplayOutput output;

  @Option(
      names = "--attr",
      paramLabel = "k=v",
      description = "Only events with this attribute (repeatable: all must match).")
  Map<String, String> attributes = new LinkedHashMap<>();

  @Option(
      names = "--on-corrupt",
      paramLabel = "fail|skip",
      defaultValue = "fail",
      converter = OnCorruptConverter.class,
      description = "A page that cannot be read: fail there (default), or skip it and go on.")
  OnCorrupt onCorrupt = OnCorrupt.FAIL;

  static final class OnCorruptConverter implements CommandLine.ITypeConverter<OnCorrupt> {
    @Override
    public OnCorrupt convert(String value) {
      try {
        return OnCorrupt.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Settings naming the store (storage.*) and any page index (index.*), e.g. the"
              + " connector's properties "
              + "(default: data/connector.properties, as bin/snapshotter local writes it).")
  Path config;

  private final OutputStream stdout;
  private final PrintStream err;
  private final boolean console;

  public ReplayCommand() {
    this(new FileOutputStream(FileDescriptor.out), System.err, System.console() != null);
  }

  ReplayCommand(OutputStream stdout, PrintStream err, boolean console) {
    this.stdout = stdout;
    this.err = err;
    this.console = console;
  }

  @Override
  public Integer call() {
    writer = writerOption.id();
    TimeWindow window;
    Optional<EventFilter> filter;
    SnapshotterConfig settings;
    try {
      window = TimeWindow.of(from, to);
      filter = window.millis().map(range -> new EventFilter(range, requiredAttributes()));
      settings =
          new SnapshotterConfig(
              SettingsFile.load(
                  StoreConfigOption.resolve(config, StoreConfigOption.STORE_AND_ANY_INDEX),
                  "replay",
                  err));
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("replay: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    }
    try (Replayer replayer =
        Replayer.open(settings, ReplaySettings.DEFAULT.withOnCorrupt(onCorrupt))) {
      if (filter.isEmpty()) {
        err.println("replay: " + window.emptyNote());
        return 0; // after opening the store: a bad config is not hidden by an empty range
      }
      try (ReplayStream events = replayer.replay(writer, filter.get())) {
        print(events);
        if (events.progress().pagesTotal() == 0 && events.skippedPages().isEmpty()) {
          err.println("replay: " + noPagesNote());
        }
        if (!events.skippedPages().isEmpty()) {
          reportSkipped(events.skippedPages());
          return Main.EXIT_BAD_DATA;
        }
      }
      return 0;
    } catch (CorruptPageException e) {
      err.println(
          "replay: "
              + e.getMessage()
              + " (--on-corrupt skip replays the other pages; `snapshotter pages verify --writer"
              + " ...` lists every page that cannot be read)");
      return Main.EXIT_BAD_DATA;
    } catch (StillLocatedException e) {
      err.println("replay: " + e.getMessage() + stillLocatedHint(settings));
      return PagesVerifyCommand.EXIT_DANGLING;
    } catch (StorageException e) {
      err.println("replay: storage failed: " + e.getMessage());
      return Main.EXIT_UNAVAILABLE;
    } catch (IndexException e) {
      err.println("replay: the page index failed: " + e.getMessage());
      return Main.EXIT_UNAVAILABLE;
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("replay: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    } catch (IOException e) {
      if (StdoutFailure.readerGone(e)) {
        return 0; // the reader stopped reading (| head): it has what it wanted
      }
      err.println("replay: cannot write to stdout: " + e.getMessage());
      return StdoutFailure.EXIT_IO_ERROR;
    }
  }

  /** The pages skipped, the first ten by key; every event of the other pages went out. */
  private void reportSkipped(List<SkippedPage> skipped) {
    err.println(
        "replay: skipped "
            + Counted.of(skipped.size(), "corrupt page")
            + " (--on-corrupt skip); every event of the other pages was printed:");
    for (SkippedPage page : skipped.subList(0, Math.min(10, skipped.size()))) {
      err.println(
          "  "
              + page.key()
              + (page.eventsReplayed() == 0
                  ? ""
                  : " (" + page.eventsReplayed() + " of its events printed before the damage)")
              + ": "
              + page.reason());
    }
    if (skipped.size() > 10) {
      err.println("  and " + (skipped.size() - 10) + " more (each in a WARN above)");
    }
  }

  /**
   * With an index, a page gone from storage that the index still lists is a dangling entry: it
   * stays, and every replay over its time fails, until it is removed.
   */
  private String stillLocatedHint(SnapshotterConfig settings) {
    boolean indexed =
        settings.originals().containsKey(IndexConfig.BACKEND)
            && settings.index().backend() != IndexBackend.NONE;
    return indexed
        ? "; the page index still lists it, and will until the entry is removed: `snapshotter pages"
            + " verify --writer "
            + Printable.quote(writer)
            + " --repair` removes the entries whose page is gone (their events are gone with the"
            + " page)"
        : "";
  }

  /**
   * Nothing printed and nothing said looked like a broken replay to someone who has just published
   * (the README's tour does): the events are most likely still in the writer's open page. Stdout
   * stays empty; the note goes to stderr, as {@code pages list} says "0 pages".
   */
  private String noPagesNote() {
    return "no pages of "
        + Printable.quote(writer)
        + (from != null || to != null ? " in that time range" : "")
        + " (events in a writer's open page are stored, and replayed, once it closes: at"
        + " buffer.max.events, buffer.max.size.bytes or buffer.max.age.seconds, or when its"
        + " session ends)";
  }

  private List<Map.Entry<String, String>> requiredAttributes() {
    return new ArrayList<>(attributes.entrySet());
  }

  private void print(ReplayStream events) throws IOException {
    Progress progress = console ? new Progress(err) : null;
    OutputStream out = new BufferedOutputStream(stdout, 1 << 16);
    try (EventPrinter printer = EventPrinter.of(output, out)) {
      while (events.hasNext()) {
        printer.print(events.next());
        if (progress != null) {
          progress.maybeShow(events.progress());
        }
      }
    } finally {
      out.flush();
    }
    if (progress != null) {
      progress.done(events.progress());
    }
  }

  /** One status line on stderr, redrawn at most every 500 ms. */
  private static final class Progress {
    private final PrintStream err;
    private final long startNanos = System.nanoTime();
    private long lastShown;

    Progress(PrintStream err) {
      this.err = err;
    }

    void maybeShow(ReplayProgress p) {
      long now = System.nanoTime();
      if (now - lastShown > 500_000_000L) {
        lastShown = now;
        err.print("\r" + line(p, now));
      }
    }

    void done(ReplayProgress p) {
      err.println("\r" + line(p, System.nanoTime()));
    }

    private String line(ReplayProgress p, long now) {
      double seconds = Math.max((now - startNanos) / 1e9, 1e-3);
      return String.format(
          "pages %d/%d, events %d, %.1f MB read, %.0f events/s, %s dropped  ",
          p.pagesRead(),
          p.pagesTotal(),
          p.eventsOut(),
          p.storedBytes() / 1e6,
          p.eventsOut() / seconds,
          Counted.of(p.repeatsDropped(), "repeat"));
    }
  }
}
