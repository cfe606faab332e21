package io.prism.snapshotter.buffer;

import io.prism.snapshotter.page.ChunkPool;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.EventSizes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a stream of (partition, offset, writer, event) into closed pages, and knows, for every
 * partition, the offset below which every record is durable.
 *
 * <p>Knows nothing of Kafka Connect: the sink task feeds it and asks it for offsets. Not
 * thread-safe; a sink task calls it from one thread. Closed pages are stored by a {@link
 * PageUploads}, which may work on other threads: a closed page stays in its partition's queue,
 * holding the partition's offset back, until its outcome says it is durable.
 *
 * <p>Failure model: {@link #writeClosedPages()} rethrows the first failure the uploads report; the
 * failed page (and every other page not yet durable) stays queued and is tried again on a later
 * call. Records offered again after such a failure (Connect re-delivers the batch) are recognised
 * by offset and ignored, so nothing is buffered twice.
 *
 * <p>Re-delivery after a crash or a rebalance: when a partition's first record arrives after it was
 * assigned, the {@link StoredPageLookup} says which pages are already durable from that offset on.
 * Their records are not buffered again, and a writer's open page ends where a stored page of the
 * writer begins, so a writer's records form the same pages as before and a page that was stored but
 * not indexed (the task died in between) is met again under its own key and indexed then.
 *
 * <p>Revocation: {@link #flushRevokedPartitions} stores a revoked partition's open pages, unless
 * another task has meanwhile stored records of it that this one still buffers (this task was frozen
 * and lost the partition): those pages would only be extra copies, and are dropped.
 */
public final class PageAssembler {
  private static final Logger log = LoggerFactory.getLogger(PageAssembler.class);

  /**
   * Failures of other pages attached to the one reported, at most: the failure's stack is logged
   * with all of them (StorageFailures), and in an outage every open page fails at once.
   */
  static final int MAX_SUPPRESSED_FAILURES = 3;

  /** How often a flush that waits for its pages looks again (outcomes wake it earlier). */
  private static final Duration OUTCOME_POLL = Duration.ofMillis(100);

  /**
   * The chunk pool keeps up to this share of the memory budget, outside it (8 MiB for the default
   * 128 MiB): enough for the pages that close between two looks at the stored ones.
   */
  private static final int CHUNK_POOL_SHARE = 16;

  private final NewPageCheck newPages;
  private final FlushPolicy policy;
  private final MemoryBudget memory;

  /** Chunks of stored pages, for the events of later pages ({@link #CHUNK_POOL_SHARE}). */
  private final ChunkPool chunks;

  private final EvictionOrder evictionOrder;
  private final PageUploads uploads;
  private final StoredPageLookup storedPages;
  private final LostPartitionCheck lostPartitions;
  private final Clock clock;
  private final Map<TopicPartition, PartitionBuffers> partitions = new HashMap<>();

  /**
   * Pages handed to {@link #uploads} whose outcome is not taken yet (forgotten partitions'
   * included).
   */
  private int storing;

  private int storedSinceLastCall;

  /**
   * Re-delivered records recognised as already stored since {@link #takeRecordsAlreadyStored} last
   * asked.
   */
  private long alreadyStoredSinceLastCall;

  /**
   * Buffered records dropped at revocation (another task stored them) since {@link
   * #takeRecordsLeftToNewOwner}.
   */
  private long leftToNewOwnerSinceLastCall;

  /** Failures taken from {@link #uploads} and not yet rethrown by {@link #writeClosedPages()}. */
  private final UnreportedFailures unreported = new UnreportedFailures(MAX_SUPPRESSED_FAILURES);

  /** The page of the failure {@link #throwPendingFailure} threw last, until asked for. */
  private PageBuffer pageOfThrownFailure;

  /** Pages are stored on the calling thread, one at a time. */
  public PageAssembler(FlushPolicy policy, MemoryBudget memory, PageSink sink, Clock clock) {
    this(policy, memory, EvictionOrder.OLDEST_FIRST, sink, clock);
  }

  /** Pages are stored on the calling thread, one at a time. */
  public PageAssembler(
      FlushPolicy policy,
      MemoryBudget memory,
      EvictionOrder evictionOrder,
      PageSink sink,
      Clock clock) {
    this(policy, memory, evictionOrder, PageUploads.inline(sink), clock);
  }

  /** Pages are stored by {@code uploads}, possibly on other threads while this one buffers more. */
  public PageAssembler(
      FlushPolicy policy,
      MemoryBudget memory,
      EvictionOrder evictionOrder,
      PageUploads uploads,
      Clock clock) {
    this(policy, memory, evictionOrder, uploads, StoredPageLookup.NONE, clock);
  }

  /**
   * Pages are stored by {@code uploads}; records re-delivered into pages that {@code storedPages}
   * knows are durable are not buffered again.
   */
  public PageAssembler(
      FlushPolicy policy,
      MemoryBudget memory,
      EvictionOrder evictionOrder,
      PageUploads uploads,
      StoredPageLookup storedPages,
      Clock clock) {
    this(policy, memory, evictionOrder, uploads, storedPages, NewPageCheck.NONE, clock);
  }

  /** As above; {@code newPages} is asked before each new page is opened (its key, say). */
  public PageAssembler(
      FlushPolicy policy,
      MemoryBudget memory,
      EvictionOrder evictionOrder,
      PageUploads uploads,
      StoredPageLookup storedPages,
      NewPageCheck newPages,
      Clock clock) {
    this.newPages = newPages;
    this.policy = policy;
    this.evictionOrder = evictionOrder;
    this.memory = memory;
    this.chunks = ChunkPool.ofBytes(memory.maxBytes() / CHUNK_POOL_SHARE);
    this.uploads = uploads;
    this.storedPages = storedPages;
    this.lostPartitions = new LostPartitionCheck(storedPages);
    this.clock = clock;
  }

  /**
   * The partition's buffers; the first record since the partition was assigned (or forgotten)
   * creates them, after asking which pages from its offset on are already stored.
   */
  private PartitionBuffers buffersOf(TopicPartition partition, long offset) {
    PartitionBuffers buffers = partitions.get(partition);
    if (buffers == null) {
      StoredRanges stored = storedPages.find(partition, offset);
      if (!stored.isEmpty()) {
        log.info(
            "{}: records from offset {} up to {} may already be in stored pages; those will not be stored again",
            partition,
            offset,
            stored.lastOffset());
      }
      buffers = new PartitionBuffers(partition, stored, chunks);
      partitions.put(partition, buffers);
    }
    return buffers;
  }

  /** Adds one event of {@code writerId}, whose time is its record's own timestamp. */
  public void accept(TopicPartition partition, long offset, String writerId, Event event) {
    accept(partition, offset, writerId, event, true);
  }

  /**
   * Adds one event of {@code writerId}. Pages that reach a threshold are closed, not written.
   *
   * @param recordTime whether the event's time is its record's timestamp (false: the task's clock,
   *     for a record without one), which tells the sink whether the time identifies the record
   */
  public void accept(
      TopicPartition partition, long offset, String writerId, Event event, boolean recordTime) {
    PartitionBuffers buffers = buffersOf(partition, offset);
    if (buffers.alreadyAccepted(offset)) {
      return;
    }
    if (buffers.expectsStoredRecords() && isAlreadyStored(buffers, offset, writerId, event)) {
      alreadyStoredSinceLastCall++;
      buffers.close(writerId, FlushReason.REDELIVERED);
      buffers.accepted(offset);
      return;
    }
    long eventBytes = PageBuffer.estimateBytes(event);
    long encodedBound = PageBuffer.encodedBytesBound(event, eventBytes);
    if (encodedBound > EventSizes.MAX_EVENT_BYTES) {
      checkReadable(event); // nothing changed yet: the sink skips a refused record as a bad one
    }
    if (policy.isOversized(eventBytes)) {
      newPages.check(partition, writerId, offset, event.timestampMillis());
      // Keep the writer's order: what it had buffered goes first, then this event alone.
      buffers.close(writerId, FlushReason.OVERSIZED_EVENT);
      PageBuffer alone = new PageBuffer(partition, writerId, clock.millis(), chunks);
      alone.append(event, offset, eventBytes, encodedBound, recordTime);
      buffers.addClosed(alone, FlushReason.OVERSIZED_EVENT);
      memory.reserve(alone.heapBytes());
    } else {
      PageBuffer page = buffers.openPageOf(writerId);
      if (page != null && policy.isFullFor(page, encodedBound)) {
        buffers.close(writerId, FlushReason.SIZE);
        page = null;
      }
      if (page == null) {
        newPages.check(partition, writerId, offset, event.timestampMillis());
        page = buffers.openPage(writerId, clock.millis());
      }
      long heapBefore = page.isEmpty() ? 0 : page.heapBytes();
      page.append(event, offset, eventBytes, encodedBound, recordTime);
      memory.reserve(page.heapBytes() - heapBefore);
      FlushReason reason = policy.afterAppend(page);
      if (reason != null) {
        buffers.close(writerId, reason);
      }
    }
    buffers.accepted(offset);
  }

  /**
   * Refuses an event larger, encoded, than page readers accept for one event: a page holding it
   * could not be read back, the writer's other events on it included.
   */
  private static void checkReadable(Event event) {
    long encoded = EventSizes.largestEncoding(event);
    if (encoded > EventSizes.MAX_EVENT_BYTES) {
      throw new IllegalArgumentException(
          "the event takes "
              + encoded
              + " bytes encoded (the larger of its protobuf message and its NDJSON line, where the"
              + " payload is base64 and the id and attributes JSON-escaped), more than the "
              + (EventSizes.MAX_EVENT_BYTES >> 20)
              + " MiB page readers accept for one event in any page format");
    }
  }

  private static boolean isAlreadyStored(
      PartitionBuffers buffers, long offset, String writerId, Event event) {
    boolean stored = buffers.alreadyStored(writerId, offset, event.timestampMillis());
    if (!buffers.expectsStoredRecords()) {
      log.info(
          "{}: past the pages stored before the assignment; {} re-delivered records were in them and not stored again",
          buffers.partition(),
          buffers.recognisedAsStored());
    }
    return stored;
  }

  /**
   * How many re-delivered records were found already stored (and not buffered) since the last call.
   */
  public long takeRecordsAlreadyStored() {
    long count = alreadyStoredSinceLastCall;
    alreadyStoredSinceLastCall = 0;
    return count;
  }

  /**
   * True when the record at {@code offset} was taken already (buffered, skipped or reported), as
   * when Connect re-delivers a batch after a retriable failure. Creates no buffers and asks no
   * index: a partition not seen since its assignment has accepted nothing.
   */
  public boolean alreadyAccepted(TopicPartition partition, long offset) {
    PartitionBuffers buffers = partitions.get(partition);
    return buffers != null && buffers.alreadyAccepted(offset);
  }

  /** A record that carries no event (a tombstone, a record sent to the dead letter queue). */
  public void skip(TopicPartition partition, long offset) {
    PartitionBuffers buffers = buffersOf(partition, offset);
    if (!buffers.alreadyAccepted(offset)) {
      buffers.accepted(offset);
    }
  }

  /** The writer's session ended: its open page in this partition closes now. */
  public void endSession(TopicPartition partition, long offset, String writerId) {
    PartitionBuffers buffers = buffersOf(partition, offset);
    if (buffers.alreadyAccepted(offset)) {
      return;
    }
    buffers.close(writerId, FlushReason.SESSION_END);
    buffers.accepted(offset);
  }

  /**
   * Closes every open page whose first event is older than the age limit, in every partition, also
   * those that received nothing in this batch (idle writers, idle partitions).
   */
  public void closeExpiredPages() {
    long now = clock.millis();
    for (PartitionBuffers buffers : partitions.values()) {
      PageBuffer oldest;
      while ((oldest = buffers.oldestOpen()) != null && policy.isExpired(oldest, now)) {
        buffers.close(oldest.writerId(), FlushReason.AGE);
      }
    }
  }

  /**
   * Over the memory budget, closes open pages until the open pages fit under the budget's low-water
   * mark, in the configured {@link EvictionOrder}: oldest first by default, because the oldest page
   * of a partition is the one holding back its committed offset.
   */
  public void closePagesOverBudget() {
    // Pages stored since the last look still count in the budget until their outcomes are taken:
    // take them first, or a busy pool would make pages close early for memory it already freed.
    takeOutcomes(uploads.takeOutcomes());
    if (!memory.overBudget()) {
      return;
    }
    long openBytes = openBytes();
    if (evictionOrder == EvictionOrder.LARGEST_FIRST) {
      List<PageBuffer> open = new ArrayList<>();
      for (PartitionBuffers buffers : partitions.values()) {
        open.addAll(buffers.openPages());
      }
      open.sort(Comparator.comparingLong(PageBuffer::heapBytes).reversed());
      for (PageBuffer page : open) {
        if (openBytes <= memory.lowWaterBytes()) {
          break;
        }
        partitions.get(page.partition()).close(page.writerId(), FlushReason.MEMORY);
        openBytes -= page.heapBytes();
      }
      return;
    }
    while (openBytes > memory.lowWaterBytes()) {
      PageBuffer oldest = null;
      PartitionBuffers owner = null;
      for (PartitionBuffers buffers : partitions.values()) {
        PageBuffer candidate = buffers.oldestOpen();
        if (candidate != null
            && (oldest == null || candidate.openedAtMillis() < oldest.openedAtMillis())) {
          oldest = candidate;
          owner = buffers;
        }
      }
      if (oldest == null) {
        break;
      }
      owner.close(oldest.writerId(), FlushReason.MEMORY);
      openBytes -= oldest.heapBytes();
    }
  }

  private long openBytes() {
    long bytes = 0;
    for (PartitionBuffers buffers : partitions.values()) {
      for (PageBuffer page : buffers.openPages()) {
        bytes += page.heapBytes();
      }
    }
    return bytes;
  }

  /**
   * Hands every closed page that is not already being stored to the {@link PageUploads} (oldest
   * first per partition), and takes in the outcomes that are ready. Returns how many pages became
   * durable since the last call. Rethrows the first failure not yet reported: that page stays
   * queued and is handed over again on a later call; when a failure is pending, the call reports it
   * before handing anything over, so the caller backs off before the retry.
   */
  public int writeClosedPages() throws Exception {
    takeOutcomes(uploads.takeOutcomes());
    throwPendingFailure();
    for (PartitionBuffers buffers : partitions.values()) {
      submitWaitingPages(buffers, true);
      if (!unreported.isEmpty()) {
        break;
      }
    }
    throwPendingFailure();
    int stored = storedSinceLastCall;
    storedSinceLastCall = 0;
    return stored;
  }

  /**
   * Hands over the partition's closed pages that are neither durable nor being stored, oldest
   * first. Each is handed over at most once per call: one that fails meanwhile (inline uploads
   * store at once) waits for the next call.
   */
  private void submitWaitingPages(PartitionBuffers buffers, boolean stopAtFailure) {
    for (int waiting = buffers.waitingPages(); waiting > 0; waiting--) {
      PageBuffer page = buffers.takeWaiting();
      page.storing(true);
      storing++;
      uploads.submit(page);
      // Cheap when nothing is ready; stores inline at once, so a failure stops this loop as before.
      takeOutcomes(uploads.takeOutcomes());
      if (stopAtFailure && !unreported.isEmpty()) {
        return;
      }
    }
  }

  /**
   * Applies outcomes: a durable page leaves its partition (its offset no longer holds the
   * partition's commit back) and its memory is released; a failed one waits for the next attempt. A
   * page whose partition was forgotten while it was being stored belongs to nobody any more: its
   * memory is released now, whatever the outcome (and nothing else changes).
   */
  private void takeOutcomes(List<PageUploads.PageOutcome> outcomes) {
    for (PageUploads.PageOutcome outcome : outcomes) {
      PageBuffer page = outcome.page();
      storing--;
      page.storing(false);
      PartitionBuffers buffers = partitions.get(page.partition());
      if (outcome.isStored()) {
        page.lastFailure(null);
        // Not found means the partition was forgotten (or dropped the page).
        if (buffers != null && buffers.removeStored(page)) {
          storedSinceLastCall++;
        }
        free(page);
      } else {
        page.lastFailure(outcome.failure());
        if (buffers != null && buffers.handBack(page)) {
          unreported.add(page);
        } else {
          free(page);
        }
      }
    }
  }

  /**
   * Gives a page's memory back, to the memory budget and its chunks to the pool, once no upload
   * reads it and nothing will store it: it is durable, or dropped while not being stored, or its
   * upload ended after its partition was forgotten. The budget counted the page from its first
   * event on, and gets its bytes back exactly once, however many of these paths the page takes.
   */
  private void free(PageBuffer page) {
    long bytes = page.heapBytes();
    if (page.release()) {
      memory.release(bytes);
    }
  }

  /**
   * Throws the failures not yet reported whose pages are still waiting to be stored: not those of
   * pages dropped or forgotten with their partition since.
   */
  private void throwPendingFailure() throws Exception {
    UnreportedFailures.Taken taken = unreported.take(this::isQueued);
    if (taken != null) {
      pageOfThrownFailure = taken.page();
      throw taken.failure();
    }
  }

  /**
   * The page whose failure to be stored is {@code failure}, when this assembler threw it last; else
   * null. With several upload threads, the page that failed last in time may be another one. Asked
   * once per failure: the page is forgotten then, so that its buffers are not kept alive.
   */
  public PageBuffer pageThatFailedWith(Throwable failure) {
    PageBuffer page = pageOfThrownFailure;
    pageOfThrownFailure = null;
    return page != null && page.lastFailure() == failure ? page : null;
  }

  /** Whether {@code page} waits in its partition's closed queue (identity: no equals). */
  private boolean isQueued(PageBuffer page) {
    PartitionBuffers buffers = partitions.get(page.partition());
    return buffers != null && buffers.closedPages().contains(page);
  }

  /**
   * Backpressure: while the buffers (pages being stored included) are over the memory budget and
   * pages are being stored, waits up to {@code maxWait} for them. Returns without throwing when a
   * store fails; {@link #writeClosedPages()} reports the failure.
   */
  public void awaitStoredWithinBudget(Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (memory.overBudget() && storing > 0 && unreported.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      takeOutcomes(uploads.awaitOutcomes(Duration.ofNanos(left)));
    }
  }

  /**
   * Before revoked partitions are forgotten: stores their open pages as {@link #flushPartitions}
   * does, except those of a partition that another task owns already. Such a partition is known by
   * a page, stored by another task, holding a record still buffered here (see {@link
   * LostPartitionCheck}); its pages not yet being stored are dropped instead. That is safe: a
   * record buffered here is past the partition's committed offset, so its new owner has it or will
   * read it. Pages already being stored are waited for as usual (they finish or are refused).
   *
   * <p>Returns what was stored and what was left, for the line that reports the revocation; when a
   * page cannot be stored, throws instead (as {@link #storeClosedPagesOf} does).
   */
  public RevokedPages flushRevokedPartitions(Collection<TopicPartition> revoked) throws Exception {
    RevokedPages.Pages left = RevokedPages.Pages.NONE;
    RevokedPages.Pages stored = RevokedPages.Pages.NONE;
    List<TopicPartition> leftPartitions = new ArrayList<>();
    for (TopicPartition partition : revoked) {
      PartitionBuffers buffers = partitions.get(partition);
      if (buffers == null) {
        continue;
      }
      var storedByAnother = lostPartitions.pageOfAnotherTask(buffers);
      if (storedByAnother.isPresent()) {
        left = leaveToNewOwner(buffers, storedByAnother.get(), left);
        leftPartitions.add(partition);
      }
      // What is left of the partition is stored next, or the flush throws.
      for (PageBuffer page : buffers.openPages()) {
        stored = stored.plus(page);
      }
      for (PageBuffer page : buffers.closedPages()) {
        stored = stored.plus(page);
      }
    }
    flushPartitions(revoked, FlushReason.PARTITION_REVOKED);
    return new RevokedPages(stored, left, leftPartitions);
  }

  /** Drops the partition's pages not being stored; returns {@code left} plus those pages. */
  private RevokedPages.Pages leaveToNewOwner(
      PartitionBuffers buffers, StoredRanges.StoredPage storedByAnother, RevokedPages.Pages left) {
    List<PageBuffer> dropped = buffers.dropPagesNotBeingStored();
    long records = 0;
    for (PageBuffer page : dropped) {
      records += page.eventCount();
      left = left.plus(page);
      free(page);
    }
    leftToNewOwnerSinceLastCall += records;
    // Usually a new owner's page; it may also be one stored before this assignment that the lookup
    // did not show then (the index was down, say): either way those records are stored or will be.
    log.warn(
        "{}: {} is stored already and holds a record buffered here: another task has taken the partition "
            + "over (or the page was stored before this assignment and not yet indexed then). Dropping {} pages "
            + "({} records) instead of storing copies; the partition's owner has them or will read them",
        buffers.partition(),
        storedByAnother,
        dropped.size(),
        records);
    return left;
  }

  /**
   * How many buffered records were left to a partition's new owner (not stored) since the last
   * call.
   */
  public long takeRecordsLeftToNewOwner() {
    long count = leftToNewOwnerSinceLastCall;
    leftToNewOwnerSinceLastCall = 0;
    return count;
  }

  /**
   * Closes every open page of these partitions, then stores them as {@link #storeClosedPagesOf}
   * does.
   */
  public void flushPartitions(Collection<TopicPartition> revoked, FlushReason reason)
      throws Exception {
    for (TopicPartition partition : revoked) {
      PartitionBuffers buffers = partitions.get(partition);
      if (buffers != null) {
        buffers.closeAll(reason);
      }
    }
    storeClosedPagesOf(revoked);
  }

  /**
   * Stores the closed pages of these partitions and returns once every one is durable, e.g. before
   * the partitions are revoked; rethrows a failure of one of them (each is tried once). Pages
   * already being stored are waited for, not stored twice.
   */
  public void storeClosedPagesOf(Collection<TopicPartition> revoked) throws Exception {
    List<PartitionBuffers> owned = new ArrayList<>();
    for (TopicPartition partition : revoked) {
      PartitionBuffers buffers = partitions.get(partition);
      if (buffers != null) {
        owned.add(buffers);
        submitWaitingPages(buffers, false);
      }
    }
    while (anyStoring(owned)) {
      takeOutcomes(uploads.awaitOutcomes(OUTCOME_POLL));
    }
    // Reported here, with the pages they belong to (or stored since).
    unreported.removeIf(page -> revoked.contains(page.partition()));
    for (PartitionBuffers buffers : owned) {
      PageBuffer failed = buffers.oldestClosed();
      if (failed != null) {
        Exception cause = failed.lastFailure();
        throw cause != null ? cause : new IllegalStateException(failed + " was not stored");
      }
    }
  }

  private static boolean anyStoring(List<PartitionBuffers> owned) {
    for (PartitionBuffers buffers : owned) {
      for (PageBuffer page : buffers.closedPages()) {
        if (page.storing()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Forgets these partitions and everything buffered for them. Their offsets were never committed
   * past what is durable, so Kafka re-delivers whatever is dropped here.
   *
   * <p>Pages still being stored (a revocation whose flush failed or was interrupted) are left to
   * finish: their upload still holds them, so their bytes stay in the memory budget until their
   * outcomes are taken (see {@link #takeOutcomes}), and count toward pausing and closing pages
   * early meanwhile.
   */
  public void forgetPartitions(Collection<TopicPartition> revoked) {
    for (TopicPartition partition : revoked) {
      PartitionBuffers buffers = partitions.remove(partition);
      if (buffers == null) {
        continue;
      }
      long droppedBytes = 0;
      for (PageBuffer page : buffers.dropPagesNotBeingStored()) {
        droppedBytes += page.heapBytes();
        free(page);
      }
      if (droppedBytes > 0) {
        log.info(
            "Dropped {} buffered bytes of {}; they will be re-delivered", droppedBytes, partition);
      }
      long storingBytes = buffers.bufferedBytes(); // only pages being stored are left
      if (storingBytes > 0) {
        log.info(
            "{} pages of {} ({} bytes) are still being stored; their memory counts until their uploads end",
            buffers.closedPages().size(),
            partition,
            storingBytes);
      }
    }
  }

  /**
   * For each partition that accepted a record, the offset to commit: never past a record that is
   * only in memory. With pages stored out of order, that is the lowest first offset over the
   * partition's open pages and its closed pages not yet durable (a low-water mark).
   */
  public Map<TopicPartition, Long> committableOffsets() {
    // Pages that became durable since the last look move the low-water marks up.
    takeOutcomes(uploads.takeOutcomes());
    Map<TopicPartition, Long> offsets = new HashMap<>(partitions.size() * 2);
    for (PartitionBuffers buffers : partitions.values()) {
      long offset = buffers.committableOffset();
      if (offset >= 0) {
        offsets.put(buffers.partition(), offset);
      }
    }
    return offsets;
  }

  /**
   * True when some record of the partition is only in memory: in an open page, or in a closed page
   * not yet durable. False for a partition whose every received record is durable (or skipped), and
   * for one that received nothing since its assignment.
   */
  public boolean holdsRecordsOf(TopicPartition partition) {
    PartitionBuffers buffers = partitions.get(partition);
    return buffers != null && !buffers.isEmpty();
  }

  /** True when pages are waiting to be written (after a storage failure, say). */
  public boolean hasClosedPages() {
    for (PartitionBuffers buffers : partitions.values()) {
      if (!buffers.closedPages().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  public MemoryBudget memory() {
    return memory;
  }

  /** Shows every partition and every page not yet durable to {@code visitor} (metrics, health). */
  public void survey(BufferVisitor visitor) {
    for (PartitionBuffers buffers : partitions.values()) {
      visitor.partition(buffers.partition(), buffers.receivedOffset(), buffers.committableOffset());
      for (PageBuffer page : buffers.openPages()) {
        visitor.page(page, true);
      }
      for (PageBuffer page : buffers.closedPages()) {
        visitor.page(page, false);
      }
    }
  }

  /** A snapshot of what is buffered, for metrics and health. */
  public BufferStats stats() {
    BufferTally tally = new BufferTally();
    for (PartitionBuffers buffers : partitions.values()) {
      tally.add(buffers);
    }
    // The budget's figure: it also counts pages of forgotten partitions still being stored.
    return tally.stats(clock.millis(), memory.usedBytes());
  }

  /** Sums the pages of the partitions added, walking each page once. */
  private static final class BufferTally {
    int openPages;
    long events;
    long oldestOpenedAt = Long.MAX_VALUE;

    void add(PartitionBuffers buffers) {
      for (PageBuffer page : buffers.openPages()) {
        openPages++;
        add(page);
      }
      for (PageBuffer page : buffers.closedPages()) {
        add(page);
      }
    }

    private void add(PageBuffer page) {
      events += page.eventCount();
      oldestOpenedAt = Math.min(oldestOpenedAt, page.openedAtMillis());
    }

    BufferStats stats(long now, long bufferedBytes) {
      long oldestAge = oldestOpenedAt == Long.MAX_VALUE ? 0 : now - oldestOpenedAt;
      return new BufferStats(openPages, events, bufferedBytes, oldestAge);
    }
  }
}
