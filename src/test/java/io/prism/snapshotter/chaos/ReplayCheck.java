package io.prism.snapshotter.chaos;

import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.replay.EventFilter;
import io.prism.snapshotter.replay.ReplayStream;
import io.prism.snapshotter.replay.Replayer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Replays every writer through the replay API (index lookup, page fetch, repeat removal) and
 * compares with its ledger: every acknowledged event present, none twice, in the writer's order,
 * and nothing that was never sent.
 *
 * @param writer the writer id
 * @param kind how it wrote
 * @param sent events it sent (acknowledged or not)
 * @param acknowledged events acknowledged
 * @param replayed events replay returned
 * @param lost acknowledged events replay did not return
 * @param duplicates events replay returned more than once
 * @param outOfOrder places where replay returned an event before one the writer sent earlier
 * @param unknown events replay returned that the writer never sent
 */
record ReplayCheck(
    String writer,
    WriterKind kind,
    long sent,
    long acknowledged,
    long replayed,
    long lost,
    long duplicates,
    long outOfOrder,
    long unknown) {

  static List<ReplayCheck> run(SnapshotterConfig config, List<WriterLedger> ledgers) {
    List<ReplayCheck> checks = new ArrayList<>();
    try (Replayer replayer = Replayer.open(config)) {
      for (WriterLedger ledger : ledgers) {
        List<String> replayed = new ArrayList<>();
        try (ReplayStream events = replayer.replay(ledger.writerId(), EventFilter.ALL)) {
          while (events.hasNext()) {
            replayed.add(new String(events.next().event().payload(), StandardCharsets.UTF_8));
          }
        }
        checks.add(compare(ledger, replayed));
      }
    }
    return checks;
  }

  static ReplayCheck compare(WriterLedger ledger, List<String> replayed) {
    Set<String> sent = new HashSet<>(ledger.sent());
    Set<String> acknowledged = ledger.acknowledged();
    Set<String> distinct = new HashSet<>(replayed);
    long lost = acknowledged.stream().filter(e -> !distinct.contains(e)).count();
    long unknown = distinct.stream().filter(e -> !sent.contains(e)).count();
    long outOfOrder = 0;
    for (int i = 1; i < replayed.size(); i++) {
      if (WriterLedger.position(replayed.get(i)) <= WriterLedger.position(replayed.get(i - 1))) {
        outOfOrder++;
      }
    }
    return new ReplayCheck(
        ledger.writerId(),
        ledger.kind(),
        sent.size(),
        acknowledged.size(),
        replayed.size(),
        lost,
        replayed.size() - distinct.size(),
        outOfOrder,
        unknown);
  }
}
