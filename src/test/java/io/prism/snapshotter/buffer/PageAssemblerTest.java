package io.prism.snapshotter.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.EventSizes;
import io.prism.snapshotter.page.PageLimits;
import io.prism.snapshotter.testing.BufferedPages;
import io.prism.snapshotter.testing.CapturedLogs;
import io.prism.snapshotter.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Each flush trigger closes the page it should, and only that one. */
class PageAssemblerTest {
  private static final TopicPartition P0 = new TopicPartition("events", 0);
  private static final TopicPartition P1 = new TopicPartition("events", 1);
  private static final TopicPartition P2 = new TopicPartition("events", 2);

  private final ManualClock clock = new ManualClock();
  private final List<PageBuffer> written = new ArrayList<>();
  private final PageAssembler assembler =
      new PageAssembler(
          new FlushPolicy(new FlushLimits(3, 1_000, Duration.ofSeconds(10))),
          new MemoryBudget(2_000, 0.5),
          written::add,
          clock);

  private static Event event(long offset, int size) {
    return new Event("e" + offset, 1000 + offset, new byte[size], Map.of());
  }

  /** The test's assembler, with a lookup of pages stored before the assignment. */
  private PageAssembler withStoredPages(StoredPageLookup storedPages) {
    return new PageAssembler(
        new FlushPolicy(new FlushLimits(3, 1_000, Duration.ofSeconds(10))),
        new MemoryBudget(2_000, 0.5),
        EvictionOrder.OLDEST_FIRST,
        PageUploads.inline(written::add),
        storedPages,
        clock);
  }

  @Test
  void recordsReDeliveredIntoStoredPagesAreNotBufferedAgain() throws Exception {
    // Before the assignment: a's page 2..4 and b's page 3..5 were stored; the commit was at 1.
    StoredRanges stored =
        StoredRanges.builder().add("a", 2, 4, 1002, 1004).add("b", 3, 5, 1003, 1005).build();
    List<Long> lookups = new ArrayList<>();
    PageAssembler restarted =
        withStoredPages(
            (partition, from) -> {
              lookups.add(from);
              return stored;
            });

    restarted.accept(P0, 1, "a", event(1, 1)); // not in a stored page: buffered
    restarted.accept(P0, 2, "a", event(2, 1)); // in a's page: a's open page ends before it
    restarted.accept(P0, 3, "b", event(3, 1));
    restarted.accept(P0, 4, "a", event(4, 1));
    restarted.accept(P0, 5, "b", event(5, 1));
    assertThat(restarted.committableOffsets()).as("offset 1 is in memory").containsEntry(P0, 1L);
    restarted.accept(P0, 6, "a", event(6, 1)); // past every stored page
    restarted.accept(P0, 7, "b", event(7, 1));
    restarted.flushPartitions(List.of(P0), FlushReason.PARTITION_REVOKED);

    assertThat(lookups)
        .as("asked once, with the first offset since the assignment")
        .containsExactly(1L);
    assertThat(restarted.takeRecordsAlreadyStored()).as("offsets 2 to 5").isEqualTo(4);
    assertThat(restarted.takeRecordsAlreadyStored()).isZero();
    assertThat(written)
        .extracting(
            PageBuffer::writerId,
            PageBuffer::firstOffset,
            PageBuffer::lastOffset,
            PageBuffer::closeReason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", 1L, 1L, FlushReason.REDELIVERED),
            org.assertj.core.groups.Tuple.tuple("a", 6L, 6L, FlushReason.PARTITION_REVOKED),
            org.assertj.core.groups.Tuple.tuple("b", 7L, 7L, FlushReason.PARTITION_REVOKED));
    assertThat(restarted.committableOffsets()).containsEntry(P0, 8L);
  }

  @Test
  void aPartitionAssignedAgainAsksAgain() throws Exception {
    List<Long> lookups = new ArrayList<>();
    PageAssembler assembler =
        withStoredPages(
            (partition, from) -> {
              lookups.add(from);
              return StoredRanges.NONE;
            });
    assembler.accept(P0, 10, "a", event(10, 1));
    assembler.accept(P0, 11, "a", event(11, 1));
    assembler.forgetPartitions(List.of(P0));
    assembler.skip(P0, 10);
    assertThat(lookups).containsExactly(10L, 10L);
  }

  /**
   * Lookups asked for (partition and offset); nothing stored at assignment, {@code atRevocation}
   * once closing.
   */
  private static final class RevocationLookup implements StoredPageLookup {
    final List<String> asked = new ArrayList<>();
    Supplier<StoredRanges> atRevocation = () -> StoredRanges.NONE;
    boolean revoking;

    @Override
    public StoredRanges find(TopicPartition partition, long fromOffset) {
      asked.add(partition.partition() + "@" + fromOffset);
      return revoking && partition.equals(P0) ? atRevocation.get() : StoredRanges.NONE;
    }
  }

  @Test
  void aRevokedPartitionAnotherTaskStoredRecordsOfIsLeftToIt() throws Exception {
    RevocationLookup lookup = new RevocationLookup();
    PageAssembler zombie = withStoredPages(lookup);
    zombie.accept(P0, 5, "a", event(5, 1));
    zombie.accept(P0, 6, "b", event(6, 1));
    zombie.accept(P0, 7, "a", event(7, 1));
    zombie.accept(P1, 0, "a", event(0, 1));
    zombie.skip(P2, 0); // assigned, nothing buffered
    lookup.asked.clear();
    // Meanwhile the new owner of P0 stored a's records from 7 on; P1 was only revoked.
    lookup.atRevocation =
        () -> StoredRanges.builder().add("a", 7, 9, 1007, 1009, "events/a/new-owner-page").build();
    lookup.revoking = true;

    try (CapturedLogs logs = CapturedLogs.capture()) {
      RevokedPages revoked = zombie.flushRevokedPartitions(List.of(P0, P1, P2));
      long bytesPerEvent = PageBuffer.estimateBytes(event(0, 1));
      assertThat(revoked.stored())
          .as("P1's page")
          .isEqualTo(new RevokedPages.Pages(1, 1, bytesPerEvent));
      assertThat(revoked.leftToNewOwner())
          .as("P0's pages of a and b")
          .isEqualTo(new RevokedPages.Pages(2, 3, 3 * bytesPerEvent));
      assertThat(revoked.leftPartitions()).containsExactly(P0);
      assertThat(logs.lines())
          .filteredOn(line -> line.startsWith("WARN"))
          .singleElement()
          .asString()
          .contains("events-0", "events/a/new-owner-page", "2 pages (3 records)");
    }

    assertThat(lookup.asked)
        .as("from each partition's lowest buffered offset; none for P2")
        .containsExactly("0@5", "1@0");
    assertThat(written)
        .as("only P1's page is stored")
        .extracting(PageBuffer::partition)
        .containsExactly(P1);
    assertThat(zombie.takeRecordsLeftToNewOwner())
        .as("every record P0 buffered, b's too")
        .isEqualTo(3);
    assertThat(zombie.takeRecordsLeftToNewOwner()).isZero();
    assertThat(zombie.memory().usedBytes()).as("dropped pages release their memory").isZero();
    zombie.forgetPartitions(List.of(P0, P1, P2));
    assertThat(zombie.memory().usedBytes()).isZero();
  }

  @Test
  void aStoredPageOfAnotherWriterOrOfOtherTimesProvesNothing() throws Exception {
    RevocationLookup lookup = new RevocationLookup();
    PageAssembler revoked = withStoredPages(lookup);
    revoked.accept(P0, 5, "a", event(5, 1));
    revoked.accept(P0, 7, "a", event(7, 1));
    lookup.atRevocation =
        () ->
            StoredRanges.builder()
                .add(
                    "b", 0, 10, 1000,
                    1010) // b's records around a's offsets: b's page holds none of a's
                .add("a", 5, 7, 5005, 5007) // a's offsets but other times: a topic created again
                .build();
    lookup.revoking = true;

    revoked.flushRevokedPartitions(List.of(P0));

    assertThat(written)
        .singleElement()
        .satisfies(
            page -> {
              assertThat(page.writerId()).isEqualTo("a");
              assertThat(page.eventCount()).isEqualTo(2);
              assertThat(page.closeReason()).isEqualTo(FlushReason.PARTITION_REVOKED);
            });
    assertThat(revoked.takeRecordsLeftToNewOwner()).isZero();
  }

  @Test
  void whenTheLookupFailsAtRevocationTheOpenPagesAreStored() throws Exception {
    RevocationLookup lookup = new RevocationLookup();
    PageAssembler revoked = withStoredPages(lookup);
    revoked.accept(P0, 5, "a", event(5, 1));
    lookup.atRevocation =
        () -> {
          throw new IllegalStateException("index is down (test)");
        };
    lookup.revoking = true;

    revoked.flushRevokedPartitions(List.of(P0));

    assertThat(written).extracting(PageBuffer::firstOffset).containsExactly(5L);
    assertThat(revoked.takeRecordsLeftToNewOwner()).isZero();
  }

  /** Uploads that finish only when the test says so; their outcomes wait to be taken. */
  private static final class HeldUploads implements PageUploads {
    final List<PageBuffer> submitted = new ArrayList<>();
    final List<PageOutcome> ready = new ArrayList<>();

    /** Runs after each submit: an outcome arriving while the assembler hands pages over. */
    Runnable afterSubmit = () -> {};

    @Override
    public void submit(PageBuffer page) {
      submitted.add(page);
      afterSubmit.run();
    }

    void finishAll() {
      submitted.forEach(page -> ready.add(PageOutcome.stored(page)));
      submitted.clear();
    }

    void failAll() {
      submitted.forEach(
          page ->
              ready.add(
                  PageOutcome.failed(page, new java.io.IOException("down: " + page.writerId()))));
      submitted.clear();
    }

    @Override
    public List<PageOutcome> takeOutcomes() {
      List<PageOutcome> taken = List.copyOf(ready);
      ready.clear();
      return taken;
    }

    @Override
    public List<PageOutcome> awaitOutcomes(Duration timeout) {
      return takeOutcomes();
    }

    @Override
    public void close() {}
  }

  /** Pages of one event each, stored through {@code uploads}. */
  private PageAssembler onePagePerEvent(HeldUploads uploads) {
    return new PageAssembler(
        new FlushPolicy(new FlushLimits(1, 100_000, Duration.ofSeconds(10))),
        new MemoryBudget(1_000_000, 0.5),
        EvictionOrder.OLDEST_FIRST,
        uploads,
        clock);
  }

  @Test
  void manyPagesFailingAtOnceReportOneFailureWithAFewOthersNotAPileOfThem() throws Exception {
    HeldUploads uploads = new HeldUploads();
    PageAssembler pooled = onePagePerEvent(uploads);
    for (long o = 0; o < 200; o++) {
      pooled.accept(P0, o, "w" + o, event(o, 10)); // 200 pages of one event each, stored at once
    }
    pooled.writeClosedPages();
    uploads.failAll();

    // Connect logs the exception with its whole stack at every retry: one trace per failed page
    // made thousands of lines per retry in an outage.
    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(pooled::writeClosedPages);
    assertThat(failure).hasMessageStartingWith("down: ");
    assertThat(failure.getSuppressed())
        .hasSizeLessThanOrEqualTo(PageAssembler.MAX_SUPPRESSED_FAILURES);
    assertThat(pooled.committableOffsets()).containsEntry(P0, 0L);
  }

  @Test
  void theFailureThrownNamesItsOwnPageNotTheOneThatFailedLast() throws Exception {
    HeldUploads uploads = new HeldUploads();
    PageAssembler pooled = onePagePerEvent(uploads);
    pooled.accept(P0, 0, "first", event(0, 10));
    pooled.accept(P0, 1, "second", event(1, 10));
    pooled.writeClosedPages();
    PageBuffer first = uploads.submitted.get(0);
    PageBuffer second = uploads.submitted.get(1);
    uploads.submitted.clear();
    // Two upload threads: the first page fails for a reason of its own, the second later, alike.
    uploads.ready.add(
        PageUploads.PageOutcome.failed(first, new IllegalArgumentException("key too long")));
    uploads.ready.add(PageUploads.PageOutcome.failed(second, new java.io.IOException("down")));

    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(pooled::writeClosedPages);

    assertThat(thrown).hasMessage("key too long");
    assertThat(pooled.pageThatFailedWith(thrown)).isSameAs(first);
    assertThat(pooled.pageThatFailedWith(thrown)).as("asked once: forgotten").isNull();
    assertThat(pooled.pageThatFailedWith(new java.io.IOException("other"))).isNull();
  }

  @Test
  void aPageThatBecameDurableWhileOthersWereHandedOverIsNotHandedOverAgain() throws Exception {
    HeldUploads uploads = new HeldUploads();
    PageAssembler pooled = onePagePerEvent(uploads);
    pooled.accept(P0, 0, "b", event(0, 20_000));
    pooled.accept(P0, 1, "a", event(1, 20_000));
    pooled.writeClosedPages(); // both being stored
    PageBuffer b = uploads.submitted.get(0);
    PageBuffer a = uploads.submitted.get(1);
    uploads.submitted.clear();
    uploads.ready.add(PageUploads.PageOutcome.failed(b, new java.io.IOException("down")));
    org.assertj.core.api.Assertions.catchThrowable(pooled::writeClosedPages); // b failed: reported

    // The retry hands b over again; a's "stored" outcome arrives right after, while the retry
    // still hands pages over. a is durable and its chunks are reused.
    uploads.afterSubmit = () -> uploads.ready.add(PageUploads.PageOutcome.stored(a));
    pooled.writeClosedPages();

    assertThat(uploads.submitted).containsExactly(b);
  }

  @Test
  void pagesThatFailedAreHandedOverAgainOldestFirstAndThoseBeingStoredAreNot() throws Exception {
    HeldUploads uploads = new HeldUploads();
    PageAssembler pooled = onePagePerEvent(uploads);
    pooled.accept(P0, 0, "a", event(0, 10));
    pooled.accept(P0, 1, "b", event(1, 10));
    pooled.accept(P0, 2, "c", event(2, 10));
    pooled.writeClosedPages();
    PageBuffer a = uploads.submitted.get(0);
    PageBuffer b = uploads.submitted.get(1);
    PageBuffer c = uploads.submitted.get(2);
    uploads.submitted.clear();
    uploads.ready.add(PageUploads.PageOutcome.failed(c, new java.io.IOException("down")));
    uploads.ready.add(PageUploads.PageOutcome.failed(a, new java.io.IOException("down")));
    pooled.accept(P0, 3, "d", event(3, 10)); // closed after the failures

    org.assertj.core.api.Assertions.assertThatThrownBy(pooled::writeClosedPages).hasMessage("down");
    assertThat(uploads.submitted)
        .as("a failure is reported before anything is handed over")
        .isEmpty();
    pooled.writeClosedPages();

    // b is still being stored: not handed over twice. The failed ones go in their queue's order.
    assertThat(uploads.submitted).extracting(PageBuffer::writerId).containsExactly("a", "c", "d");
    assertThat(pooled.committableOffsets()).containsEntry(P0, 0L);
    uploads.finishAll();
    uploads.ready.add(PageUploads.PageOutcome.stored(b));
    pooled.writeClosedPages();
    assertThat(pooled.committableOffsets()).containsEntry(P0, 4L);
  }

  @Test
  void aFlushTriesEachPageOnceWhenStorageKeepsFailing() {
    List<String> attempts = new ArrayList<>();
    PageAssembler failing =
        new PageAssembler(
            new FlushPolicy(new FlushLimits(1, 1_000, Duration.ofSeconds(10))),
            new MemoryBudget(10_000, 0.5),
            page -> {
              attempts.add(page.writerId());
              throw new java.io.IOException("down: " + page.writerId());
            },
            clock);
    failing.accept(P0, 0, "a", event(0, 1));
    failing.accept(P0, 1, "b", event(1, 1));
    failing.accept(P0, 2, "c", event(2, 1));

    // Inline uploads store at once: a page failing inside the hand-over loop must not be taken
    // again by the same loop (with storage down, it would loop for ever).
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> failing.flushPartitions(Set.of(P0), FlushReason.PARTITION_REVOKED))
        .hasMessage("down: a");
    assertThat(attempts).containsExactly("a", "b", "c");
    assertThat(failing.committableOffsets()).containsEntry(P0, 0L);
  }

  @Test
  void aFailureOfAPageWhosePartitionWasForgottenIsNotThrownLater() throws Exception {
    HeldUploads uploads = new HeldUploads();
    PageAssembler pooled = onePagePerEvent(uploads);
    pooled.accept(P0, 0, "a", event(0, 10));
    pooled.accept(P1, 0, "b", event(0, 10));
    pooled.writeClosedPages();
    uploads.failAll(); // both fail; the outcomes are not taken yet

    // P1 is revoked and dropped (buffer.flush.on.disconnect=false): its failed page goes with it.
    pooled.committableOffsets(); // takes the outcomes in
    pooled.forgetPartitions(List.of(P1));

    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(pooled::writeClosedPages);
    assertThat(failure).hasMessage("down: a");
    assertThat(failure.getSuppressed()).isEmpty();
    pooled.writeClosedPages(); // a's retry
    uploads.finishAll();
    assertThat(org.assertj.core.api.Assertions.catchThrowable(pooled::writeClosedPages)).isNull();
    assertThat(pooled.committableOffsets()).containsOnlyKeys(P0).containsEntry(P0, 1L);
  }

  /** Pages of two events; the budget is what the test says. */
  private PageAssembler twoEventPages(HeldUploads uploads, long maxBytes) {
    return new PageAssembler(
        new FlushPolicy(new FlushLimits(2, 100_000, Duration.ofSeconds(10))),
        new MemoryBudget(maxBytes, 0.5),
        EvictionOrder.OLDEST_FIRST,
        uploads,
        clock);
  }

  @Test
  void aPageStillBeingStoredWhenItsPartitionIsForgottenCountsUntilItsUploadEnds() throws Exception {
    HeldUploads uploads = new HeldUploads();
    PageAssembler pooled = twoEventPages(uploads, 1_000_000);
    pooled.accept(P0, 0, "a", event(0, 5_000));
    pooled.accept(P0, 1, "a", event(1, 5_000)); // a's page closes on its count
    pooled.writeClosedPages(); // and is being stored
    PageBuffer inFlight = uploads.submitted.get(0);
    pooled.accept(P0, 2, "b", event(2, 100)); // b's open page: dropped with the partition
    pooled.accept(P1, 0, "c", event(0, 100)); // c's open page: stays
    long c =
        pooled.memory().usedBytes() - inFlight.heapBytes() - openPageOf(pooled, P0).heapBytes();

    // The revocation's flush failed (or was interrupted): P0 is forgotten with a's upload running.
    pooled.forgetPartitions(List.of(P0));

    assertThat(pooled.memory().usedBytes())
        .as("a's page is still on the heap, held by its upload; b's is free")
        .isEqualTo(inFlight.heapBytes() + c);

    pooled.accept(P0, 2, "b", event(2, 100)); // P0 assigned again: re-delivered from 2
    long bAgain = openPageOf(pooled, P0).heapBytes();
    uploads.finishAll(); // a's upload ends after all
    pooled.committableOffsets(); // takes its outcome in

    assertThat(pooled.memory().usedBytes())
        .as("a's bytes given back once, when its upload ended")
        .isEqualTo(c + bAgain);
    uploads.afterSubmit = uploads::finishAll; // the stop's flush waits for its pages
    pooled.flushPartitions(List.of(P0, P1), FlushReason.TASK_STOP);
    assertThat(pooled.memory().usedBytes()).isZero();
    assertThat(pooled.committableOffsets()).containsEntry(P0, 3L).containsEntry(P1, 1L);
  }

  @Test
  void aFailedUploadOfAForgottenPartitionsPageGivesItsMemoryBack() throws Exception {
    HeldUploads uploads = new HeldUploads();
    PageAssembler pooled = twoEventPages(uploads, 1_000_000);
    pooled.accept(P0, 0, "a", event(0, 5_000));
    pooled.accept(P0, 1, "a", event(1, 5_000));
    pooled.writeClosedPages();
    pooled.forgetPartitions(List.of(P0));
    assertThat(pooled.memory().usedBytes()).isPositive();

    uploads.failAll();

    assertThat(catchThrowable(pooled::writeClosedPages))
        .as("nobody retries it: not reported")
        .isNull();
    assertThat(pooled.memory().usedBytes()).isZero();
  }

  @Test
  void pagesStillBeingStoredForAForgottenPartitionKeepTheTaskOverItsBudget() throws Exception {
    HeldUploads uploads = new HeldUploads();
    PageAssembler pooled = twoEventPages(uploads, 15_000);
    pooled.accept(P0, 0, "a", event(0, 5_000));
    pooled.accept(P0, 1, "a", event(1, 5_000)); // ~10 KB being stored
    pooled.writeClosedPages();
    pooled.forgetPartitions(List.of(P0));
    pooled.accept(P1, 0, "b", event(0, 8_000)); // over the budget only with a's page counted

    assertThat(pooled.memory().overBudget()).as("pause for memory").isTrue();
    pooled.closePagesOverBudget();
    assertThat(pooled.stats().openPages()).as("b's page closed early").isZero();
  }

  private static PageBuffer openPageOf(PageAssembler assembler, TopicPartition partition) {
    List<PageBuffer> open =
        BufferedPages.open(assembler).stream()
            .filter(page -> page.partition().equals(partition))
            .toList();
    assertThat(open).hasSize(1);
    return open.get(0);
  }

  @Test
  void pagesStoredSinceTheLastLookNoLongerCountAgainstTheBudget() throws Exception {
    HeldUploads uploads = new HeldUploads();
    PageAssembler pooled =
        new PageAssembler(
            new FlushPolicy(new FlushLimits(4, 100_000, Duration.ofSeconds(10))),
            new MemoryBudget(6_000, 0.5),
            EvictionOrder.OLDEST_FIRST,
            uploads,
            clock);
    for (long o = 0; o < 4; o++) {
      pooled.accept(P0, o, "a", event(o, 1_000)); // a's page (~5 KB of heap) closes on its count
    }
    pooled.writeClosedPages(); // handed to the uploads
    uploads.finishAll(); // durable, but its outcome is not taken yet
    for (long o = 4; o < 7; o++) {
      pooled.accept(
          P0, o, "b", event(o, 1_000)); // ~4 KB: over the budget only with a's page counted
    }

    pooled.closePagesOverBudget();

    assertThat(pooled.stats().openPages()).as("b's page stays open").isEqualTo(1);
    assertThat(pooled.memory().overBudget()).isFalse();
  }

  @Test
  void pagesAlreadyBeingStoredWhenThePartitionTurnsOutLostAreLeftToFinish() throws Exception {
    HeldUploads uploads = new HeldUploads();
    RevocationLookup lookup = new RevocationLookup();
    PageAssembler zombie =
        new PageAssembler(
            new FlushPolicy(new FlushLimits(3, 100_000, Duration.ofSeconds(10))),
            new MemoryBudget(100_000, 0.5),
            EvictionOrder.OLDEST_FIRST,
            uploads,
            lookup,
            clock);
    for (long o = 0; o < 3; o++) {
      zombie.accept(P0, o, "a", event(o, 1)); // a's page 0..2 closes on its count
    }
    zombie.writeClosedPages(); // and is being stored
    for (long o = 3; o < 6; o++) {
      zombie.accept(P0, o, "b", event(o, 1)); // b's page 3..5 closes, not handed over yet
    }
    zombie.accept(P0, 6, "a", event(6, 1)); // a's open page
    lookup.atRevocation = () -> StoredRanges.builder().add("a", 6, 6, 1006, 1006).build();
    lookup.revoking = true;
    uploads.finishAll(); // a's page 0..2 is durable; its outcome is taken during the revocation

    RevokedPages revoked = zombie.flushRevokedPartitions(List.of(P0));

    long bytesPerEvent = PageBuffer.estimateBytes(event(0, 1));
    assertThat(revoked)
        .as("a's page 0..2 being stored is stored; b's page and a's open one are left")
        .isEqualTo(
            new RevokedPages(
                new RevokedPages.Pages(1, 3, 3 * bytesPerEvent),
                new RevokedPages.Pages(2, 4, 4 * bytesPerEvent),
                List.of(P0)));
    assertThat(lookup.asked).as("from the lowest offset not being stored").endsWith("0@3");
    assertThat(uploads.submitted).as("nothing more handed over").isEmpty();
    assertThat(zombie.takeRecordsLeftToNewOwner())
        .as("b's closed page and a's open one")
        .isEqualTo(4);
    assertThat(zombie.memory().usedBytes()).isZero();
  }

  @Test
  void countClosesThePageAtMaxEvents() throws Exception {
    for (long o = 0; o < 4; o++) {
      assembler.accept(P0, o, "a", event(o, 1));
    }
    assembler.writeClosedPages();
    assertThat(written).hasSize(1);
    assertThat(written.get(0).eventCount()).isEqualTo(3);
    assertThat(written.get(0).closeReason()).isEqualTo(FlushReason.EVENT_COUNT);
    assertThat(assembler.committableOffsets()).containsEntry(P0, 3L);
  }

  @Test
  void sizeClosesThePageAtMaxBytes() throws Exception {
    assembler.accept(P0, 0, "a", event(0, 600));
    assembler.accept(P0, 1, "a", event(1, 600));
    assembler.writeClosedPages();
    assertThat(written)
        .singleElement()
        .satisfies(
            page -> {
              assertThat(page.closeReason()).isEqualTo(FlushReason.SIZE);
              assertThat(page.eventCount()).isEqualTo(2);
            });
  }

  @Test
  void oversizedEventGetsAPageOfItsOwnAfterTheWritersEarlierEvents() throws Exception {
    assembler.accept(P0, 0, "a", event(0, 1));
    assembler.accept(P0, 1, "a", event(1, 5_000));
    assembler.writeClosedPages();
    assertThat(written).extracting(PageBuffer::eventCount).containsExactly(1, 1);
    assertThat(written).extracting(page -> page.firstOffset()).containsExactly(0L, 1L);
  }

  /**
   * An event larger than page readers accept (in any format) is refused before anything changes:
   * the sink takes it for a bad record, and the writer's buffered events and later records go on. A
   * 48 MiB payload is 64 MiB in base64, more than readers accept of an NDJSON line with the rest.
   */
  @Test
  void anEventLargerThanPageReadersAcceptIsRefusedAndChangesNothing() throws Exception {
    assembler.accept(P0, 0, "a", event(0, 1));
    assertThatThrownBy(() -> assembler.accept(P0, 1, "a", event(1, 48 << 20)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than the 64 MiB page readers accept for one event");
    assembler.skip(P0, 1); // as the sink does with a bad record
    assembler.accept(P0, 2, "a", event(2, 5_000)); // oversized for this test's pages, not readers
    assembler.writeClosedPages();
    assertThat(written).extracting(PageBuffer::eventCount).containsExactly(1, 1);
    assertThat(written).extracting(page -> page.firstOffset()).containsExactly(0L, 2L);
  }

  /**
   * Readers' limits are on encoded bytes: an attribute of 22 M characters of CJK text counts 22 M
   * in the size estimate but takes 66 MB of UTF-8; one of 12 M control characters, 72 MB of JSON
   * escapes in an NDJSON line.
   */
  @Test
  void anEventWhoseTextEncodesLargerThanReadersAcceptIsRefused() {
    for (String text : List.of("中".repeat(22 << 20), "\u0001".repeat(12 << 20))) {
      Event event = new Event("e1", 1001, new byte[1], Map.of("text", text));
      assertThat(PageBuffer.estimateBytes(event)).isLessThan(48 << 20);
      assertThatThrownBy(() -> assembler.accept(P0, 1, "a", event))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("more than the 64 MiB page readers accept for one event");
    }
    assertThat(assembler.stats().bufferedEvents()).isZero();
  }

  /**
   * Events that readers accept one by one, but together take more than a page may: each of 10 M
   * control characters is 60 MB as an NDJSON line, five are over 256 MiB, though their size
   * estimate (50 M) is within buffer.max.size.bytes. The page closes before the fifth joins it.
   */
  @Test
  void aPageClosesBeforeItsEventsCouldTakeMoreThanReadersAcceptOfAPage() throws Exception {
    List<Long> encodedBytes = new ArrayList<>(); // of each page's events, as it is stored
    PageAssembler large =
        new PageAssembler(
            new FlushPolicy(new FlushLimits(1_000, 64 << 20, Duration.ofSeconds(10))),
            new MemoryBudget(1L << 30, 0.5),
            page -> {
              written.add(page);
              encodedBytes.add(
                  page.decodedEvents().stream().mapToLong(EventSizes::largestEncoding).sum());
            },
            clock);
    String text = "\u0001".repeat(10 << 20);
    for (int i = 0; i < 5; i++) {
      large.accept(P0, i, "a", new Event("e" + i, 1000 + i, new byte[1], Map.of("text", text)));
    }
    large.flushPartitions(List.of(P0), FlushReason.TASK_STOP);
    assertThat(written).extracting(PageBuffer::eventCount).containsExactly(4, 1);
    assertThat(written.get(0).closeReason()).isEqualTo(FlushReason.SIZE);
    assertThat(written.get(0).estimatedBytes()).isLessThan(64 << 20);
    assertThat(encodedBytes.get(0)).isLessThanOrEqualTo(EventSizes.MAX_PAGE_EVENTS_BYTES);
    long fiveLines = encodedBytes.get(0) + encodedBytes.get(1);
    assertThat(fiveLines).isGreaterThan(PageLimits.DEFAULT.maxPageBytes());
  }

  @Test
  void ageClosesIdleWritersAndIdlePartitions() throws Exception {
    assembler.accept(P0, 0, "a", event(0, 1));
    clock.advance(6_000);
    assembler.accept(P1, 0, "b", event(0, 1));
    clock.advance(4_000);
    assembler.closeExpiredPages(); // P0's page is 10 s old, P1's 4 s
    assembler.writeClosedPages();
    assertThat(written)
        .singleElement()
        .satisfies(
            page -> {
              assertThat(page.partition()).isEqualTo(P0);
              assertThat(page.closeReason()).isEqualTo(FlushReason.AGE);
            });
    clock.advance(6_000);
    assembler.closeExpiredPages(); // nothing new arrived anywhere
    assembler.writeClosedPages();
    assertThat(written).hasSize(2);
    assertThat(written.get(1).partition()).isEqualTo(P1);
  }

  @Test
  void sessionEndClosesOnlyThatWritersPageAndIsNotAnEvent() throws Exception {
    assembler.accept(P0, 0, "a", event(0, 1));
    assembler.accept(P0, 1, "b", event(1, 1));
    assembler.endSession(P0, 2, "a");
    assembler.writeClosedPages();
    assertThat(written)
        .singleElement()
        .satisfies(
            page -> {
              assertThat(page.writerId()).isEqualTo("a");
              assertThat(page.eventCount()).isEqualTo(1);
              assertThat(page.closeReason()).isEqualTo(FlushReason.SESSION_END);
            });
    // b's page (offset 1) is still in memory: the commit stops there.
    assertThat(assembler.committableOffsets()).containsEntry(P0, 1L);
  }

  @Test
  void memoryBudgetClosesTheOldestPagesFirst() throws Exception {
    for (int w = 0; w < 5; w++) {
      assembler.accept(P0, w, "w" + w, event(w, 500)); // 5 x ~530 bytes > 2000
      clock.advance(1);
    }
    assembler.closePagesOverBudget();
    assembler.writeClosedPages();
    assertThat(written).isNotEmpty();
    assertThat(written).extracting(PageBuffer::writerId).startsWith("w0", "w1");
    assertThat(written)
        .allSatisfy(page -> assertThat(page.closeReason()).isEqualTo(FlushReason.MEMORY));
    assertThat(assembler.memory().usedBytes())
        .isLessThanOrEqualTo(assembler.memory().lowWaterBytes());
  }

  @Test
  void largestFirstEvictionStoresTheLargestPagesFirst() throws Exception {
    List<PageBuffer> stored = new ArrayList<>();
    PageAssembler largest =
        new PageAssembler(
            new FlushPolicy(new FlushLimits(100, 100_000, Duration.ofSeconds(10))),
            new MemoryBudget(4_000, 0.5),
            EvictionOrder.LARGEST_FIRST,
            stored::add,
            clock);
    largest.accept(P0, 0, "small", event(0, 10));
    largest.accept(P0, 1, "big", event(1, 2_000));
    largest.accept(P0, 2, "big", event(2, 2_000));
    largest.closePagesOverBudget();
    largest.writeClosedPages();
    assertThat(stored).extracting(PageBuffer::writerId).containsExactly("big");
    assertThat(largest.committableOffsets())
        .containsEntry(P0, 0L); // "small" still holds the offset back
  }

  @Test
  void failedWriteKeepsThePageAndTheOffsetUntilItSucceeds() throws Exception {
    List<PageBuffer> stored = new ArrayList<>();
    boolean[] down = {true};
    PageAssembler failing =
        new PageAssembler(
            new FlushPolicy(new FlushLimits(2, 1_000, Duration.ofSeconds(10))),
            new MemoryBudget(10_000, 0.5),
            page -> {
              if (down[0]) {
                throw new java.io.IOException("down");
              }
              stored.add(page);
            },
            clock);
    failing.accept(P0, 10, "a", event(10, 1));
    failing.accept(P0, 11, "a", event(11, 1));
    org.assertj.core.api.Assertions.assertThatThrownBy(failing::writeClosedPages)
        .hasMessage("down");
    assertThat(failing.committableOffsets()).containsEntry(P0, 10L);
    failing.accept(P0, 11, "a", event(11, 1)); // re-delivered: ignored
    down[0] = false;
    failing.writeClosedPages();
    assertThat(stored)
        .singleElement()
        .satisfies(page -> assertThat(page.eventCount()).isEqualTo(2));
    assertThat(failing.committableOffsets()).containsEntry(P0, 12L);
  }

  @Test
  void forgettingAPartitionReleasesItsMemory() {
    assembler.accept(P0, 0, "a", event(0, 100));
    assembler.forgetPartitions(Set.of(P0));
    assertThat(assembler.memory().usedBytes()).isZero();
    assertThat(assembler.committableOffsets()).doesNotContainKey(P0);
  }
}
