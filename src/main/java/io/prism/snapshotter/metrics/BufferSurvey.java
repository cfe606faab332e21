package io.prism.snapshotter.metrics;

import io.prism.snapshotter.buffer.BufferVisitor;
import io.prism.snapshotter.buffer.PageBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.kafka.common.TopicPartition;

/**
 * Walks a task's buffers once and keeps totals plus the N oldest and N largest writers (two bounded
 * heaps, so a survey of 100,000 writers holds 2N entries, not 100,000).
 */
final class BufferSurvey implements BufferVisitor {
  private static final Comparator<PageBuffer> BY_AGE =
      Comparator.comparingLong(PageBuffer::openedAtMillis);
  private static final Comparator<PageBuffer> BY_SIZE =
      Comparator.comparingLong(PageBuffer::heapBytes);

  private final int topN;
  private final long nowMillis;
  private final long maxAgeMillis;
  // Heads are the entries to drop first: the youngest of the oldest, the smallest of the largest.
  private final PriorityQueue<PageBuffer> oldest;
  private final PriorityQueue<PageBuffer> largest;
  private final List<PartitionOffsets> partitions = new ArrayList<>();
  private int activeWriters;
  private long events;
  private long bytes;
  private long oldestOpenedAt = Long.MAX_VALUE;
  private int overAgeLimit;

  BufferSurvey(int topN, long nowMillis, long maxAgeMillis) {
    this.topN = topN;
    this.nowMillis = nowMillis;
    this.maxAgeMillis = maxAgeMillis;
    this.oldest = new PriorityQueue<>(Math.max(1, topN + 1), BY_AGE.reversed());
    this.largest = new PriorityQueue<>(Math.max(1, topN + 1), BY_SIZE);
  }

  @Override
  public void partition(TopicPartition partition, long receivedOffset, long durableOffset) {
    partitions.add(new PartitionOffsets(partition, receivedOffset, durableOffset));
  }

  @Override
  public void page(PageBuffer page, boolean open) {
    if (page.isEmpty()) {
      return;
    }
    if (open) {
      activeWriters++;
    }
    events += page.eventCount();
    bytes += page.heapBytes();
    oldestOpenedAt = Math.min(oldestOpenedAt, page.openedAtMillis());
    if (nowMillis - page.openedAtMillis() > maxAgeMillis) {
      overAgeLimit++;
    }
    keep(oldest, page);
    keep(largest, page);
  }

  private void keep(PriorityQueue<PageBuffer> top, PageBuffer page) {
    if (topN == 0) {
      return;
    }
    if (top.size() == topN) {
      // Full: a page below the head (the entry to drop first) would be dropped at once, and most
      // pages of a survey are, so compare before touching the heap (this runs for every page at
      // every commit).
      if (top.comparator().compare(page, top.peek()) < 0) {
        return;
      }
      top.poll();
    }
    top.add(page);
  }

  BufferSnapshot result() {
    return new BufferSnapshot(
        activeWriters,
        events,
        bytes,
        oldestOpenedAt,
        overAgeLimit,
        drain(oldest, BY_AGE),
        drain(largest, BY_SIZE.reversed()),
        List.copyOf(partitions));
  }

  private static List<WriterBuffer> drain(
      PriorityQueue<PageBuffer> top, Comparator<PageBuffer> order) {
    List<PageBuffer> pages = new ArrayList<>(top);
    pages.sort(order);
    List<WriterBuffer> writers = new ArrayList<>(pages.size());
    for (PageBuffer page : pages) {
      writers.add(
          new WriterBuffer(
              page.writerId(), page.heapBytes(), page.eventCount(), page.openedAtMillis()));
    }
    return List.copyOf(writers);
  }
}
