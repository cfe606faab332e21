package io.prism.snapshotter.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.prism.snapshotter.config.StorageConfig;
import io.prism.snapshotter.page.NdjsonLines;
import io.prism.snapshotter.page.PageCursor;
import io.prism.snapshotter.page.PageFormatException;
import io.prism.snapshotter.page.PageReader;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.NoSuchObjectException;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.ObjectStores;
import io.prism.snapshotter.storage.StorageException;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code snapshotter pages cat}: decodes one page, of any format and compression, and prints its
 * events as the RFC's NDJSON event lines.
 */
@Command(
    name = "cat",
    mixinStandardHelpOptions = true,
    description = {
      "Decode one page and print its events as NDJSON, one per line.",
      "The page is a local file ('-': standard input, e.g. from `aws s3 cp s3://b/KEY -`), or"
          + " with --config a key in the configured store. Its format and compression are told by"
          + " the name's extension, else by the bytes themselves.",
      "Exit codes: 0 ok (also when the reader of stdout stops reading, as head does), 65 the page"
          + " is corrupt, 66 no such page, 69 storage failed, 74 stdout failed, 78 bad config."
    })
final class PagesCatCommand implements Callable<Integer> {
  /** The page argument that means standard input. */
  private static final String STDIN = "-";

  private static final JsonFactory JSON =
      new JsonFactoryBuilder()
          .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
          .rootValueSeparator((String) null)
          .build();

  @Parameters(
      index = "0",
      paramLabel = "<file-or-key>",
      description = "A page file ('-': standard input), or a key in the store.")
  String page;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Settings naming the store (storage.*).")
  Path config;

  @Option(names = "--with-metadata", description = "Print the page's metadata line first.")
  boolean withMetadata;

  /** Stdout itself, not System.out: a PrintStream would swallow a failed write (a full disk). */
  OutputStream out = new FileOutputStream(FileDescriptor.out);

  PrintStream err = System.err;

  InputStream stdin = System.in;

  @Override
  public Integer call() {
    try {
      if (STDIN.equals(page) && config == null) {
        print(new SkipsByReading(stdin), null); // no name: told by the bytes
        return 0;
      }
      Path file = Path.of(page);
      // Not only regular files: a named pipe, or a shell's <(curl ...), is a page streamed in.
      if (config == null && Files.exists(file) && !Files.isDirectory(file)) {
        // FileInputStream: Files.newInputStream's available() seeks, which a pipe refuses.
        try (InputStream in = new SkipsByReading(new FileInputStream(file.toFile()))) {
          print(in, file.getFileName().toString());
        }
        return 0;
      }
      if (config == null && Files.isDirectory(file)) {
        err.println(
            "pages cat: "
                + page
                + " is a directory: give one page file in it (pages list prints their keys; a key"
                + " is the page's path under storage.filesystem.path)");
        return 66;
      }
      if (config == null) {
        err.println(
            "pages cat: no such file: "
                + page
                + " (give --config FILE to read a key from a store)");
        return 66;
      }
      try (ObjectStore store =
              ObjectStores.openExisting(
                  new StorageConfig(SettingsFile.load(config, "pages cat", err)));
          InputStream in = store.get(page)) {
        print(in, page);
      }
      return 0;
    } catch (StdoutFailure.WriteFailed e) {
      if (StdoutFailure.readerGone(e)) {
        return 0; // the reader stopped reading (| head): it has what it wanted
      }
      err.println("pages cat: cannot write to stdout: " + e.getMessage());
      return StdoutFailure.EXIT_IO_ERROR;
    } catch (PageFormatException e) {
      err.println("pages cat: " + pageName() + ": " + e.getMessage() + sidecarHint());
      return Main.EXIT_BAD_DATA;
    } catch (NoSuchObjectException e) {
      err.println("pages cat: " + e.getMessage());
      return 66;
    } catch (StorageException e) {
      err.println("pages cat: " + e.getMessage());
      return Main.EXIT_UNAVAILABLE;
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("pages cat: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    } catch (IOException e) {
      err.println("pages cat: cannot read " + pageName() + ": " + e.getMessage());
      return Main.EXIT_UNAVAILABLE;
    }
  }

  private String pageName() {
    return STDIN.equals(page) && config == null ? "standard input" : page;
  }

  /**
   * A file found with {@code find DIR -name '*.pb.zst'} in a filesystem store may be a page's
   * metadata sidecar, which has the page's own path under {@code .prism-meta/}: no page, so it
   * reads as corrupt. Say which file the page is.
   */
  private String sidecarHint() {
    Path file = Path.of(page).normalize();
    for (int i = 0; i < file.getNameCount() - 1; i++) {
      if (file.getName(i).toString().equals(FilesystemObjectStore.META_DIR)) {
        Path base = i == 0 ? Path.of("") : file.subpath(0, i);
        Path pagePath = base.resolve(file.subpath(i + 1, file.getNameCount()));
        if (file.isAbsolute()) {
          pagePath = file.getRoot().resolve(pagePath);
        }
        return " (a file under "
            + FilesystemObjectStore.META_DIR
            + "/ is the filesystem store's metadata of a page, not a page: the page is "
            + pagePath
            + ")";
      }
    }
    return "";
  }

  /** Streams the page: events are printed as they are decoded, so a huge page needs no memory. */
  private void print(InputStream in, String keyHint) throws IOException, PageFormatException {
    OutputStream sink = new BufferedOutputStream(new StdoutFailure.Watched(out), 1 << 16);
    try (PageCursor cursor = new PageReader().open(in, keyHint);
        JsonGenerator gen = JSON.createGenerator(sink)) {
      if (withMetadata) {
        NdjsonLines.writeMetadataLine(gen, cursor.metadata());
      }
      long sequence = 0;
      while (cursor.hasNext()) {
        NdjsonLines.writeEventLine(gen, cursor.next(), sequence++);
      }
    } finally {
      sink.flush();
    }
  }

  /**
   * A pipe cannot seek, and a JDK file stream may skip by seeking ("Illegal seek"): the decoders
   * skip what they do not read (a newer version's unknown protobuf fields), so a page streamed in
   * through a pipe is skipped through by reading.
   */
  private static final class SkipsByReading extends FilterInputStream {
    private final byte[] discard = new byte[8192];

    SkipsByReading(InputStream in) {
      super(in);
    }

    @Override
    public long skip(long n) throws IOException {
      long remaining = n;
      while (remaining > 0) {
        int read = in.read(discard, 0, (int) Math.min(discard.length, remaining));
        if (read < 0) {
          break;
        }
        remaining -= read;
      }
      return n - remaining;
    }
  }
}
