package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/snapshotter} runs the JVM from a copy of the built jar: a build rewrites {@code
 * target/prism-snapshotter.jar} in place, under a JVM (a {@code local} started earlier) that still
 * loads classes from it. Run here in a copy of the launcher, with a stand-in {@code java} that
 * prints its classpath and a stand-in jar, so no build is needed.
 */
class LauncherJarCopyTest {
  @TempDir Path root;

  @Test
  void aRebuiltJarReachesTheNextLaunchWithoutChangingTheFileARunningOneOpened() throws Exception {
    Path bin = Files.createDirectories(root.resolve("bin"));
    Files.copy(Path.of("bin/snapshotter"), bin.resolve("snapshotter"));
    Path target = Files.createDirectories(root.resolve("target"));
    Path jar = target.resolve("prism-snapshotter.jar");
    Files.writeString(jar, "first build");
    Files.writeString(target.resolve("runtime-classpath.txt"), "deps.jar");
    Path java = Files.createDirectories(root.resolve("jdk/bin")).resolve("java");
    Files.writeString(
        java,
        "#!/usr/bin/env bash\n"
            + "while [ $# -gt 0 ]; do [ \"$1\" = -cp ] && echo \"$2\"; shift; done\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

    Path launched = firstClasspathEntry(launch());
    assertThat(launched).isNotEqualTo(jar);
    assertThat(launched.getParent())
        .as("in target/, where local looks for config/")
        .isEqualTo(target);
    assertThat(Files.readString(launched)).isEqualTo("first build");

    try (InputStream running = Files.newInputStream(launched)) { // as the first JVM holds it
      // A build rewrites the jar in place (same file, as the jar plugin does), later.
      Files.writeString(jar, "second build, longer", StandardOpenOption.TRUNCATE_EXISTING);
      Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));

      Path relaunched = firstClasspathEntry(launch());
      assertThat(Files.readString(relaunched)).isEqualTo("second build, longer");
      assertThat(new String(running.readAllBytes(), StandardCharsets.UTF_8))
          .as("what the running JVM reads")
          .isEqualTo("first build");
    }
  }

  private String launch() throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder("bash", root.resolve("bin/snapshotter").toString(), "--version")
            .redirectErrorStream(true);
    builder.environment().put("SNAPSHOTTER_SKIP_BUILD", "1");
    builder.environment().put("JAVA_HOME", root.resolve("jdk").toString());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output.strip();
  }

  private static Path firstClasspathEntry(String classpath) {
    return Path.of(classpath.split(":")[0]);
  }
}
