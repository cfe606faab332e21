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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/snapshotter}, run from a copy of the launcher in a directory of the test's own, with a
 * stand-in {@code java} that prints its classpath and, where a build is wanted, a stand-in {@code
 * mvn}: no real build or JVM is needed.
 */
class LauncherTest {
  @TempDir Path root;
  Path target;
  Path jar;
  Path stubs;

  @BeforeEach
  void copyTheLauncher() throws Exception {
    Path bin = Files.createDirectories(root.resolve("bin"));
    Files.copy(Path.of("bin/snapshotter"), bin.resolve("snapshotter"));
    target = root.resolve("target");
    jar = target.resolve("prism-snapshotter.jar");
    stubs = Files.createDirectories(root.resolve("stubs"));
    executable(
        Files.createDirectories(root.resolve("jdk/bin")).resolve("java"),
        "echo 'java: stderr' >&2\n"
            + "while [ $# -gt 0 ]; do [ \"$1\" = -cp ] && echo \"$2\"; shift; done");
  }

  /**
   * A build rewrites {@code target/prism-snapshotter.jar} in place (the jar plugin keeps the file),
   * under a JVM (a {@code local} started earlier) that still loads classes from it: the launcher
   * runs a copy, replaced by a rename.
   */
  @Test
  void aRebuiltJarReachesTheNextLaunchWithoutChangingTheFileARunningOneOpened() throws Exception {
    Files.createDirectories(target);
    Files.writeString(jar, "first build");
    Files.writeString(target.resolve("runtime-classpath.txt"), "deps.jar");

    Path launched = firstClasspathEntry(classpathLine(launch(true)));
    assertThat(launched).isNotEqualTo(jar);
    assertThat(launched.getParent())
        .as("in target/: local finds config/ from it")
        .isEqualTo(target);
    assertThat(Files.readString(launched)).isEqualTo("first build");

    try (InputStream running = Files.newInputStream(launched)) { // as the first JVM holds it
      Files.writeString(jar, "second build, longer", StandardOpenOption.TRUNCATE_EXISTING);
      Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));

      Path relaunched = firstClasspathEntry(classpathLine(launch(true)));
      assertThat(Files.readString(relaunched)).isEqualTo("second build, longer");
      assertThat(new String(running.readAllBytes(), StandardCharsets.UTF_8))
          .as("what the running JVM reads")
          .isEqualTo("first build");
    }
  }

  /** Two launchers started together on a fresh checkout build once, one after the other. */
  @Test
  void launchersStartedTogetherBuildOnce() throws Exception {
    Files.createDirectories(root.resolve("src/main"));
    Files.writeString(root.resolve("pom.xml"), "<project/>");
    Path builds = root.resolve("builds.log");
    executable(
        stubs.resolve("mvn"),
        "echo start >> '"
            + builds
            + "'\n"
            + "sleep 1\n"
            + "mkdir -p target && echo built > target/prism-snapshotter.jar\n"
            + "echo deps.jar > target/runtime-classpath.txt\n"
            + "echo end >> '"
            + builds
            + "'");

    Process first = start(false);
    Process second = start(false);
    for (Process launcher : List.of(first, second)) {
      assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(launcher.exitValue()).isZero();
    }

    assertThat(Files.readAllLines(builds)).containsExactly("start", "end");
    for (Process launcher : List.of(first, second)) {
      assertThat(new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .as("the JVM's stderr, after the launcher took the build lock")
          .contains("java: stderr");
    }
    assertThat(Files.readString(target.resolve("prism-snapshotter-launch.jar")))
        .isEqualTo("built\n");
  }

  private List<String> launch(boolean skipBuild) throws Exception {
    Process process = start(skipBuild);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output.lines().toList();
  }

  private Process start(boolean skipBuild) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder("bash", root.resolve("bin/snapshotter").toString(), "--version")
            .redirectErrorStream(true);
    if (skipBuild) {
      builder.environment().put("SNAPSHOTTER_SKIP_BUILD", "1");
    } else {
      builder.environment().remove("SNAPSHOTTER_SKIP_BUILD");
    }
    builder.environment().put("JAVA_HOME", root.resolve("jdk").toString());
    builder.environment().put("PATH", stubs + ":" + System.getenv("PATH"));
    return builder.start();
  }

  private static void executable(Path file, String body) throws Exception {
    Files.writeString(file, "#!/usr/bin/env bash\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** The stand-in java's classpath line; its stderr line is checked too, wherever it lands. */
  private static String classpathLine(List<String> output) {
    assertThat(output).as("the JVM's stderr reaches the caller").contains("java: stderr");
    return output.stream().filter(line -> !line.equals("java: stderr")).findFirst().orElseThrow();
  }

  private static Path firstClasspathEntry(String classpath) {
    return Path.of(classpath.split(":")[0]);
  }
}
