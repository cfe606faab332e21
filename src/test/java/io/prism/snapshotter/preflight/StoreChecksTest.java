package io.prism.snapshotter.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.preflight.Check.Outcome;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.ForwardingObjectStore;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.ObjectAlreadyExistsException;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.PutOptions;
import io.prism.snapshotter.storage.PutResult;
import io.prism.snapshotter.storage.StorageException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreChecksTest {
  private static final long NOW = 1_795_000_000_000L;
  @TempDir Path dir;

  @Test
  void aStoreThatWorksAsTheSinkNeedsPassesEveryCheckAndKeepsNoProbe() throws Exception {
    FilesystemObjectStore store = new FilesystemObjectStore(dir);
    List<Check> checks = StoreChecks.run(store, KeyTemplate.parse(KeyTemplate.DEFAULT), NOW);

    assertThat(checks)
        .extracting(Check::name)
        .containsExactly("write", "create-only", "read", "list", "delete");
    assertThat(checks)
        .allMatch(check -> check.outcome() == Outcome.PASSED, "all passed: " + checks);
    assertThat(checks.get(0).detail())
        .as("the probe key is the template's")
        .contains("snapshots/2026/");
    assertThat(store.list("", 100, null).objects()).as("no probe left behind").isEmpty();
    try (var left = java.nio.file.Files.list(dir)) {
      assertThat(left)
          .as("nor any directory: the sink, maybe another user, makes its own")
          .isEmpty();
    }
  }

  @Test
  void aStoreThatIgnoresCreateOnlyFailsThatCheckAndSaysWhatItRisks() {
    ObjectStore overwriting =
        new ForwardingObjectStore(new FilesystemObjectStore(dir)) {
          @Override
          public PutResult put(String key, InputStream body, long length, PutOptions options) {
            return delegate.put(
                key, body, length, PutOptions.defaults()); // drops If-None-Match, as some stores do
          }
        };
    List<Check> checks = StoreChecks.run(overwriting, KeyTemplate.parse(KeyTemplate.DEFAULT), NOW);

    Check createOnly =
        checks.stream()
            .filter(check -> check.name().equals("create-only"))
            .findFirst()
            .orElseThrow();
    assertThat(createOnly.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(createOnly.detail()).contains("REPLACED", "overwrite a newer page");
    assertThat(checks)
        .filteredOn(check -> check.name().equals("read"))
        .extracting(Check::outcome)
        .containsExactly(Outcome.SKIPPED);
    assertThat(checks)
        .filteredOn(check -> check.name().equals("delete"))
        .extracting(Check::outcome)
        .containsExactly(Outcome.PASSED);
    assertThat(overwriting.list("", 100, null).objects())
        .as("the probe is deleted all the same")
        .isEmpty();
  }

  @Test
  void aSecondWriteFailingForAnotherReasonFailsCreateOnlyWithThatReasonAndStillReadsTheProbe() {
    int[] puts = {0};
    ObjectStore flaky =
        new ForwardingObjectStore(new FilesystemObjectStore(dir)) {
          @Override
          public PutResult put(String key, InputStream body, long length, PutOptions options) {
            if (++puts[0] == 2) {
              throw new StorageException("put of '" + key + "' failed: connection reset", true);
            }
            return delegate.put(key, body, length, options);
          }
        };
    List<Check> checks = StoreChecks.run(flaky, KeyTemplate.parse(KeyTemplate.DEFAULT), NOW);

    assertThat(checks)
        .extracting(Check::name, Check::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("write", Outcome.PASSED),
            org.assertj.core.groups.Tuple.tuple("create-only", Outcome.FAILED),
            org.assertj.core.groups.Tuple.tuple("read", Outcome.PASSED),
            org.assertj.core.groups.Tuple.tuple("list", Outcome.PASSED),
            org.assertj.core.groups.Tuple.tuple("delete", Outcome.PASSED));
    assertThat(checks.get(1).detail()).contains("connection reset").doesNotContain("REPLACED");
  }

  /**
   * The first write's first attempt stored the probe but its answer was lost; the SDK's retry was
   * refused (412) because the key now exists. The object there is the probe: the write passed.
   */
  @Test
  void aProbeWriteRefusedAfterItsOwnFirstAttemptStoredItPassesAndTheProbeIsDeleted() {
    int[] puts = {0};
    ObjectStore retriedAfterALostAnswer =
        new ForwardingObjectStore(new FilesystemObjectStore(dir)) {
          @Override
          public PutResult put(String key, InputStream body, long length, PutOptions options) {
            PutResult stored = delegate.put(key, body, length, options);
            if (++puts[0] == 1) {
              throw new ObjectAlreadyExistsException(
                  "create-only put of '" + key + "': the key already exists (HTTP 412)", null);
            }
            return stored;
          }
        };
    List<Check> checks =
        StoreChecks.run(retriedAfterALostAnswer, KeyTemplate.parse(KeyTemplate.DEFAULT), NOW);

    assertThat(checks)
        .allMatch(check -> check.outcome() == Outcome.PASSED, "all passed: " + checks);
    assertThat(checks.get(0).detail()).contains("its first attempt had stored the probe");
    assertThat(retriedAfterALostAnswer.list("", 100, null).objects())
        .as("no probe left behind")
        .isEmpty();
  }

  @Test
  void aProbeWriteRefusedOverAnotherObjectFailsAndLeavesThatObjectAlone() {
    byte[] foreign = "another writer's object".getBytes(StandardCharsets.UTF_8);
    ObjectStore taken =
        new ForwardingObjectStore(new FilesystemObjectStore(dir)) {
          @Override
          public PutResult put(String key, InputStream body, long length, PutOptions options) {
            delegate.put(key, new ByteArrayInputStream(foreign), foreign.length, options);
            throw new ObjectAlreadyExistsException(
                "create-only put of '" + key + "': the key already exists (HTTP 412)", null);
          }
        };
    List<Check> checks = StoreChecks.run(taken, KeyTemplate.parse(KeyTemplate.DEFAULT), NOW);

    assertThat(checks.get(0).outcome()).isEqualTo(Outcome.FAILED);
    assertThat(checks.get(0).detail())
        .contains("the key already exists", foreign.length + " bytes) is not the probe");
    assertThat(checks.subList(1, checks.size()))
        .extracting(Check::outcome)
        .containsOnly(Outcome.SKIPPED);
    assertThat(taken.list("", 100, null).objects()).as("the other object stays").hasSize(1);
  }

  @Test
  void aStoreThatCannotBeWrittenFailsTheWriteWithItsReasonAndSkipsTheRest() {
    ObjectStore readOnly =
        new ForwardingObjectStore(new FilesystemObjectStore(dir)) {
          @Override
          public PutResult put(String key, InputStream body, long length, PutOptions options) {
            throw new StorageException("put of '" + key + "' failed: Access Denied (403)", false);
          }
        };
    List<Check> checks =
        StoreChecks.run(readOnly, KeyTemplate.parse("pages/{writer_id}/{start_offset}"), NOW);

    assertThat(checks.get(0).outcome()).isEqualTo(Outcome.FAILED);
    assertThat(checks.get(0).detail()).contains("Access Denied", "pages/_prism-check-");
    assertThat(checks.subList(1, checks.size()))
        .extracting(Check::outcome)
        .containsOnly(Outcome.SKIPPED);
  }

  @Test
  void readOnlyChecksListAndReadUnderTheTemplatePrefixAndNeverWrite() {
    FilesystemObjectStore files = new FilesystemObjectStore(dir);
    ObjectStore noWrites =
        new ForwardingObjectStore(files) {
          @Override
          public PutResult put(String key, InputStream body, long length, PutOptions options) {
            throw new AssertionError("a read-only check wrote " + key);
          }
        };
    KeyTemplate keys = KeyTemplate.parse(KeyTemplate.DEFAULT);
    assertThat(StoreChecks.runReadOnly(noWrites, keys))
        .extracting(Check::name, Check::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("list", Outcome.PASSED),
            org.assertj.core.groups.Tuple.tuple("read", Outcome.SKIPPED));

    byte[] page = "a page".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    files.put(
        "elsewhere/x", new java.io.ByteArrayInputStream(page), page.length, PutOptions.defaults());
    files.put(
        "snapshots/2026/w/p",
        new java.io.ByteArrayInputStream(page),
        page.length,
        PutOptions.defaults());
    List<Check> checks = StoreChecks.runReadOnly(noWrites, keys);
    assertThat(checks)
        .allMatch(check -> check.outcome() == Outcome.PASSED, "all passed: " + checks);
    assertThat(checks.get(0).detail()).contains("under 'snapshots/'", "found snapshots/2026/w/p");
    assertThat(checks.get(1).detail()).contains("read the first 6 bytes of snapshots/2026/w/p");
  }
}
