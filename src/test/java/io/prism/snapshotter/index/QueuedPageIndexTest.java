package io.prism.snapshotter.index;

import static io.prism.snapshotter.index.PageIndexContract.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueuedPageIndexTest {
  @TempDir Path dir;

  @Test
  void entriesPublishedWhileTheIndexIsDownLandOnceItIsBack() throws Exception {
    SwitchablePageIndex target = new SwitchablePageIndex(SqlitePageIndex.open(dir.resolve("i.db")));
    try (QueuedPageIndex queued = new QueuedPageIndex(target, 1_000)) {
      target.down = true;
      List<IndexEntry> published = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        IndexEntry e = entry("w1", i, 1_000 + i, 2_000 + i);
        queued.publish(List.of(e));
        published.add(e);
      }
      Thread.sleep(500);
      assertThat(target.failedPublishes.get()).isPositive();
      assertThat(queued.entries("w1", TimeRange.ALL)).isEmpty();
      assertThat(queued.pending()).isEqualTo(50);

      target.down = false;
      assertThat(queued.awaitPublished(Duration.ofSeconds(20))).isTrue();
      assertThat(queued.entries("w1", TimeRange.ALL)).containsExactlyElementsOf(published);
    }
  }

  @Test
  void aFullQueuePushesBackInsteadOfDropping() throws Exception {
    SwitchablePageIndex target = new SwitchablePageIndex(SqlitePageIndex.open(dir.resolve("i.db")));
    try (QueuedPageIndex queued = new QueuedPageIndex(target, 10, Duration.ofMillis(200))) {
      target.down = true;
      for (int i = 0; i < 10; i++) {
        queued.publish(List.of(entry("w1", i, 1_000, 2_000)));
      }
      assertThatThrownBy(() -> queued.publish(List.of(entry("w1", 10, 1_000, 2_000))))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("queue")
          .hasMessageContaining("full");

      target.down = false;
      assertThat(queued.awaitPublished(Duration.ofSeconds(20))).isTrue();
      queued.publish(List.of(entry("w1", 10, 1_000, 2_000))); // the sink's retry of that page
      assertThat(queued.awaitPublished(Duration.ofSeconds(20))).isTrue();
      assertThat(queued.entries("w1", TimeRange.ALL)).hasSize(11);
    }
  }

  @Test
  void queuedEntriesCountTheQueueAndTheSecondariesQueuesBehindIt() throws Exception {
    SwitchablePageIndex secondary =
        new SwitchablePageIndex(SqlitePageIndex.open(dir.resolve("secondary.db")));
    FanOutPageIndex fanOut =
        new FanOutPageIndex(
            SqlitePageIndex.open(dir.resolve("primary.db")), List.of(secondary), 1_000);
    try (QueuedPageIndex queued = new QueuedPageIndex(fanOut, 1_000)) {
      secondary.down = true;
      queued.publish(List.of(entry("w1", 1, 10, 20), entry("w1", 2, 30, 40)));
      assertThat(queued.queuedEntries()).isEqualTo(2);
      assertThat(queued.awaitPublished(Duration.ofSeconds(20)))
          .as("the primary took them")
          .isTrue();
      assertThat(queued.queuedEntries()).as("now waiting for the secondary").isEqualTo(2);

      secondary.down = false;
      assertThat(fanOut.awaitSecondaries(Duration.ofSeconds(20))).isTrue();
      assertThat(queued.queuedEntries()).isZero();
    }
  }

  @Test
  void closingPublishesWhatIsQueued() {
    SqlitePageIndex sqlite = SqlitePageIndex.open(dir.resolve("i.db"));
    QueuedPageIndex queued = new QueuedPageIndex(new SwitchablePageIndex(sqlite), 100_000);
    List<IndexEntry> batch = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      batch.add(entry("w1", i, i, i + 1));
    }
    queued.publish(batch);
    queued.close();

    try (SqlitePageIndex reopened = SqlitePageIndex.open(dir.resolve("i.db"))) {
      assertThat(reopened.entries("w1", TimeRange.ALL)).hasSize(20_000);
    }
  }

  @Test
  void removeWaitsForWhatWasQueuedBeforeIt() throws Exception {
    SwitchablePageIndex target = new SwitchablePageIndex(SqlitePageIndex.open(dir.resolve("i.db")));
    try (QueuedPageIndex queued = new QueuedPageIndex(target, 1_000)) {
      IndexEntry source = entry("w1", 1, 10, 20);
      target.publish(List.of(source));
      target.down = true;
      IndexEntry merged = entry("w1", 2, 10, 40);
      queued.publish(List.of(merged));
      new Thread(
              () -> {
                try {
                  Thread.sleep(500);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                target.down = false;
              })
          .start();

      queued.remove(List.of(source));

      assertThat(target.entries("w1", TimeRange.ALL)).containsExactly(merged);
    }
  }

  @Test
  void entriesStillQueuedWhenTheDrainAtCloseEndsAreCountedAsDropped() {
    SwitchablePageIndex target = new SwitchablePageIndex(SqlitePageIndex.open(dir.resolve("i.db")));
    QueuedPageIndex queued =
        new QueuedPageIndex(target, 1_000, Duration.ofSeconds(5), Duration.ofMillis(300));
    target.down = true;
    queued.publish(List.of(entry("w1", 1, 10, 20), entry("w1", 2, 30, 40)));
    queued.publish(List.of(entry("w1", 3, 50, 60)));
    assertThat(queued.droppedEntries()).isZero();

    queued.close(); // the index stays down through the drain

    assertThat(queued.droppedEntries()).isEqualTo(3);
  }

  /**
   * A publish that ignores interrupts (Jedis's blocking socket read while Redis hangs: up to its 30
   * s timeout) outlives close(): what the queue still held is counted as dropped when close()
   * returns, as the task reads the count then. It was counted only when the worker ended, after the
   * task had read 0.
   */
  @Test
  void entriesOfAPublishStillHangingWhenCloseGivesUpAreCountedAsDropped() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    SqlitePageIndex sqlite = SqlitePageIndex.open(dir.resolve("i.db"));
    PageIndex hanging =
        new ForwardingPageIndex(sqlite) {
          @Override
          public void publish(List<IndexEntry> entries) {
            entered.countDown();
            boolean interrupted = false;
            while (answer.getCount() > 0) {
              try {
                answer.await();
              } catch (InterruptedException e) {
                interrupted = true; // a socket read does not see it
              }
            }
            if (interrupted) {
              Thread.currentThread().interrupt();
            }
            throw new IndexException("no answer (test)");
          }
        };
    QueuedPageIndex queued =
        new QueuedPageIndex(hanging, 1_000, Duration.ofSeconds(5), Duration.ofMillis(300));
    queued.publish(List.of(entry("w1", 1, 10, 20), entry("w1", 2, 30, 40)));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    queued.publish(List.of(entry("w1", 3, 50, 60)));

    queued.close();

    assertThat(queued.droppedEntries()).isEqualTo(3);
    answer.countDown(); // the hanging call ends after all: counted once
    Thread.sleep(300);
    assertThat(queued.droppedEntries()).isEqualTo(3);
  }

  /**
   * An Error from the index's client (a class its lazy set-up fails to load, a stack overflow) is a
   * failed attempt like any other: the batch is retried. It ended the publisher's only thread, so
   * nothing queued was ever published, every later page failed with "queue is full", and the
   * entries were not even counted as dropped at close.
   */
  @Test
  void aPublishFailingWithAnErrorIsRetriedLikeAnyFailure() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    SqlitePageIndex sqlite = SqlitePageIndex.open(dir.resolve("i.db"));
    PageIndex flaky =
        new ForwardingPageIndex(sqlite) {
          @Override
          public void publish(List<IndexEntry> entries) {
            if (calls.getAndIncrement() == 0) {
              throw new NoClassDefFoundError("com/example/LazyCodec (test)");
            }
            delegate.publish(entries);
          }
        };
    try (QueuedPageIndex queued = new QueuedPageIndex(flaky, 1_000)) {
      IndexEntry page = entry("w1", 1, 10, 20);
      queued.publish(List.of(page));

      assertThat(queued.awaitPublished(Duration.ofSeconds(10))).isTrue();
      assertThat(sqlite.entries("w1", TimeRange.ALL)).containsExactly(page);
    }
  }
}
