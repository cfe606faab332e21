package io.prism.snapshotter.replay;

import io.prism.snapshotter.storage.NoSuchObjectException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a replay stands in the writer's order, so that it can go on from a fresh location when a
 * located page vanished before it was fetched: compaction stores a merged page, publishes it,
 * removes its sources' entries and then deletes them, so a replay that located the sources before
 * the deletes finds them gone, while every event of theirs is in the merged page.
 *
 * <p>What it keeps is constant in size: the Kafka partition of the pages read last and the highest
 * offset they reach, and the id of the last event of that partition that was not a repeat (handed
 * out, or left out by the filter). Pages are read in the writer's order, so everything before the
 * vanished page is read and nothing after it is; in the fresh location, per page:
 *
 * <ul>
 *   <li>an earlier partition (or a tagged page when the vanished one has no Kafka tags): read
 *       already, or a page stored since the replay located (not shown: it was not there then);
 *   <li>the vanished page's partition: a page up to the offset reached is read already (or a merged
 *       page of read pages); a page that straddles it (a merged page of read and unread pages) is
 *       read from the event after that last one — a merged page holds its sources' events in the
 *       writer's order, each id once, so the read ones are exactly a prefix of it; a page after it
 *       is read;
 *   <li>a later partition, or an untagged page after the vanished one: read.
 * </ul>
 *
 * The vanished page's events must be in a page of the fresh location that spans its offsets (a
 * merged page): otherwise it was deleted, not compacted, and the replay fails naming it.
 */
final class ReplayPosition {
  private static final Comparator<KafkaSpan> PARTITION_ORDER =
      Comparator.comparing(KafkaSpan::topic).thenComparingInt(KafkaSpan::partition);

  /** The partition of the pages read last, up to the highest offset they reach; null if none. */
  private KafkaSpan readThrough;

  /** The last event id of {@link #readThrough}'s partition that was not a repeat; or null. */
  private String lastNewId;

  /** How to go on after a page vanished: the pages to read, some from after an event id. */
  record Resumption(List<PageRef> pages, Map<String, String> skipThrough) {}

  /** A page starts: a page of another partition than the one read so far resets the position. */
  void startPage(PageRef page) {
    KafkaSpan span = page.span();
    if (readThrough != null && (span == null || !readThrough.samePartition(span))) {
      readThrough = null;
      lastNewId = null;
    }
  }

  /** An event of the current page was not a repeat (whether the filter then takes it or not). */
  void notARepeat(String eventId) {
    lastNewId = eventId;
  }

  /** The current page was read to its end. */
  void finishPage(PageRef page) {
    KafkaSpan span = page.span();
    if (span == null) {
      readThrough = null;
      lastNewId = null;
    } else if (readThrough == null) {
      readThrough = span;
    } else if (span.lastOffset() > readThrough.lastOffset()) {
      readThrough =
          new KafkaSpan(
              span.topic(), span.partition(), readThrough.firstOffset(), span.lastOffset());
    }
  }

  /**
   * The pages of {@code fresh} (a new location, in writer order) still to read after {@code
   * vanished} was found gone.
   *
   * @throws NoSuchObjectException the vanished page is still located, or no located page holds its
   *     events (it was deleted, not compacted)
   */
  Resumption resume(List<PageRef> fresh, PageRef vanished, NoSuchObjectException gone) {
    List<PageRef> pages = new ArrayList<>();
    Map<String, String> skipThrough = new HashMap<>();
    boolean replaced = readAlready(vanished);
    for (PageRef page : fresh) {
      if (page.key().equals(vanished.key())) {
        throw new StillLocatedException(vanished.key(), gone);
      }
      switch (placeOf(page, vanished)) {
        case READ_ALREADY -> {}
        case STRADDLES -> {
          pages.add(page);
          skipThrough.put(page.key(), lastNewId);
          replaced |= holds(page, vanished);
        }
        case TO_READ -> {
          pages.add(page);
          replaced |= holds(page, vanished);
        }
      }
    }
    if (!replaced) {
      throw new NoSuchObjectException(
          "page "
              + vanished.key()
              + " vanished during the replay and no page located again holds its events"
              + " (deleted, not compacted?): "
              + gone.getMessage(),
          gone);
    }
    return new Resumption(pages, skipThrough);
  }

  private enum Place {
    READ_ALREADY,
    STRADDLES,
    TO_READ
  }

  private Place placeOf(PageRef page, PageRef vanished) {
    KafkaSpan span = page.span();
    KafkaSpan gone = vanished.span();
    if (gone == null) {
      // Untagged pages come after every tagged one, by start time.
      return span == null && PageRef.WRITER_ORDER.compare(page, vanished) > 0
          ? Place.TO_READ
          : Place.READ_ALREADY;
    }
    if (span == null) {
      return Place.TO_READ;
    }
    int partition = PARTITION_ORDER.compare(span, gone);
    if (partition != 0) {
      return partition < 0 ? Place.READ_ALREADY : Place.TO_READ;
    }
    if (readThrough == null || !readThrough.samePartition(span)) {
      return Place.TO_READ; // nothing of this partition read yet
    }
    long reached = readThrough.lastOffset();
    if (span.lastOffset() <= reached) {
      return Place.READ_ALREADY;
    }
    if (span.firstOffset() <= reached && lastNewId != null) {
      return Place.STRADDLES;
    }
    return Place.TO_READ;
  }

  /** Whether the vanished page's offsets were all read before it (a repeat of read pages). */
  private boolean readAlready(PageRef vanished) {
    KafkaSpan gone = vanished.span();
    return gone != null
        && readThrough != null
        && readThrough.samePartition(gone)
        && gone.lastOffset() <= readThrough.lastOffset();
  }

  /** Whether {@code page} spans every offset of {@code vanished} (a merged page of it). */
  private static boolean holds(PageRef page, PageRef vanished) {
    KafkaSpan span = page.span();
    KafkaSpan gone = vanished.span();
    return span != null
        && gone != null
        && span.samePartition(gone)
        && span.firstOffset() <= gone.firstOffset()
        && span.lastOffset() >= gone.lastOffset();
  }
}
