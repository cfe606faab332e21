package io.prism.snapshotter.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.index.ForwardingPageIndex;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.IndexException;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.SqlitePageIndex;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.preflight.Check.Outcome;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexChecksTest {
  @TempDir Path dir;

  @Test
  void anIndexThatWorksPassesAndKeepsNoProbeEntry() {
    try (PageIndex index = SqlitePageIndex.open(dir.resolve("index.db"))) {
      List<Check> checks = IndexChecks.run(index, 1_795_000_000_000L);

      assertThat(checks).extracting(Check::name).containsExactly("read", "write", "remove");
      assertThat(checks)
          .allMatch(check -> check.outcome() == Outcome.PASSED, "all passed: " + checks);
      assertThat(index.writers(null, 10).writers()).as("no probe writer left behind").isEmpty();
    }
  }

  @Test
  void anIndexThatRefusesWritesFailsTheWriteWithItsReason() {
    try (PageIndex real = SqlitePageIndex.open(dir.resolve("index.db"));
        PageIndex readOnly =
            new ForwardingPageIndex(real) {
              @Override
              public void publish(List<IndexEntry> entries) {
                throw new IndexException(
                    "ClickHouse answered 403: prism: Not enough privileges (INSERT)");
              }
            }) {
      List<Check> checks = IndexChecks.run(readOnly, 1_795_000_000_000L);

      assertThat(checks)
          .extracting(Check::name, Check::outcome)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("read", Outcome.PASSED),
              org.assertj.core.groups.Tuple.tuple("write", Outcome.FAILED));
      assertThat(checks.get(1).detail()).contains("Not enough privileges");
    }
  }

  /** As a Redis index waiting in vain for its replicas: the entry is written, then it fails. */
  @Test
  void aPublishThatWritesAndThenFailsLeavesNoProbeEntry() {
    try (PageIndex real = SqlitePageIndex.open(dir.resolve("index.db"));
        PageIndex unacknowledged =
            new ForwardingPageIndex(real) {
              @Override
              public void publish(List<IndexEntry> entries) {
                super.publish(entries);
                throw new IndexException("0 of the 1 replicas acknowledged them");
              }
            }) {
      List<Check> checks = IndexChecks.run(unacknowledged, 1_795_000_000_000L);

      assertThat(checks)
          .extracting(Check::name, Check::outcome)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("read", Outcome.PASSED),
              org.assertj.core.groups.Tuple.tuple("write", Outcome.FAILED));
      assertThat(real.writers(null, 10).writers()).as("no probe writer left behind").isEmpty();
    }
  }

  @Test
  void anIndexThatCannotBeReadFailsTheReadAndSkipsTheWrite() {
    try (PageIndex real = SqlitePageIndex.open(dir.resolve("index.db"));
        PageIndex down =
            new ForwardingPageIndex(real) {
              @Override
              public List<IndexEntry> entries(String writerId, TimeRange range) {
                throw new IndexException("Connection refused: 127.0.0.1:8123");
              }
            }) {
      List<Check> checks = IndexChecks.run(down, 1_795_000_000_000L);

      assertThat(checks)
          .extracting(Check::outcome)
          .containsExactly(Outcome.FAILED, Outcome.SKIPPED);
      assertThat(checks.get(0).detail()).contains("Connection refused");
    }
  }
}
