package io.prism.snapshotter.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/** Everything a chaos run measured, and whether the guarantees held. */
record ChaosResult(
    Instant startedAt,
    Duration duration,
    List<ReplayCheck> writers,
    List<FaultRecord> faults,
    OptionalDouble baselineCatchUpSeconds,
    OptionalDouble finalCatchUpSeconds,
    StorageCheck storage,
    List<String> overwrittenPages,
    long refusedWrites,
    long zombieRefusedWrites,
    List<HeapPeaks> heaps,
    List<String> unexpectedExits,
    int minimumWorkerKills,
    List<TaskDoctor.TaskFailure> taskFailures,
    boolean allTasksRunningAtEnd) {

  long total(java.util.function.ToLongFunction<ReplayCheck> figure) {
    return writers.stream().mapToLong(figure).sum();
  }

  long faults(FaultKind kind) {
    return faults.stream().filter(f -> f.kind() == kind).count();
  }

  /** Each broken guarantee, in words; empty when the run passed. */
  List<String> failures() {
    List<String> failures = new ArrayList<>();
    check(
        failures,
        total(ReplayCheck::lost) == 0,
        total(ReplayCheck::lost) + " acknowledged events lost");
    check(
        failures,
        total(ReplayCheck::duplicates) == 0,
        total(ReplayCheck::duplicates) + " events replayed more than once");
    check(
        failures,
        total(ReplayCheck::outOfOrder) == 0,
        total(ReplayCheck::outOfOrder) + " events out of order");
    check(
        failures,
        total(ReplayCheck::unknown) == 0,
        total(ReplayCheck::unknown) + " replayed events never sent");
    check(failures, total(ReplayCheck::acknowledged) > 0, "no event was acknowledged");
    check(
        failures,
        finalCatchUpSeconds.isPresent(),
        "the connector never caught up after the faults");
    check(
        failures,
        storage.pagesNotIndexed() == 0,
        storage.pagesNotIndexed() + " stored pages not indexed");
    check(
        failures,
        storage.pagesIndexedTwice() == 0,
        storage.pagesIndexedTwice() + " pages indexed twice");
    check(
        failures,
        storage.entriesWithoutPage() == 0,
        storage.entriesWithoutPage() + " index entries without a page");
    check(
        failures,
        overwrittenPages.isEmpty(),
        overwrittenPages.size() + " pages overwritten: " + overwrittenPages);
    for (HeapPeaks heap : heaps) {
      check(
          failures,
          heap.withinBudget(ChaosDeployment.WORKER_HEAP_MB),
          heap.worker()
              + "'s heap "
              + heap.peakUsedMb()
              + " MB used / "
              + heap.peakCommittedMb()
              + " MB committed, over its "
              + ChaosDeployment.WORKER_HEAP_MB
              + " MB budget (or no GC log)");
    }
    check(
        failures,
        allTasksRunningAtEnd,
        "the connector's two tasks were not both RUNNING at the end");
    check(
        failures, unexpectedExits.isEmpty(), "processes exited by themselves: " + unexpectedExits);
    check(
        failures,
        faults(FaultKind.WORKER_KILL) >= minimumWorkerKills,
        faults(FaultKind.WORKER_KILL) + " worker kills, fewer than " + minimumWorkerKills);
    for (FaultKind kind : FaultKind.values()) {
      check(failures, faults(kind) > 0, "no " + kind + " fault was injected");
    }
    check(
        failures,
        faults.stream().allMatch(f -> f.caughtUpSeconds().isPresent()),
        "the connector did not catch up after every fault within the limit");
    return failures;
  }

  boolean passed() {
    return failures().isEmpty();
  }

  private static void check(List<String> failures, boolean holds, String otherwise) {
    if (!holds) {
      failures.add(otherwise);
    }
  }
}
