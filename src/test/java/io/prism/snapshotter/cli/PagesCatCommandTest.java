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
}
