package io.prism.snapshotter.compact;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempFileLeftoversTest {
  @TempDir Path dir;

  /** The pid of a process that has ended. */
  static long endedPid() throws Exception {
    Process process = new ProcessBuilder("true").start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    long pid = process.pid();
    assertThat(ProcessHandle.of(pid)).isEmpty();
    return pid;
  }

  Path file(String name) throws Exception {
    return Files.writeString(dir.resolve(name), "entries");
  }

  @Test
  void theFilesOfEndedProcessesGoAndThoseOfRunningOnesStay() throws Exception {
    Path ended = file("prism-compact-plan-" + endedPid() + "-123456.entries");
    Path ours = file("prism-compact-plan-" + ProcessHandle.current().pid() + "-987.entries");
    Path unrelated = file("prism-compact-plan-notes.txt");
    Path otherTool = file("something-else-1-2.entries");

    assertThat(TempFileLeftovers.sweep(dir, Instant.now())).isEqualTo(1);

    assertThat(ended).doesNotExist();
    assertThat(ours).exists();
    assertThat(unrelated).exists();
    assertThat(otherTool).exists();
  }

  @Test
  void filesOfTheOlderNameWithoutAProcessIdGoOnlyOnceADayOld() throws Exception {
    Instant now = Instant.now();
    Path old = file("prism-compact-plan-4242424242.entries");
    Path recent = file("prism-compact-plan-5353535353.entries");
    Files.setLastModifiedTime(old, FileTime.from(now.minus(Duration.ofHours(25))));
    Files.setLastModifiedTime(recent, FileTime.from(now.minus(Duration.ofHours(2))));

    assertThat(TempFileLeftovers.sweep(dir, now)).isEqualTo(1);

    assertThat(old).doesNotExist();
    assertThat(recent).exists();
  }

  @Test
  void aNewFileCarriesThisProcesssIdSoNoOtherRunDeletesItWhileItRuns() throws Exception {
    Path created = TempFileLeftovers.create();
    try {
      assertThat(created.getFileName().toString())
          .startsWith("prism-compact-plan-" + ProcessHandle.current().pid() + "-")
          .endsWith(".entries");
      assertThat(TempFileLeftovers.sweep(created.getParent(), Instant.now())).isZero();
      assertThat(created).exists();
    } finally {
      Files.deleteIfExists(created);
    }
  }

  @Test
  void aDirectoryThatCannotBeReadIsNoFailure() {
    assertThat(TempFileLeftovers.sweep(dir.resolve("not-there"), Instant.now())).isZero();
  }
}
