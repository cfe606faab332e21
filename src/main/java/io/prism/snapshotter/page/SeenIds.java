package io.prism.snapshotter.page;

import java.util.Arrays;
import java.util.Map;

/**
 * Event ids seen, each with the times that identify its records ({@link
 * RecordTimes#identifyingTime}): an event is a repeat when its id was seen with its time, or
 * without a time that tells (then any event with the id is a repeat).
 *
 * <p>Replay's repeat filter and compaction's merge use it. An id usually has one time, kept as a
 * {@code Long}; several only where two records share an id (a topic created again) in pages replay
 * meets together, kept as a {@code long[]}.
 */
public final class SeenIds {
  /** The id was seen without a time that tells: every event with it is a repeat. */
  private static final Object ANY_TIME = new Object();

  private final Map<String, Object> times;

  /** A set without bound. */
  public SeenIds() {
    this(new java.util.HashMap<>());
  }

  /** Over {@code map}, which may bound itself (removing its eldest entries). */
  public SeenIds(Map<String, Object> map) {
    this.times = map;
  }

  /** Whether an event with this id and identifying time (null: none) was seen. */
  public boolean contains(String eventId, Long time) {
    Object seen = times.get(eventId);
    if (seen == null) {
      return false;
    }
    if (seen == ANY_TIME || time == null) {
      return true;
    }
    if (seen instanceof Long one) {
      return one.longValue() == time;
    }
    for (long t : (long[]) seen) {
      if (t == time) {
        return true;
      }
    }
    return false;
  }

  public void add(String eventId, Long time) {
    Object seen = times.get(eventId);
    if (time == null) {
      times.put(eventId, ANY_TIME);
    } else if (seen == null) {
      times.put(eventId, time);
    } else if (seen instanceof Long one) {
      if (one.longValue() != time) {
        times.put(eventId, new long[] {one, time});
      }
    } else if (seen instanceof long[] several && !contains(eventId, time)) {
      long[] more = Arrays.copyOf(several, several.length + 1);
      more[several.length] = time;
      times.put(eventId, more);
    }
  }

  public int size() {
    return times.size();
  }
}
