package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageEncoder;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.page.PageSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PagesCatCommandTest {
  @TempDir Path dir;
  private Path page;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  /** A page of 5,000 events: its NDJSON is larger than the command's 64 KiB output buffer. */
  @BeforeEach
  void writePage() throws IOException {
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      events.add(
          new Event(
              "e-" + i,
              1_700_000_000_000L + i,
              ("p" + i).getBytes(StandardCharsets.UTF_8),
              Map.of()));
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new PageEncoder()
        .encode(
            PageFormat.PROTOBUF, Compression.ZSTD, new PageSpec("w", 0, Map.of()), events, bytes);
    page = dir.resolve("page.pb.zst");
    Files.write(page, bytes.toByteArray());
  }

  private int run(OutputStream stdout, String... args) {
    PagesCatCommand command = new PagesCatCommand();
    command.out = stdout;
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    return new CommandLine(command).execute(args);
  }

  @Test
  void printsEveryEvent() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(run(out, page.toString())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).split("\n")).hasSize(5000);
  }

  /** '-' is standard input: a page piped from another tool, told apart by its bytes alone. */
  @Test
  void aPageOnStandardInputIsDecoded() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PagesCatCommand command = new PagesCatCommand();
    command.out = out;
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    command.stdin = new java.io.ByteArrayInputStream(Files.readAllBytes(page));
    assertThat(new CommandLine(command).execute("-")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).split("\n"))
        .hasSize(5000)
        .startsWith(
            "{\"event_id\":\"e-0\",\"timestamp\":1700000000000,\"payload\":\"cDA=\","
                + "\"attributes\":{},\"sequence\":0}");

    PagesCatCommand corrupt = new PagesCatCommand();
    corrupt.out = new ByteArrayOutputStream();
    corrupt.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    corrupt.stdin = new java.io.ByteArrayInputStream("not a page".getBytes(StandardCharsets.UTF_8));
    assertThat(new CommandLine(corrupt).execute("-")).isEqualTo(Main.EXIT_BAD_DATA);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("pages cat: standard input: ");
  }

  /** A named pipe (or a shell's <(...)) is read as a file is, not said to be missing. */
  @Test
  void aNamedPipeIsRead() throws Exception {
    Path fifo = dir.resolve("page-fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    Thread writer =
        new Thread(
            () -> {
              try {
                Files.write(fifo, Files.readAllBytes(page));
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    writer.start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(run(out, fifo.toString())).as(() -> err.toString(StandardCharsets.UTF_8)).isZero();
    writer.join(10_000);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(out.toString(StandardCharsets.UTF_8).split("\n")).hasSize(5000);
  }

  @Test
  void aStdoutThatCannotBeWrittenExitsWith74AndSaysSo() {
    assertThat(run(new FailingStdout(1000, FailingStdout.DISK_FULL), page.toString()))
        .isEqualTo(74);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("pages cat: cannot write to stdout: No space left on device");
  }

  @Test
  void aReaderThatStopsReadingEndsQuietly() {
    assertThat(run(new FailingStdout(1000, FailingStdout.BROKEN_PIPE), page.toString())).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  /** It used to say "no such file" of a directory that is there. */
  @Test
  void aDirectoryIsSaidToBeOneNotMissing() {
    assertThat(run(new ByteArrayOutputStream(), dir.toString())).isEqualTo(66);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("pages cat: " + dir + " is a directory: give one page file in it")
        .doesNotContain("no such file");
  }

  /**
   * {@code find data/pages -name '*.pb.zst'} also finds the filesystem store's metadata sidecars
   * (same path under .prism-meta/): reading one is refused as corrupt, and the error says which
   * file the page is.
   */
  @Test
  void aMetadataSidecarIsToldApartFromItsPage() throws IOException {
    Path sidecar = dir.resolve(".prism-meta/snapshots/w/page.pb.zst");
    Files.createDirectories(sidecar.getParent());
    Files.writeString(sidecar, "{\"contentType\":\"application/x-protobuf\"}");
    assertThat(run(new ByteArrayOutputStream(), sidecar.toString())).isEqualTo(65);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "(a file under .prism-meta/ is the filesystem store's metadata of a page, not a page:"
                + " the page is "
                + dir.resolve("snapshots/w/page.pb.zst")
                + ")");
  }

  /**
   * A key read from a mistyped storage.filesystem.path: cat made the directory and said "no such
   * page" (66), as for a key that is not in the right store.
   */
  @Test
  void aStoreDirectoryThatIsNotThereIsABadConfigAndIsNotCreated() throws IOException {
    Path absent = dir.resolve("typo/pages");
    Path config = dir.resolve("cat.properties");
    Files.writeString(config, "storage.filesystem.path=" + absent + "\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(run(out, "--config", config.toString(), "w/page.pb.zst")).isEqualTo(78);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "pages cat: storage.filesystem.path="
                + absent
                + " does not exist (nothing was ever stored there; check the path, or give the"
                + " --config the connector runs with)\n");
    assertThat(out.size()).isZero();
    assertThat(absent.getParent()).doesNotExist();
  }
}
