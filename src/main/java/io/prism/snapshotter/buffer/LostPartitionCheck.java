package io.prism.snapshotter.buffer;

import io.prism.snapshotter.buffer.StoredRanges.StoredPage;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells, when a partition is revoked, whether another task already owns it: Kafka Connect calls
 * {@code close} both for a partition given away in a rebalance and for one this task lost while it
 * was frozen (a paused JVM, a long GC), when the group has already handed it to another task that
 * consumed and stored the same records. Storing the open pages then only makes extra copies.
 *
 * <p>The proof is a stored page of the record's writer that holds a record this task still buffers
 * (its offset in the page's range, its timestamp in the page's time range: the rules of {@link
 * StoredRanges}). This task's own pages never hold a record it still buffers (a record is either in
 * a page it stored or in its buffers), so such a page was stored by another task.
 *
 * <p>Asks the {@link StoredPageLookup} once per partition that buffers records (none for the rest,
 * which keeps rebalances cheap), from the partition's lowest buffered offset on. When the lookup
 * cannot answer, nothing is proven: the caller stores the pages, as it would without this check.
 */
final class LostPartitionCheck {
  private static final Logger log = LoggerFactory.getLogger(LostPartitionCheck.class);

  private final StoredPageLookup storedPages;

  LostPartitionCheck(StoredPageLookup storedPages) {
    this.storedPages = storedPages;
  }

  /**
   * A page stored by another task that holds one of the records of {@code buffers} that are not
   * being stored; empty when there is none, when nothing is buffered, or when the lookup fails.
   */
  Optional<StoredPage> pageOfAnotherTask(PartitionBuffers buffers) {
    List<PageBuffer> held = buffers.pagesNotBeingStored();
    if (held.isEmpty()) {
      return Optional.empty();
    }
    long lowestOffset = Long.MAX_VALUE;
    for (PageBuffer page : held) {
      lowestOffset = Math.min(lowestOffset, page.firstOffset());
    }
    StoredRanges stored;
    try {
      stored = storedPages.find(buffers.partition(), lowestOffset);
    } catch (RuntimeException e) {
      log.warn(
          "{}: cannot tell whether another task has stored records from offset {} on ({}); storing the open pages",
          buffers.partition(),
          lowestOffset,
          e.getMessage());
      return Optional.empty();
    }
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    for (PageBuffer page : held) {
      for (int i = 0; i < page.eventCount(); i++) {
        long offset = page.offsetAt(i);
        if (offset > stored.lastOffset()) {
          break; // a page's offsets only grow; beyond the last stored one nothing is held
        }
        Optional<StoredPage> holder =
            stored.pageHolding(page.writerId(), offset, page.timestampAt(i));
        if (holder.isPresent()) {
          return holder;
        }
      }
    }
    return Optional.empty();
  }
}
