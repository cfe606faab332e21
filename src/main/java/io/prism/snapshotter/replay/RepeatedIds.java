package io.prism.snapshotter.replay;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Drops repeated event ids in bounded memory.
 *
 * <p>Why this suffices: the sink writes a writer's records of one partition in offset order, and a
 * page written twice lands on the same key, so an event can be stored twice only in two pages whose
 * Kafka offset ranges overlap (a page re-formed differently after a crash, e.g. one closed by age).
 * Pages arrive in writer order (partition, then first offset), so the pages that may still repeat
 * an id of the current page are the earlier ones of the same partition whose last offset reaches
 * its first offset; their ids are remembered, the others forgotten. Pages without Kafka tags
 * overlap by time ({@code end_time >= start_time}) instead. Memory: the ids of the overlapping
 * pages (at most a few pages' worth). The page list is known up front, so a page that no later page
 * overlaps (the usual case) has no id set at all.
 *
 * <p>On top of that, the last {@code recentWindow} ids are remembered whatever their page, for the
 * other source of repeats: a producer that retried a "maybe stored" publish with the same {@code
 * prism.event_id} (the retry follows its first attempt closely).
 */
final class RepeatedIds {
  private final Deque<SeenPage> open = new ArrayDeque<>();
  private final Map<String, Boolean> recent;
  private SeenPage current;
  private long dropped;

  RepeatedIds(int recentWindow) {
    this.recent =
        new LinkedHashMap<>(Math.min(recentWindow, 1 << 16) * 2, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > recentWindow;
          }
        };
  }

  /**
   * Starts a page: forgets the ids of earlier pages it cannot overlap.
   *
   * @param overlappedLater whether a later page of the replay may overlap this one; if none does,
   *     its ids need not be remembered past the page (the recent window still sees them)
   */
  void startPage(PageRef page, boolean overlappedLater) {
    if (current != null && current.ids != null) {
      open.addLast(current);
    }
    for (Iterator<SeenPage> it = open.iterator(); it.hasNext(); ) {
      if (!mayOverlap(it.next().page, page)) {
        it.remove();
      }
    }
    current = new SeenPage(page, overlappedLater ? new HashSet<>() : null);
  }

  void startPage(PageRef page) {
    startPage(page, true);
  }

  /**
   * True the first time an id is seen (within the bounds above); false for a repeat, which is to be
   * dropped.
   */
  boolean firstTime(String eventId) {
    boolean repeat =
        recent.containsKey(eventId) || (current.ids != null && current.ids.contains(eventId));
    if (!repeat) {
      for (SeenPage earlier : open) {
        if (earlier.ids.contains(eventId)) {
          repeat = true;
          break;
        }
      }
    }
    if (repeat) {
      dropped++;
      return false;
    }
    recent.put(eventId, Boolean.TRUE);
    if (current.ids != null) {
      current.ids.add(eventId);
    }
    return true;
  }

  long dropped() {
    return dropped;
  }

  /** Ids currently remembered (for tests of the memory bound). */
  int remembered() {
    int n = recent.size() + (current == null || current.ids == null ? 0 : current.ids.size());
    for (SeenPage p : open) {
      n += p.ids.size();
    }
    return n;
  }

  /**
   * Whether {@code earlier} (before {@code later} in writer order) can hold an event {@code later}
   * holds.
   */
  static boolean mayOverlap(PageRef earlier, PageRef later) {
    KafkaSpan a = earlier.span();
    KafkaSpan b = later.span();
    if (a != null && b != null) {
      return a.samePartition(b) && a.lastOffset() >= b.firstOffset();
    }
    return earlier.endTime() >= later.startTime();
  }

  private record SeenPage(PageRef page, Set<String> ids) {}
}
