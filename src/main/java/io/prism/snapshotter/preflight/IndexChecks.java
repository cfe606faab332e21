package io.prism.snapshotter.preflight;

import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.util.Counted;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The page index used as the sink and replay use it: a writer's entries read, one probe entry
 * published (as the sink publishes a stored page's), read back, and removed (as compaction removes
 * the entries of pages it merged). The probe entry names writer {@code _prism-check-<uuid>} and a
 * page key that does not exist; ClickHouse applies the removal in the background, shortly after.
 */
public final class IndexChecks {
  static final String SUBJECT = "index";

  private IndexChecks() {}

  /** Only the read: what replay and {@code pages list} need, with read-only credentials. */
  public static List<Check> runReadOnly(PageIndex index) {
    try {
      int found = index.entries(StoreChecks.PROBE_NAME, TimeRange.ALL).size();
      return List.of(
          Check.passed(
              SUBJECT,
              "read",
              "asked " + index.describe() + " for a writer's pages (" + found + ")"));
    } catch (RuntimeException e) {
      return List.of(Check.failed(SUBJECT, "read", Check.reason(e)));
    }
  }

  /**
   * For a SQLite index whose file is not there yet: whether the sink can create it, and the probes
   * skipped, since opening the index would create it ({@link NotCreatedYet} says why not).
   */
  public static List<Check> runWhereNotCreatedYet(Path sqliteFile) {
    List<Check> checks = new ArrayList<>();
    checks.add(NotCreatedYet.check(SUBJECT, sqliteFile, IndexConfig.SQLITE_PATH));
    for (String name : List.of("read", "write", "remove")) {
      checks.add(Check.skipped(SUBJECT, name, "the index's file is not there yet (see location)"));
    }
    return checks;
  }

  /**
   * For a SQLite secondary index whose file is not there yet: whether the sink can create it
   * ({@link NotCreatedYet}). The probes then run on the other indexes, without it.
   */
  public static Check secondaryNotCreatedYet(Path sqliteFile) {
    return NotCreatedYet.check(
        SUBJECT, sqliteFile, IndexConfig.SQLITE_PATH + ", a secondary: probed without it");
  }

  public static List<Check> run(PageIndex index, long nowMillis) {
    List<Check> checks = new ArrayList<>();
    String writer = StoreChecks.PROBE_NAME + "-" + UUID.randomUUID();
    IndexEntry probe =
        new IndexEntry(
            StoreChecks.PROBE_NAME + "/" + writer,
            writer,
            0,
            nowMillis,
            nowMillis,
            1,
            1,
            1,
            "protobuf",
            "none",
            StoreChecks.PROBE_NAME,
            0,
            0,
            0);
    try {
      List<IndexEntry> none = index.entries(writer, TimeRange.ALL);
      checks.add(
          Check.passed(
              SUBJECT,
              "read",
              "asked "
                  + index.describe()
                  + " for a writer's pages ("
                  + none.size()
                  + " for a new writer, as expected)"));
    } catch (RuntimeException e) {
      checks.add(Check.failed(SUBJECT, "read", Check.reason(e)));
      checks.add(Check.skipped(SUBJECT, "write", "the index could not be read"));
      return checks;
    }
    try {
      index.publish(List.of(probe));
    } catch (RuntimeException e) {
      checks.add(Check.failed(SUBJECT, "write", "publishing a probe entry: " + Check.reason(e)));
      // A failed publish may still have written it (Redis waiting in vain for replicas does):
      // check leaves nothing behind if it can.
      try {
        index.remove(List.of(probe));
      } catch (RuntimeException alsoRefused) {
        // the write failure above says why
      }
      return checks;
    }
    try {
      List<IndexEntry> found = index.entries(writer, TimeRange.ALL);
      if (found.stream().anyMatch(entry -> entry.pageKey().equals(probe.pageKey()))) {
        checks.add(Check.passed(SUBJECT, "write", "published a probe entry and read it back"));
      } else {
        checks.add(
            Check.failed(
                SUBJECT,
                "write",
                "a published probe entry is not there when read back"
                    + " (found "
                    + Counted.of(found.size(), "entry", "entries")
                    + " for its writer)"));
      }
    } catch (RuntimeException e) {
      checks.add(
          Check.failed(SUBJECT, "write", "reading the probe entry back: " + Check.reason(e)));
    } finally {
      try {
        index.remove(List.of(probe));
        checks.add(Check.passed(SUBJECT, "remove", "removed the probe entry"));
      } catch (RuntimeException e) {
        checks.add(
            Check.failed(
                SUBJECT,
                "remove",
                "removing the probe entry "
                    + probe.pageKey()
                    + " of writer "
                    + writer
                    + ": "
                    + Check.reason(e)));
      }
    }
    return checks;
  }
}
