package io.prism.snapshotter.index;

import static io.prism.snapshotter.index.PageIndexContract.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FanOutPageIndexTest {
  @TempDir Path dir;

  @Test
  void aFailingSecondaryNeitherBlocksThePrimaryNorMissesEntries() throws Exception {
    SqlitePageIndex primary = SqlitePageIndex.open(dir.resolve("primary.db"));
    SwitchablePageIndex secondary =
        new SwitchablePageIndex(SqlitePageIndex.open(dir.resolve("secondary.db")));
    try (FanOutPageIndex index = new FanOutPageIndex(primary, List.of(secondary), 1_000)) {
      secondary.down = true;
      IndexEntry first = entry("w1", 1, 10, 20);
      IndexEntry second = entry("w1", 2, 30, 40);
      long started = System.nanoTime();
      index.publish(List.of(first));
      index.publish(List.of(second));
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
      assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(first, second);
      Thread.sleep(300);
      assertThat(secondary.failedPublishes.get()).isPositive();
      assertThat(secondary.entries("w1", TimeRange.ALL)).isEmpty();

      secondary.down = false;
      assertThat(index.awaitSecondaries(Duration.ofSeconds(20))).isTrue();
      assertThat(secondary.entries("w1", TimeRange.ALL)).containsExactly(first, second);
    }
  }

  @Test
  void aSecondaryWhoseQueueIsFullLosesOnlyTheEntriesThatDidNotFitAndTheyAreCounted()
      throws Exception {
    SqlitePageIndex primary = SqlitePageIndex.open(dir.resolve("primary.db"));
    SwitchablePageIndex secondary =
        new SwitchablePageIndex(SqlitePageIndex.open(dir.resolve("secondary.db")));
    try (FanOutPageIndex index = new FanOutPageIndex(primary, List.of(secondary), 2)) {
      secondary.down = true;
      IndexEntry a = entry("w1", 1, 10, 20);
      IndexEntry b = entry("w1", 2, 30, 40);
      IndexEntry c = entry("w1", 3, 50, 60);
      IndexEntry d = entry("w1", 4, 70, 80);
      index.publish(List.of(a, b, c)); // room for two
      index.publish(List.of(d));

      assertThat(index.droppedEntries()).isEqualTo(2);
      assertThat(index.entries("w1", TimeRange.ALL))
          .as("the primary has them all")
          .containsExactly(a, b, c, d);
      secondary.down = false;
      assertThat(index.awaitSecondaries(Duration.ofSeconds(20))).isTrue();
      assertThat(secondary.entries("w1", TimeRange.ALL)).containsExactly(a, b);
      assertThat(index.droppedEntries()).as("a counter: it never goes back").isEqualTo(2);
    }
  }

  /**
   * A publishing thread interrupted while the primary took the entries (a sink task's upload thread
   * at stop; the async queue's worker when its drain ends, behind a Redis call that does not see
   * interrupts): the secondaries still get them. Their queues were skipped without a count, so the
   * secondary lacked entries the primary had, and nothing said so.
   */
  @Test
  void anInterruptedPublisherStillQueuesForTheSecondaries() throws Exception {
    SqlitePageIndex primary = SqlitePageIndex.open(dir.resolve("primary.db"));
    SqlitePageIndex secondary = SqlitePageIndex.open(dir.resolve("secondary.db"));
    try (FanOutPageIndex index = new FanOutPageIndex(primary, List.of(secondary), 1_000)) {
      IndexEntry page = entry("w1", 1, 10, 20);
      Thread.currentThread().interrupt();
      try {
        index.publish(List.of(page));
      } finally {
        assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
      }

      assertThat(index.awaitSecondaries(Duration.ofSeconds(20))).isTrue();
      assertThat(secondary.entries("w1", TimeRange.ALL)).containsExactly(page);
      assertThat(index.droppedEntries()).isZero();
    }
  }

  @Test
  void aFailingPrimaryFailsThePublish() {
    SwitchablePageIndex primary =
        new SwitchablePageIndex(SqlitePageIndex.open(dir.resolve("primary.db")));
    SqlitePageIndex secondary = SqlitePageIndex.open(dir.resolve("secondary.db"));
    try (FanOutPageIndex index = new FanOutPageIndex(primary, List.of(secondary), 1_000)) {
      primary.down = true;
      assertThatThrownBy(() -> index.publish(List.of(entry("w1", 1, 10, 20))))
          .isInstanceOf(IndexException.class);
    }
  }

  @Test
  void removeReachesEverySecondaryAfterWhatWasPublishedBeforeIt() throws Exception {
    SqlitePageIndex primary = SqlitePageIndex.open(dir.resolve("primary.db"));
    SwitchablePageIndex secondary =
        new SwitchablePageIndex(SqlitePageIndex.open(dir.resolve("secondary.db")));
    try (FanOutPageIndex index = new FanOutPageIndex(primary, List.of(secondary), 1_000)) {
      IndexEntry source = entry("w1", 1, 10, 20);
      IndexEntry merged = entry("w1", 2, 10, 40);
      index.publish(List.of(source));
      secondary.down = true;
      index.publish(List.of(merged));
      Thread.sleep(300);
      secondary.down = false;

      index.remove(List.of(source));

      assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(merged);
      assertThat(secondary.entries("w1", TimeRange.ALL)).containsExactly(merged);
    }
  }

  @Test
  void aSecondaryThatCannotRemoveFailsTheRemoval() throws Exception {
    SqlitePageIndex primary = SqlitePageIndex.open(dir.resolve("primary.db"));
    SqlitePageIndex secondary = SqlitePageIndex.open(dir.resolve("secondary.db"));
    try (FanOutPageIndex index = new FanOutPageIndex(primary, List.of(secondary), 1_000)) {
      IndexEntry page = entry("w1", 1, 10, 20);
      index.publish(List.of(page));
      assertThat(index.awaitSecondaries(Duration.ofSeconds(20))).isTrue();
      secondary.close(); // its connection is gone: every call fails

      assertThatThrownBy(() -> index.remove(List.of(page)))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("secondary");
      assertThat(index.entries("w1", TimeRange.ALL)).as("the primary did remove it").isEmpty();
    }
  }

  @Test
  void entriesASecondaryStillHadQueuedAtCloseAreCountedAsDropped() {
    SqlitePageIndex primary = SqlitePageIndex.open(dir.resolve("primary.db"));
    SwitchablePageIndex secondary =
        new SwitchablePageIndex(SqlitePageIndex.open(dir.resolve("secondary.db")));
    FanOutPageIndex index =
        new FanOutPageIndex(primary, List.of(secondary), 1_000, Duration.ofMillis(300));
    secondary.down = true;
    index.publish(List.of(entry("w1", 1, 10, 20), entry("w1", 2, 30, 40)));
    assertThat(index.droppedEntries()).isZero();

    index.close();

    assertThat(index.droppedEntries()).isEqualTo(2);
  }
}
