package io.prism.snapshotter.buffer;

import io.prism.snapshotter.page.ChunkPool;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * The pages of one topic-partition that are not yet durable: open pages (one per writer, oldest
 * first) and closed pages waiting to be stored.
 *
 * <p>Open pages are kept in the order they were opened. Records arrive in offset order, so the
 * oldest open page is also the one with the lowest first offset: the partition's committable offset
 * and its next page to expire are both found at the head, in O(1), even with 100,000 writers.
 */
public final class PartitionBuffers {
  private final TopicPartition partition;
  private final ChunkPool chunks;
  private final LinkedHashMap<String, PageBuffer> open = new LinkedHashMap<>();
  private final Deque<PageBuffer> closed = new ArrayDeque<>();
  private final Collection<PageBuffer> closedView = Collections.unmodifiableCollection(closed);

  /**
   * The closed pages not handed to the uploads, oldest first: what the next hand-over takes,
   * without walking the pages being stored (on every {@code put}).
   */
  private final ArrayDeque<PageBuffer> waiting = new ArrayDeque<>();

  /** A page was handed back after a failed attempt and is not yet in {@link #waiting} again. */
  private boolean handedBack;

  /** Offset after the last record this partition accepted (buffered or skipped); -1: none. */
  private long nextOffset = -1;

  /**
   * Pages stored before this assignment that records may be re-delivered into; null once passed.
   */
  private StoredRanges stored;

  /** What {@link #stored} recognised, kept once it is dropped. */
  private long recognisedBeforePassing;

  public PartitionBuffers(TopicPartition partition) {
    this(partition, StoredRanges.NONE);
  }

  /**
   * Buffers for a partition just assigned, whose records from here on may already be in {@code
   * stored}.
   */
  public PartitionBuffers(TopicPartition partition, StoredRanges stored) {
    this(partition, stored, ChunkPool.NONE);
  }

  /** As above, with the events of its pages in chunks from {@code chunks}. */
  public PartitionBuffers(TopicPartition partition, StoredRanges stored, ChunkPool chunks) {
    this.partition = partition;
    this.stored = stored.isEmpty() ? null : stored;
    this.chunks = chunks;
  }

  /**
   * True when the writer's record at {@code offset} is already in a page stored before this
   * assignment. Once the partition is past every such page, costs one null check.
   */
  public boolean alreadyStored(String writerId, long offset, long timestampMillis) {
    if (stored == null) {
      return false;
    }
    if (offset > stored.lastOffset()) {
      passedStoredPages();
      return false;
    }
    return stored.contains(writerId, offset, timestampMillis);
  }

  private void passedStoredPages() {
    recognisedBeforePassing = stored.recognised();
    stored = null;
  }

  /** Re-delivered records that were not buffered because a stored page holds them. */
  public long recognisedAsStored() {
    return stored != null ? stored.recognised() : recognisedBeforePassing;
  }

  /** True while records may still be recognised as stored. */
  public boolean expectsStoredRecords() {
    return stored != null;
  }

  public TopicPartition partition() {
    return partition;
  }

  /**
   * True when the record at {@code offset} was already accepted: Connect re-delivers a batch after
   * {@code put} throws a retriable error, and the same record must not be buffered twice.
   */
  public boolean alreadyAccepted(long offset) {
    return offset < nextOffset;
  }

  /** The offset after the last record this partition accepted; -1 when none was. */
  public long receivedOffset() {
    return nextOffset;
  }

  /**
   * Records that the record at {@code offset} was taken (buffered, skipped, or a control record).
   */
  public void accepted(long offset) {
    nextOffset = offset + 1;
  }

  /** The writer's open page, opening one if needed. */
  public PageBuffer openPage(String writerId, long nowMillis) {
    PageBuffer page = open.get(writerId);
    if (page == null) {
      page = new PageBuffer(partition, writerId, nowMillis, chunks);
      open.put(writerId, page);
    }
    return page;
  }

  /** The writer's open page, or {@code null}. */
  public PageBuffer openPageOf(String writerId) {
    return open.get(writerId);
  }

  /** Moves the writer's open page to the closed queue; returns it, or {@code null} if none. */
  public PageBuffer close(String writerId, FlushReason reason) {
    PageBuffer page = open.remove(writerId);
    if (page != null && !page.isEmpty()) {
      queueClosed(page, reason);
    }
    return page;
  }

  /** Queues a page that never was open: one oversized event in a page of its own. */
  public void addClosed(PageBuffer page, FlushReason reason) {
    queueClosed(page, reason);
  }

  private void queueClosed(PageBuffer page, FlushReason reason) {
    page.closedFor(reason);
    closed.addLast(page);
    waiting.addLast(page);
  }

  /** The open page that was opened first, or {@code null}. */
  public PageBuffer oldestOpen() {
    Iterator<PageBuffer> it = open.values().iterator();
    return it.hasNext() ? it.next() : null;
  }

  public Collection<PageBuffer> openPages() {
    return open.values();
  }

  /** Closed pages not yet durable (being stored or not), oldest first; read-only. */
  public Collection<PageBuffer> closedPages() {
    return closedView;
  }

  /** The oldest closed page not yet durable, or {@code null}. */
  public PageBuffer oldestClosed() {
    return closed.peekFirst();
  }

  /**
   * How many closed pages wait to be handed to the uploads, after putting back those {@linkplain
   * #handBack handed back} since the last call. A caller takes at most this many with {@link
   * #takeWaiting}, so a page that fails again meanwhile waits for the next round.
   */
  public int waitingPages() {
    if (handedBack) {
      handedBack = false;
      // Rare (a failed store): rebuilt from the closed queue to keep its order, oldest first.
      waiting.clear();
      for (PageBuffer page : closed) {
        if (!page.storing() && !page.isReleased()) {
          waiting.addLast(page);
        }
      }
    }
    return waiting.size();
  }

  /** The oldest closed page not handed to the uploads, removed from the waiting ones; or null. */
  public PageBuffer takeWaiting() {
    return waiting.pollFirst();
  }

  /**
   * A page taken with {@link #takeWaiting} that failed to be stored waits again, from the next
   * {@link #waitingPages} on. True when it is still queued here (not dropped since).
   */
  public boolean handBack(PageBuffer page) {
    if (!closed.contains(page)) {
      return false;
    }
    handedBack = true;
    return true;
  }

  /**
   * Removes a closed page that is durable now; false when it was no longer queued (its partition
   * dropped it).
   */
  public boolean removeStored(PageBuffer page) {
    // Identity: PageBuffer has no equals. Usually at the head: pages are stored oldest first.
    return closed.removeFirstOccurrence(page);
  }

  /** Closes every open page, e.g. before the partition is revoked. */
  public void closeAll(FlushReason reason) {
    for (PageBuffer page : open.values()) {
      if (!page.isEmpty()) {
        queueClosed(page, reason);
      }
    }
    open.clear();
  }

  public boolean isEmpty() {
    return open.isEmpty() && closed.isEmpty();
  }

  /**
   * The pages whose records are only in memory and not being stored: the open pages and the closed
   * pages not handed to the uploads (or handed back after a failure).
   */
  public List<PageBuffer> pagesNotBeingStored() {
    List<PageBuffer> pages = new ArrayList<>(open.size() + closed.size());
    for (PageBuffer page : open.values()) {
      if (!page.isEmpty()) {
        pages.add(page);
      }
    }
    for (PageBuffer page : closed) {
      if (!page.storing()) {
        pages.add(page);
      }
    }
    return pages;
  }

  /**
   * Drops the {@link #pagesNotBeingStored} and returns them; pages being stored stay until their
   * outcome. The caller releases their memory.
   */
  public List<PageBuffer> dropPagesNotBeingStored() {
    List<PageBuffer> dropped = pagesNotBeingStored();
    open.clear();
    closed.removeIf(page -> !page.storing());
    waiting.clear();
    handedBack = false;
    return dropped;
  }

  /**
   * The offset to commit for this partition: the first offset of the oldest page not yet durable,
   * else the offset after the last accepted record; -1 when nothing was accepted since the
   * partition was assigned (the caller then keeps Connect's own position).
   */
  public long committableOffset() {
    long lowest = Long.MAX_VALUE;
    PageBuffer oldest = oldestOpen();
    if (oldest != null && !oldest.isEmpty()) {
      lowest = oldest.firstOffset();
    }
    for (PageBuffer page : closed) {
      lowest = Math.min(lowest, page.firstOffset());
    }
    return lowest != Long.MAX_VALUE ? lowest : nextOffset;
  }

  /** Heap held by every page here, as the memory budget counts it. */
  public long bufferedBytes() {
    long bytes = 0;
    for (PageBuffer page : open.values()) {
      bytes += page.heapBytes();
    }
    for (PageBuffer page : closed) {
      bytes += page.heapBytes();
    }
    return bytes;
  }
}
