package io.prism.snapshotter.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.buffer.EvictionOrder;
import io.prism.snapshotter.buffer.FlushLimits;
import io.prism.snapshotter.buffer.FlushPolicy;
import io.prism.snapshotter.buffer.FlushReason;
import io.prism.snapshotter.buffer.MemoryBudget;
import io.prism.snapshotter.buffer.PageAssembler;
import io.prism.snapshotter.buffer.PageBuffer;
import io.prism.snapshotter.buffer.PageSink;
import io.prism.snapshotter.buffer.PageUploads.PageOutcome;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.testing.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pages stored on upload threads: completions out of order, failures on the pool, flushes and
 * backpressure that wait for durable pages. The offsets promise is the assembler's: never past a
 * page that is not durable.
 */
class PageUploaderTest {
  private static final TopicPartition P0 = new TopicPartition("events", 0);
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private final ManualClock clock = new ManualClock();
  private final List<PageBuffer> stored = Collections.synchronizedList(new ArrayList<>());
  private PageUploader uploader;

  @AfterEach
  void closeUploader() {
    if (uploader != null) {
      uploader.close();
    }
  }

  private PageAssembler assembler(PageSink sink, long memoryBytes) {
    uploader = new PageUploader(2, () -> sink, "test");
    return new PageAssembler(
        new FlushPolicy(new FlushLimits(2, 100_000, Duration.ofSeconds(10))),
        new MemoryBudget(memoryBytes, 0.5),
        EvictionOrder.OLDEST_FIRST,
        uploader,
        clock);
  }

  private static Event event(long offset) {
    return new Event("e" + offset, 1000 + offset, new byte[10], Map.of());
  }

  /** Calls writeClosedPages until {@code pages} more pages were reported durable. */
  private static void awaitStored(PageAssembler assembler, int pages) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    int seen = 0;
    while (seen < pages) {
      assertThat(System.nanoTime())
          .as("%s of %s pages stored in time", seen, pages)
          .isLessThan(deadline);
      seen += assembler.writeClosedPages();
      Thread.sleep(1);
    }
  }

  @Test
  void aLaterPageStoredFirstDoesNotMoveTheOffsetPastAnEarlierOneStillBeingStored()
      throws Exception {
    CountDownLatch releaseA = new CountDownLatch(1);
    PageAssembler assembler =
        assembler(
            page -> {
              if (page.writerId().equals("a")) {
                releaseA.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
              }
              stored.add(page);
            },
            1 << 20);
    assembler.accept(P0, 0, "a", event(0));
    assembler.accept(P0, 1, "b", event(1));
    assembler.accept(P0, 2, "a", event(2)); // closes a's page 0..2
    assembler.accept(P0, 3, "b", event(3)); // closes b's page 1..3

    awaitStored(assembler, 1);
    assertThat(stored).extracting(PageBuffer::writerId).containsExactly("b");
    assertThat(assembler.committableOffsets()).containsEntry(P0, 0L);
    assertThat(assembler.memory().usedBytes()).isPositive();

    releaseA.countDown();
    awaitStored(assembler, 1);
    assertThat(assembler.committableOffsets()).containsEntry(P0, 4L);
    assertThat(assembler.memory().usedBytes()).isZero();
  }

  @Test
  void pagesBeyondTheThreadsWaitAndBothCountsSaySo() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    PageAssembler assembler =
        assembler(
            page -> {
              release.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
              stored.add(page);
            },
            1 << 20);
    long offset = 0;
    for (String writer : List.of("a", "b", "c", "d", "e")) {
      assembler.accept(P0, offset, writer, event(offset++));
      assembler.accept(P0, offset, writer, event(offset++)); // closes the writer's page
    }
    assembler.writeClosedPages();

    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (uploader.pagesBeingStored() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(uploader.pagesBeingStored()).isEqualTo(2); // both threads, each on a page
    assertThat(uploader.waitingPages()).isEqualTo(3);

    release.countDown();
    awaitStored(assembler, 5);
    assertThat(uploader.pagesBeingStored()).isZero();
    assertThat(uploader.waitingPages()).isZero();
  }

  @Test
  void aFailureOnAnUploadThreadIsReportedOnceAndThePageIsTriedAgain() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    PageAssembler assembler =
        assembler(
            page -> {
              if (attempts.incrementAndGet() == 1) {
                throw new IOException("storage down");
              }
              stored.add(page);
            },
            1 << 20);
    assembler.accept(P0, 0, "a", event(0));
    assembler.accept(P0, 1, "a", event(1));

    long deadline = System.nanoTime() + PATIENCE.toNanos();
    Exception reported = null;
    while (reported == null) {
      assertThat(System.nanoTime()).as("the failure is reported in time").isLessThan(deadline);
      try {
        assertThat(assembler.writeClosedPages()).isZero();
      } catch (IOException e) {
        reported = e;
      }
      assertThat(assembler.committableOffsets()).containsEntry(P0, 0L);
      Thread.sleep(1);
    }
    assertThat(reported).hasMessage("storage down");
    awaitStored(assembler, 1); // the next call hands the page over again
    assertThat(attempts).hasValue(2);
    assertThat(assembler.committableOffsets()).containsEntry(P0, 2L);
  }

  @Test
  void flushReturnsOnlyOnceEveryPageOfThePartitionIsDurable() throws Exception {
    PageAssembler assembler =
        assembler(
            page -> {
              Thread.sleep(50);
              stored.add(page);
            },
            1 << 20);
    for (long offset = 0; offset < 9; offset++) {
      assembler.accept(P0, offset, "w" + (offset % 3), event(offset));
    }
    assembler.writeClosedPages(); // three pages closed on their count are being stored

    assembler.flushPartitions(Set.of(P0), FlushReason.PARTITION_REVOKED);

    assertThat(stored).hasSize(6);
    assertThat(assembler.committableOffsets()).containsEntry(P0, 9L);
    assertThat(assembler.memory().usedBytes()).isZero();
  }

  @Test
  void aFlushRethrowsTheFailureOfItsPartitionsPage() throws Exception {
    PageAssembler assembler =
        assembler(
            page -> {
              throw new IOException("bucket gone");
            },
            1 << 20);
    assembler.accept(P0, 0, "a", event(0));

    assertThatThrownBy(() -> assembler.flushPartitions(Set.of(P0), FlushReason.TASK_STOP))
        .hasMessage("bucket gone");
    assertThat(assembler.committableOffsets()).containsEntry(P0, 0L);
  }

  @Test
  void overTheBudgetTheTaskWaitsForPagesBeingStored() throws Exception {
    CountDownLatch open = new CountDownLatch(1);
    PageAssembler assembler =
        assembler(
            page -> {
              open.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
              stored.add(page);
            },
            1024);
    for (long offset = 0; offset < 8; offset++) {
      assembler.accept(P0, offset, "a", event(offset));
    }
    assembler.writeClosedPages();
    assertThat(assembler.memory().overBudget()).isTrue();

    assembler.awaitStoredWithinBudget(
        Duration.ofMillis(100)); // storage stuck: gives up after the wait
    assertThat(assembler.memory().overBudget()).isTrue();

    open.countDown();
    assembler.awaitStoredWithinBudget(PATIENCE);
    assertThat(assembler.memory().overBudget()).isFalse();
  }

  @Test
  void eachThreadWritesThroughASinkOfItsOwn() throws Exception {
    AtomicBoolean overlapped = new AtomicBoolean();
    uploader =
        new PageUploader(
            3,
            () ->
                new PageSink() {
                  final AtomicBoolean busy = new AtomicBoolean();

                  @Override
                  public void write(PageBuffer page) throws Exception {
                    if (!busy.compareAndSet(false, true)) {
                      overlapped.set(true);
                    }
                    Thread.sleep(5);
                    busy.set(false);
                  }
                },
            "test");
    for (int i = 0; i < 30; i++) {
      PageBuffer page = new PageBuffer(P0, "w" + i, 0);
      uploader.submit(page);
    }
    List<PageOutcome> outcomes = new ArrayList<>();
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (outcomes.size() < 30 && System.nanoTime() < deadline) {
      outcomes.addAll(uploader.awaitOutcomes(Duration.ofMillis(100)));
    }
    assertThat(outcomes).hasSize(30).allMatch(PageOutcome::isStored);
    assertThat(overlapped).isFalse();
  }

  @Test
  void anErrorOnAnUploadThreadBecomesAFailedOutcome() throws Exception {
    uploader =
        new PageUploader(
            1,
            () ->
                page -> {
                  throw new OutOfMemoryError("simulated");
                },
            "test");
    PageBuffer page = new PageBuffer(P0, "a", 0);
    uploader.submit(page);
    List<PageOutcome> outcomes = uploader.awaitOutcomes(PATIENCE);
    assertThat(outcomes)
        .singleElement()
        .satisfies(
            outcome -> {
              assertThat(outcome.page()).isSameAs(page);
              assertThat(outcome.failure())
                  .isInstanceOf(IllegalStateException.class)
                  .hasMessageContaining("simulated");
            });
  }
}
