package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad options of publish: each named with what is wrong, no stack trace, nothing sent. */
class PublishCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int publish(String... args) {
    PublishCommand command =
        new PublishCommand(
            new ByteArrayInputStream("hello\n".getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    CommandLine line = new CommandLine(command);
    line.setErr(new java.io.PrintWriter(new PrintStream(err, true, StandardCharsets.UTF_8), true));
    return line.execute(args);
  }

  private String errors() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aMissingTokenFileIsNamedWithItsOption() {
    Path absent = dir.resolve("absent.token");
    assertThat(
            publish("--writer", "w", "--target", "127.0.0.1:1", "--token-file", absent.toString()))
        .isEqualTo(PublishCommand.EXIT_USAGE);
    assertThat(errors()).contains("publish: --token-file " + absent + ": no such file");
    assertThat(errors()).doesNotContain("\tat ");
  }

  @Test
  void aMissingCaFileIsNamedWithItsOption() {
    Path absent = dir.resolve("absent.pem");
    assertThat(publish("--writer", "w", "--target", "127.0.0.1:1", "--tls-ca", absent.toString()))
        .isEqualTo(PublishCommand.EXIT_USAGE);
    assertThat(errors()).contains("publish: --tls-ca " + absent + ": no such file");
    assertThat(errors()).doesNotContain("\tat ");
  }

  @Test
  void anEmptyTokenFileIsSaidSo() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.token"), "\n\n");
    assertThat(
            publish("--writer", "w", "--target", "127.0.0.1:1", "--token-file", empty.toString()))
        .isEqualTo(PublishCommand.EXIT_NO_INPUT);
    assertThat(errors()).contains("publish: " + empty + ": no token in the file");
    assertThat(errors()).doesNotContain("\tat ");
    assertThat(out.size()).isZero();
  }

  @Test
  void aDeadlineThatIsNotPositiveIsABadOption() {
    assertThat(publish("--writer", "w", "--target", "127.0.0.1:1", "--deadline-ms", "0"))
        .isEqualTo(PublishCommand.EXIT_USAGE);
    assertThat(errors()).contains("--deadline-ms must be a positive number");
  }

  @Test
  void aTargetThatDoesNotResolveIsOneAnswerLineNotALoggedStackTrace() {
    List<LogRecord> logged = new CopyOnWriteArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
              logged.add(record);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger grpc = Logger.getLogger("io.grpc");
    grpc.addHandler(capture);
    try {
      assertThat(publish("--writer", "w", "--target", "no-such-host.invalid:50051")).isEqualTo(1);
    } finally {
      grpc.removeHandler(capture);
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("UNAVAILABLE: ");
    assertThat(logged).as("gRPC's own warnings (with stack traces) on stderr").isEmpty();
  }
}
