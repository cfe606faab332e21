package io.prism.snapshotter.index;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A primary index plus secondaries (the RFC's {@code secondary}). Publishing succeeds when the
 * primary has the entries; each secondary gets them through its own queue and thread, retried until
 * it takes them, so a slow or failing secondary never blocks or fails the primary. If a secondary's
 * queue overflows (a long outage), its newest entries are dropped with an error — {@code reindex}
 * against that secondary restores them. Queries are answered by the primary.
 */
public final class FanOutPageIndex extends ForwardingPageIndex {
  private static final Logger log = LoggerFactory.getLogger(FanOutPageIndex.class);

  /** How long {@link #remove} waits for a secondary to take what was published before it. */
  static final Duration DRAIN_BEFORE_REMOVE = Duration.ofMinutes(1);

  private final PageIndex primary;
  private final List<PageIndex> secondaries;
  private final List<BackgroundPublisher> publishers = new ArrayList<>();
  private final LongAdder droppedEntries = new LongAdder();

  public FanOutPageIndex(PageIndex primary, List<PageIndex> secondaries, int queueCapacity) {
    this(primary, secondaries, queueCapacity, BackgroundPublisher.DRAIN_AT_CLOSE);
  }

  FanOutPageIndex(
      PageIndex primary, List<PageIndex> secondaries, int queueCapacity, Duration drainAtClose) {
    super(primary);
    this.primary = primary;
    this.secondaries = List.copyOf(secondaries);
    for (PageIndex secondary : this.secondaries) {
      publishers.add(new BackgroundPublisher(secondary, queueCapacity, drainAtClose));
    }
  }

  @Override
  public void publish(List<IndexEntry> entries) {
    primary.publish(entries);
    for (int i = 0; i < publishers.size(); i++) {
      // Never skipped for an interrupt: the primary has them, so the secondary must get them too.
      int dropped = entries.size() - publishers.get(i).offerNow(entries);
      if (dropped > 0) {
        droppedEntries.add(dropped);
        log.error(
            "The queue for secondary index {} is full; the entries of {} pages are not sent to it "
                + "(run `bin/snapshotter reindex` against it once it is back)",
            secondaries.get(i).describe(),
            dropped);
      }
    }
  }

  /** Entries waiting in (or being retried from) the secondaries' queues. */
  @Override
  public int queuedEntries() {
    int queued = primary.queuedEntries();
    for (BackgroundPublisher publisher : publishers) {
      queued += publisher.pending();
    }
    return queued;
  }

  /**
   * Entries a secondary never got, summed over the secondaries: its queue was full, or still held
   * them when it closed (after its drain timeout).
   */
  @Override
  public long droppedEntries() {
    long dropped = primary.droppedEntries() + droppedEntries.sum();
    for (BackgroundPublisher publisher : publishers) {
      dropped += publisher.givenUpAtClose();
    }
    return dropped;
  }

  /** Waits until every secondary has what was published so far; false on timeout. */
  public boolean awaitSecondaries(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (BackgroundPublisher publisher : publishers) {
      if (!publisher.awaitDrained(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Removes from the primary, then from each secondary once it has taken every entry published
   * before (so a merged page reaches a secondary before the pages it replaces leave it). Unlike
   * publishing, a secondary that fails here fails the call: compaction then stops before deleting
   * the pages, and its next run removes the entries again.
   */
  @Override
  public void remove(List<IndexEntry> entries) {
    primary.remove(entries);
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < secondaries.size(); i++) {
      PageIndex secondary = secondaries.get(i);
      try {
        if (!publishers.get(i).awaitDrained(DRAIN_BEFORE_REMOVE)) {
          failed.add(
              secondary.describe()
                  + ": its publish queue did not drain within "
                  + DRAIN_BEFORE_REMOVE);
          continue;
        }
        secondary.remove(entries);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IndexException("Interrupted while removing entries from " + secondary.describe());
      } catch (RuntimeException e) {
        failed.add(secondary.describe() + ": " + e.getMessage());
      }
    }
    if (!failed.isEmpty()) {
      throw new IndexException(
          "Removing entries of "
              + entries.size()
              + " pages failed on secondary indexes: "
              + String.join("; ", failed));
    }
  }

  /** Expires on every index; a secondary that fails is logged, not fatal. */
  @Override
  public void expireBefore(long cutoffMillis) {
    primary.expireBefore(cutoffMillis);
    for (PageIndex secondary : secondaries) {
      try {
        secondary.expireBefore(cutoffMillis);
      } catch (RuntimeException e) {
        log.warn("Expiry on secondary index {} failed: {}", secondary.describe(), e.toString());
      }
    }
  }

  @Override
  public String describe() {
    return primary.describe()
        + " + secondaries ["
        + secondaries.stream().map(PageIndex::describe).collect(Collectors.joining(", "))
        + "]";
  }

  @Override
  public void close() {
    publishers.forEach(BackgroundPublisher::close);
    secondaries.forEach(PageIndex::close);
    primary.close();
  }
}
