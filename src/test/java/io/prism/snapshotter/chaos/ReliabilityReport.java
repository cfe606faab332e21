package io.prism.snapshotter.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/** Writes a chaos run's figures as docs/RELIABILITY.md. */
final class ReliabilityReport {
  private ReliabilityReport() {}

  static void write(ChaosResult r, Path file) throws IOException {
    StringBuilder md = new StringBuilder();
    List<String> failures = r.failures();
    md.append("# Reliability under faults\n\n");
    md.append("Written by `bin/chaos --minutes ")
        .append(r.duration().toMinutes())
        .append("` (")
        .append(r.startedAt())
        .append("); every figure below is measured by that run, none edited by hand. ")
        .append("Result: **")
        .append(failures.isEmpty() ? "PASSED" : "FAILED")
        .append("**");
    if (!failures.isEmpty()) {
      md.append(" — ").append(String.join("; ", failures));
    }
    md.append(".\n\n");
    md.append(
        """
        ## What runs

        Everything as a user deploys it, each a separate process on loopback: a Kafka 4.3.1 broker
        (KRaft, `kafka.Kafka` with a generated server.properties), **two Connect workers in distributed
        mode** (`ConnectDistributed`, `-Xmx384m` each) with the unpacked `target/prism-snapshotter-plugin.zip`
        on their `plugin.path`, the connector configured over REST (`tasks.max=2`, 4 partitions,
        storage `s3`, index `clickhouse`, `index.publish.mode=sync`, pages close at 200 events or 2 s),
        **S3Proxy** (standalone jar, filesystem backend), **ClickHouse** (Debian's 18.16) and the
        **front door** (`bin/snapshotter frontdoor`). Writers of four kinds write a known set of
        events (`<writer>-0, <writer>-1, ...`, each payload also its `prism.event_id`), each retrying an
        unacknowledged call with the same ids until it is acknowledged: front-door `Publish` (one event
        per call), `BatchPublish` (20), `PublishSession` (50 per session) and a plain Kafka producer
        (idempotent, `acks=all`). Meanwhile the faults below are injected. At the end the writers stop,
        the run waits until the connector has committed everything in Kafka, then replays every writer
        through the replay API, reads every page in the bucket and compares the ClickHouse index with it.

        """);

    md.append("## Events\n\n");
    md.append(
        "| writer kind | writers | events sent | acknowledged | replayed | **lost** | **duplicates in replay** | out of order | never sent |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (WriterKind kind : WriterKind.values()) {
      List<ReplayCheck> of = r.writers().stream().filter(w -> w.kind() == kind).toList();
      md.append(
          row(
              kind.name().toLowerCase(Locale.ROOT),
              of.size(),
              sum(of, ReplayCheck::sent),
              sum(of, ReplayCheck::acknowledged),
              sum(of, ReplayCheck::replayed),
              sum(of, ReplayCheck::lost),
              sum(of, ReplayCheck::duplicates),
              sum(of, ReplayCheck::outOfOrder),
              sum(of, ReplayCheck::unknown)));
    }
    md.append(
        row(
            "**all**",
            r.writers().size(),
            r.total(ReplayCheck::sent),
            r.total(ReplayCheck::acknowledged),
            r.total(ReplayCheck::replayed),
            r.total(ReplayCheck::lost),
            r.total(ReplayCheck::duplicates),
            r.total(ReplayCheck::outOfOrder),
            r.total(ReplayCheck::unknown)));
    md.append(
        "\n\"Sent\" counts each event once however often it was retried; an event sent but never "
            + "acknowledged (the writer stopped while the call was failing) may or may not be replayed, "
            + "and either is correct.\n\n");

    md.append("## Faults injected, and recovery\n\n");
    md.append(
        "| fault | count | down (s, mean) | front door answering again (s, median / max) | connector caught up (s, median / max) |\n");
    md.append("|---|---:|---:|---:|---:|\n");
    for (FaultKind kind : FaultKind.values()) {
      List<FaultRecord> of = r.faults().stream().filter(f -> f.kind() == kind).toList();
      md.append("| ")
          .append(kind.description())
          .append(" | ")
          .append(of.size())
          .append(" | ")
          .append(
              of.isEmpty()
                  ? "–"
                  : fmt(of.stream().mapToDouble(FaultRecord::outageSeconds).average().orElse(0)))
          .append(" | ")
          .append(spread(of.stream().map(FaultRecord::frontDoorBackSeconds).toList()))
          .append(" | ")
          .append(spread(of.stream().map(FaultRecord::caughtUpSeconds).toList()))
          .append(" |\n");
    }
    md.append(
            "\n*Connector caught up*: from the end of the outage (the process restarted or resumed) until the "
                + "connector's consumer group had committed every record that was in Kafka at that moment — and it "
                + "commits a record only once its page is stored and indexed. The same measure with no fault, "
                + "before the first one: **")
        .append(
            r.baselineCatchUpSeconds().isPresent()
                ? fmt(r.baselineCatchUpSeconds().getAsDouble()) + " s"
                : "not measured")
        .append(
            "** (pages close after 2 s, offsets are committed every second). After the last fault and the "
                + "writers' stop, everything was committed within ")
        .append(
            r.finalCatchUpSeconds().isPresent()
                ? fmt(r.finalCatchUpSeconds().getAsDouble()) + " s"
                : "—")
        .append(
            ". *Front door answering again*: from the restart until the next acknowledged front-door call. "
                + "The rarer faults come one at a time: the next one waits until the connector caught up. Worker "
                + "kills come every 8 s, faster than the groups settle (each kill and restart rebalances both the "
                + "worker group and the task's consumer group), so their figure runs until the series pauses for "
                + "one of the rarer faults; it says how long the connector lags behind under a kill every 8 s, "
                + "not how long one kill takes.\n\n");

    md.append("## Tasks Connect reported FAILED\n\n");
    if (r.taskFailures().isEmpty()) {
      md.append("None: no task failed for good during the run.\n\n");
    } else {
      md.append(
          "Connect does not restart a FAILED task by itself; the run restarts it over REST, as an operator's "
              + "monitoring would (`POST /connectors/.../tasks/<id>/restart`), and counts it here. Nothing is lost "
              + "(a failed task commits no further offset; its partitions go to the other task, or wait for the "
              + "restart when both failed), but each one is work for an operator.\n\n");
      md.append("| at (s) | task | first line of the trace |\n|---:|---:|---|\n");
      for (TaskDoctor.TaskFailure f : r.taskFailures()) {
        md.append("| ")
            .append(fmt(f.atSeconds()))
            .append(" | ")
            .append(f.task())
            .append(" | ")
            .append(f.reason().replace("|", "\\|"))
            .append(" |\n");
      }
      md.append('\n');
    }
    md.append("Both tasks RUNNING at the end: ")
        .append(r.allTasksRunningAtEnd() ? "yes" : "**no**")
        .append(".\n\n");

    StorageCheck s = r.storage();
    md.append("## Pages in storage and in the index\n\n");
    md.append("| figure | value |\n|---|---:|\n");
    md.append("| pages stored | ").append(s.pages()).append(" |\n");
    md.append("| events in pages, copies included | ").append(s.eventsStored()).append(" |\n");
    md.append("| **duplicate events in storage** (extra copies of an event id across pages) | ")
        .append(s.eventsStoredTwice())
        .append(" |\n");
    md.append("| pages holding such a copy | ").append(s.pagesWithRepeats()).append(" |\n");
    md.append("| pages in the index (after merging) | ").append(s.indexEntries()).append(" |\n");
    md.append("| index rows before ClickHouse merged re-published entries | ")
        .append(s.indexRows())
        .append(" |\n");
    md.append("| **stored pages not indexed** holding an event no indexed page holds | ")
        .append(s.pagesNotIndexed())
        .append(" |\n");
    md.append("| stored pages not indexed whose every event an indexed page holds (redundant) | ")
        .append(s.redundantPagesNotIndexed())
        .append(" |\n");
    md.append("| pages indexed more than once | ").append(s.pagesIndexedTwice()).append(" |\n");
    md.append("| index entries without a page | ").append(s.entriesWithoutPage()).append(" |\n");
    md.append("| **pages overwritten** (listing watched every 3 s) | ")
        .append(r.overwrittenPages().size())
        .append(" |\n");
    md.append("| create-only writes refused (page already there), all workers | ")
        .append(r.refusedWrites())
        .append(" |\n");
    md.append("| of those, by the frozen worker after it resumed (the zombie) | ")
        .append(r.zombieRefusedWrites())
        .append(" |\n");
    md.append(
        "\nDuplicate events in storage are expected after a crash or a revocation (README, \"Limits and "
            + "known gaps\"): a page re-formed differently after the task restarted from the committed offset "
            + "repeats events an earlier page already holds. Replay drops them by event id, which is why the "
            + "duplicates in replay above are the figure that must be 0. Redundant pages not indexed come the same "
            + "way: a task died between storing a page and indexing it (a ClickHouse outage widens that window to "
            + "the whole outage, since tasks keep storing pages while they wait for the index), and the re-delivered "
            + "records formed pages with other boundaries. Since a task asks the index which of a partition's pages "
            + "are stored when it is assigned the partition, re-delivered records keep their writer's page "
            + "boundaries, so such a page is met again under its own key and indexed then (README, guarantee 2); "
            + "what is left needs a second fault before the re-formed page is stored. A task that was frozen and lost "
            + "its partitions (the zombie) drops the pages it buffered when, as Connect closes the partitions, the "
            + "index shows a page of the new owner holding one of their records "
            + "(`snapshotter_records_left_to_new_owner_total`); it still stores copies when the new owner has not "
            + "stored such a page yet, and the pages it had already handed to its upload threads are stored or "
            + "refused (the zombie's refused writes above). They cost storage, not "
            + "correctness, and are counted, not "
            + "failed; `reindex` would index them (replay drops their events as repeats). A stored page not indexed "
            + "that holds an event no indexed page holds fails the run.\n\n");

    md.append("## Worker heap (budget ")
        .append(ChaosDeployment.WORKER_HEAP_MB)
        .append(" MB each)\n\n");
    md.append(
        "| worker | starts' GC logs: collections | peak used before a GC (MB) | peak live after a GC (MB) | peak committed (MB) | within budget |\n");
    md.append("|---|---:|---:|---:|---:|---|\n");
    for (HeapPeaks h : r.heaps()) {
      md.append("| ")
          .append(h.worker())
          .append(" | ")
          .append(h.collections())
          .append(" | ")
          .append(h.peakUsedMb())
          .append(" | ")
          .append(h.peakLiveMb())
          .append(" | ")
          .append(h.peakCommittedMb())
          .append(" | ")
          .append(h.withinBudget(ChaosDeployment.WORKER_HEAP_MB) ? "yes" : "**no**")
          .append(" |\n");
    }
    md.append(
        "\nRead from each worker start's `-Xlog:gc` file (written as the JVM runs, so a SIGKILL "
            + "loses nothing); the workers run with `-XX:+ExitOnOutOfMemoryError`, and no process exited by itself"
            + (r.unexpectedExits().isEmpty()
                ? ""
                : " — **except**: " + String.join("; ", r.unexpectedExits()))
            + ".\n\n");
    md.append(
        "## Reproduce\n\n`bin/chaos --minutes 10` (about 15 minutes in all; needs root or ClickHouse installed). "
            + "`bin/test` runs a 3-minute variant (`ChaosIT`), which checks the same guarantees with fewer worker kills.\n");
    md.append(
        "\n## Fuzzing\n\nThe page reader, the NDJSON code, the key template and the front door's request validation "
            + "run under Jazzer in every `bin/test`: [FUZZING.md](FUZZING.md).\n");
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, md.toString());
  }

  private static long sum(
      List<ReplayCheck> checks, java.util.function.ToLongFunction<ReplayCheck> figure) {
    return checks.stream().mapToLong(figure).sum();
  }

  private static String row(Object... cells) {
    StringBuilder line = new StringBuilder("|");
    for (Object cell : cells) {
      line.append(' ').append(cell).append(" |");
    }
    return line.append('\n').toString();
  }

  private static String spread(List<OptionalDouble> values) {
    if (values.stream().allMatch(OptionalDouble::isEmpty)) {
      return "–";
    }
    long missing = values.stream().filter(OptionalDouble::isEmpty).count();
    double[] v =
        values.stream()
            .filter(OptionalDouble::isPresent)
            .mapToDouble(OptionalDouble::getAsDouble)
            .sorted()
            .toArray();
    String text = fmt(v[v.length / 2]) + " / " + fmt(Arrays.stream(v).max().orElse(0));
    return missing == 0 ? text : text + " (" + missing + " not within the limit)";
  }

  private static String fmt(double seconds) {
    return String.format(Locale.ROOT, "%.1f", seconds);
  }
}
