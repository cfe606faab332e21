package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code local}'s failures before anything starts: each a sentence, with the exit code. */
class LocalCommandTest {
  @TempDir Path dir;
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  int run(String... args) {
    LocalCommand command = new LocalCommand();
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    return new CommandLine(command).execute(args);
  }

  String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** The first part to start is the data directory, so no broker or worker runs here. */
  @Test
  void aStartFailureSaysWhatFailedWhereAndWhatToDoWithoutAClassName() throws Exception {
    Path file = Files.writeString(dir.resolve("data"), "not a directory");

    assertThat(run("--data", file.toString())).isEqualTo(Main.EXIT_UNAVAILABLE);

    assertThat(err())
        .isEqualTo(
            "local: cannot create the data directory "
                + file
                + ": it is a file, not a directory; give --data a directory this user can write"
                + System.lineSeparator());
  }

  @Test
  void freshWithTheStoreElsewhereIsABadConfigAndDeletesNothing() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path page = Files.writeString(Files.createDirectories(data.resolve("pages")).resolve("p"), "x");

    assertThat(
            run(
                "--fresh",
                "--data",
                data.toString(),
                "--set",
                "storage.backend=s3",
                "--set",
                "storage.s3.bucket=b"))
        .isEqualTo(Main.EXIT_BAD_CONFIG);

    assertThat(err())
        .startsWith("local: --fresh deletes only " + data)
        .contains("the store (storage.backend=s3)");
    assertThat(page).hasContent("x");
  }

  /**
   * The connector's settings are checked as the worker would, before a broker starts for them: a
   * misspelt key is refused naming the key meant, with every other problem, and nothing is made.
   */
  @Test
  void badConnectorSettingsAreRefusedBeforeAnythingStarts() {
    Path data = dir.resolve("data");

    assertThat(
            run(
                "--data",
                data.toString(),
                "--set",
                "buffer.max.evnts=5",
                "--set",
                "page.compression=lz4"))
        .isEqualTo(Main.EXIT_BAD_CONFIG);

    assertThat(err())
        .startsWith("local: the connector's settings are not valid: ")
        .contains(
            "buffer.max.evnts is not a setting of this version of the connector; did you mean"
                + " buffer.max.events?")
        .contains("page.compression")
        .contains("lz4")
        .endsWith("; fix them in --config FILE or with --set KEY=VALUE" + System.lineSeparator());
    assertThat(data).doesNotExist();
  }
}
