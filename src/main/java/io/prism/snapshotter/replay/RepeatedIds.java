package io.prism.snapshotter.replay;

import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.RecordTimes;
import io.prism.snapshotter.page.SeenIds;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

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
 * prism.event_id} (the retry follows its first attempt closely). Fewer when the ids are long: the
 * window holds at most {@value #MAX_RECENT_ID_CHARS} chars of ids, so that a writer whose producer
 * set megabyte-long ids (the sink takes an id header as it comes) cannot make its replay hold
 * gigabytes.
 *
 * <p>A repeated id is not always a repeated event: a topic deleted and created again starts its
 * offsets again, and with them the default ids {@code <topic>-<partition>-<offset>}, so the new
 * topic's pages overlap the old one's. A copy of a Kafka record has the record's timestamp, which
 * never changes, so where the time is the record's own ({@link RecordTimes}: pages the sink tagged
 * so, default ids of the page's partition) an event is a repeat only with the same id <em>and</em>
 * time; elsewhere (producer ids, whose retries are new records with new times; events that got the
 * task's clock; pages stored before the tag) the id alone decides, as it always did, so no repeat
 * is ever shown twice. Memory: a time per remembered id.
 */
final class RepeatedIds {
  private final Deque<SeenPage> open = new ArrayDeque<>();
  private final SeenIds recent;
  private SeenPage current;
  private RecordTimes times = RecordTimes.IDS_ONLY;
  private long dropped;

  /** The recent window's bound in chars of ids (about 16 MB of Latin-1 ids). */
  static final long MAX_RECENT_ID_CHARS = 16L << 20;

  RepeatedIds(int recentWindow) {
    this(recentWindow, MAX_RECENT_ID_CHARS);
  }

  RepeatedIds(int recentWindow, long maxRecentChars) {
    this.recent = new SeenIds(new RecentWindow(recentWindow, maxRecentChars));
  }

  /** The last ids seen, at most {@code maxIds} of them and {@code maxChars} chars in all. */
  private static final class RecentWindow extends LinkedHashMap<String, Object> {
    private final int maxIds;
    private final long maxChars;
    private long chars;

    RecentWindow(int maxIds, long maxChars) {
      super(Math.min(maxIds, 1 << 16) * 2, 0.75f, false);
      this.maxIds = maxIds;
      this.maxChars = maxChars;
    }

    @Override
    public Object put(String id, Object times) {
      Object previous = super.put(id, times);
      if (previous == null) {
        chars += id.length();
        Iterator<Map.Entry<String, Object>> eldest = entrySet().iterator();
        while ((size() > maxIds || chars > maxChars) && eldest.hasNext()) {
          chars -= eldest.next().getKey().length();
          eldest.remove();
        }
      }
      return previous;
    }
  }

  /**
   * Starts a page: forgets the ids of earlier pages it cannot overlap.
   *
   * @param overlappedLater whether a later page of the replay may overlap this one; if none does,
   *     its ids need not be remembered past the page (the recent window still sees them)
   * @param times what its events' times tell ({@link RecordTimes#of} its metadata)
   */
  void startPage(PageRef page, boolean overlappedLater, RecordTimes times) {
    if (current != null && current.ids != null) {
      open.addLast(current);
    }
    for (Iterator<SeenPage> it = open.iterator(); it.hasNext(); ) {
      if (!mayOverlap(it.next().page, page)) {
        it.remove();
      }
    }
    current = new SeenPage(page, overlappedLater ? new SeenIds(new HashMap<>()) : null);
    this.times = times;
  }

  /** A page whose events are known by their ids alone, which a later page may overlap. */
  void startPage(PageRef page) {
    startPage(page, true, RecordTimes.IDS_ONLY);
  }

  /**
   * True the first time an event is seen (within the bounds above); false for a repeat, which is to
   * be dropped.
   */
  boolean firstTime(Event event) {
    return firstTime(event.eventId(), times.identifyingTime(event));
  }

  /** As {@link #firstTime(Event)}, for an id known by itself alone. */
  boolean firstTime(String eventId) {
    return firstTime(eventId, null);
  }

  private boolean firstTime(String eventId, Long time) {
    boolean repeat =
        recent.contains(eventId, time)
            || (current.ids != null && current.ids.contains(eventId, time));
    if (!repeat) {
      for (SeenPage earlier : open) {
        if (earlier.ids.contains(eventId, time)) {
          repeat = true;
          break;
        }
      }
    }
    if (repeat) {
      dropped++;
      return false;
    }
    recent.add(eventId, time);
    if (current.ids != null) {
      current.ids.add(eventId, time);
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

  private record SeenPage(PageRef page, SeenIds ids) {}
}
