package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Only the front door knows gRPC: no other main package imports {@code io.grpc}. */
class GrpcImportRuleTest {
  private static final Path MAIN = Path.of("src/main/java/io/prism/snapshotter");

  @Test
  void onlyTheFrontdoorPackageImportsGrpc() throws IOException {
    List<Path> offenders;
    try (Stream<Path> sources = Files.walk(MAIN)) {
      offenders =
          sources
              .filter(path -> path.toString().endsWith(".java"))
              .filter(path -> !MAIN.relativize(path).startsWith("frontdoor"))
              .filter(GrpcImportRuleTest::importsGrpc)
              .toList();
    }
    assertThat(offenders).as("main sources outside frontdoor that import io.grpc").isEmpty();
    try (Stream<Path> frontdoor = Files.list(MAIN.resolve("frontdoor"))) {
      assertThat(frontdoor.anyMatch(GrpcImportRuleTest::importsGrpc))
          .as("the rule looks at real sources")
          .isTrue();
    }
  }

  private static boolean importsGrpc(Path source) {
    try {
      return Files.readAllLines(source).stream()
          .anyMatch(line -> line.startsWith("import io.grpc."));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
