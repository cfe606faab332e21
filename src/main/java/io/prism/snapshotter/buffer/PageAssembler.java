package io.prism.snapshotter.buffer;

import io.prism.snapshotter.page.Event;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a stream of (partition, offset, writer, event) into closed pages, and knows, for every
 * partition, the offset below which every record is durable.
 *
 * <p>Knows nothing of Kafka Connect: the sink task feeds it and asks it for offsets. Not
 * thread-safe; a sink task calls it from one thread.
 *
 * <p>Failure model: {@link #writeClosedPages()} stops at the first page the {@link PageSink}
 * cannot write and rethrows; that page and all later ones stay queued and are tried again on
 * the next call. Records offered again after such a failure (Connect re-delivers the batch) are
 * recognised by offset and ignored, so nothing is buffered twice.
 */
public final class PageAssembler {
  private static final Logger log = LoggerFactory.getLogger(PageAssembler.class);

  private final FlushPolicy policy;
  private final MemoryBudget memory;
  private final EvictionOrder evictionOrder;
  private final PageSink sink;
  private final Clock clock;
  private final Map<TopicPartition, PartitionBuffers> partitions = new HashMap<>();

  public PageAssembler(FlushPolicy policy, MemoryBudget memory, PageSink sink, Clock clock) {
    this(policy, memory, EvictionOrder.OLDEST_FIRST, sink, clock);
  }

  public PageAssembler(
      FlushPolicy policy, MemoryBudget memory, EvictionOrder evictionOrder, PageSink sink, Clock clock) {
    this.policy = policy;
    this.evictionOrder = evictionOrder;
    this.memory = memory;
    this.sink = sink;
    this.clock = clock;
  }

  private PartitionBuffers buffersOf(TopicPartition partition) {
    return partitions.computeIfAbsent(partition, PartitionBuffers::new);
  }

  /** Adds one event of {@code writerId}. Pages that reach a threshold are closed, not written. */
  public void accept(TopicPartition partition, long offset, String writerId, Event event) {
    PartitionBuffers buffers = buffersOf(partition);
    if (buffers.alreadyAccepted(offset)) {
      return;
    }
    long eventBytes = PageBuffer.estimateBytes(event);
    if (policy.isOversized(eventBytes)) {
      // Keep the writer's order: what it had buffered goes first, then this event alone.
      buffers.close(writerId, FlushReason.OVERSIZED_EVENT);
      PageBuffer alone = new PageBuffer(partition, writerId, clock.millis());
      alone.append(event, offset, eventBytes);
      buffers.addClosed(alone, FlushReason.OVERSIZED_EVENT);
      memory.reserve(alone.heapBytes());
    } else {
      PageBuffer page = buffers.openPage(writerId, clock.millis());
      long heapBefore = page.isEmpty() ? 0 : page.heapBytes();
      page.append(event, offset, eventBytes);
      memory.reserve(page.heapBytes() - heapBefore);
      FlushReason reason = policy.afterAppend(page);
      if (reason != null) {
        buffers.close(writerId, reason);
      }
    }
    buffers.accepted(offset);
  }

  /** A record that carries no event (a tombstone, a record sent to the dead letter queue). */
  public void skip(TopicPartition partition, long offset) {
    PartitionBuffers buffers = buffersOf(partition);
    if (!buffers.alreadyAccepted(offset)) {
      buffers.accepted(offset);
    }
  }

  /** The writer's session ended: its open page in this partition closes now. */
  public void endSession(TopicPartition partition, long offset, String writerId) {
    PartitionBuffers buffers = buffersOf(partition);
    if (buffers.alreadyAccepted(offset)) {
      return;
    }
    buffers.close(writerId, FlushReason.SESSION_END);
    buffers.accepted(offset);
  }

  /**
   * Closes every open page whose first event is older than the age limit, in every partition,
   * also those that received nothing in this batch (idle writers, idle partitions).
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
   * Over the memory budget, closes open pages until the open pages fit under the budget's
   * low-water mark, in the configured {@link EvictionOrder}: oldest first by default, because
   * the oldest page of a partition is the one holding back its committed offset.
   */
  public void closePagesOverBudget() {
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
        if (candidate != null && (oldest == null || candidate.openedAtMillis() < oldest.openedAtMillis())) {
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

  /** Writes every closed page, oldest first per partition. Rethrows the first failure. */
  public int writeClosedPages() throws Exception {
    int written = 0;
    for (PartitionBuffers buffers : partitions.values()) {
      written += writeClosedPages(buffers);
    }
    return written;
  }

  private int writeClosedPages(PartitionBuffers buffers) throws Exception {
    int written = 0;
    PageBuffer page;
    while ((page = buffers.closedPages().peekFirst()) != null) {
      sink.write(page);
      buffers.closedPages().removeFirst();
      memory.release(page.heapBytes());
      written++;
    }
    return written;
  }

  /** Closes and writes every page of these partitions, e.g. before they are revoked. */
  public void flushPartitions(Collection<TopicPartition> revoked, FlushReason reason) throws Exception {
    for (TopicPartition partition : revoked) {
      PartitionBuffers buffers = partitions.get(partition);
      if (buffers != null) {
        buffers.closeAll(reason);
        writeClosedPages(buffers);
      }
    }
  }

  /**
   * Forgets these partitions and everything buffered for them. Their offsets were never
   * committed past what is durable, so Kafka re-delivers whatever is dropped here.
   */
  public void forgetPartitions(Collection<TopicPartition> revoked) {
    for (TopicPartition partition : revoked) {
      PartitionBuffers buffers = partitions.remove(partition);
      if (buffers != null) {
        long bytes = buffers.bufferedBytes();
        if (bytes > 0) {
          log.info("Dropped {} buffered bytes of {}; they will be re-delivered", bytes, partition);
        }
        memory.release(bytes);
      }
    }
  }

  /**
   * For each partition that accepted a record, the offset to commit: never past a record that
   * is only in memory.
   */
  public Map<TopicPartition, Long> committableOffsets() {
    Map<TopicPartition, Long> offsets = new HashMap<>(partitions.size() * 2);
    for (PartitionBuffers buffers : partitions.values()) {
      long offset = buffers.committableOffset();
      if (offset >= 0) {
        offsets.put(buffers.partition(), offset);
      }
    }
    return offsets;
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
    long now = clock.millis();
    int writers = 0;
    long events = 0;
    long oldestOpenedAt = Long.MAX_VALUE;
    for (PartitionBuffers buffers : partitions.values()) {
      for (Iterator<PageBuffer> it = buffers.openPages().iterator(); it.hasNext(); ) {
        PageBuffer page = it.next();
        writers++;
        events += page.eventCount();
        oldestOpenedAt = Math.min(oldestOpenedAt, page.openedAtMillis());
      }
      for (PageBuffer page : buffers.closedPages()) {
        events += page.eventCount();
        oldestOpenedAt = Math.min(oldestOpenedAt, page.openedAtMillis());
      }
    }
    long oldestAge = oldestOpenedAt == Long.MAX_VALUE ? 0 : now - oldestOpenedAt;
    return new BufferStats(writers, events, memory.usedBytes(), oldestAge);
  }
}
