package io.prism.snapshotter.buffer;

import io.prism.snapshotter.util.Printable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pages of one partition that are already durable beyond the point where its records resume
 * after an assignment: per writer, the offset range each page covers and the time range of its
 * events. Kafka re-delivers every record after the committed offset, and some of them were stored
 * before the task died or lost the partition; a record this says is stored is not buffered again.
 *
 * <p>A page holds every record of its writer in its partition between its first and last offset, so
 * an offset inside a page's range is in that page. The record's timestamp must also lie within the
 * page's time range: a topic deleted and created again under the same name starts its offsets
 * again, and its new records must not be taken for the old ones.
 *
 * <p>The same rules tell, when a partition is revoked, whether another task has stored records this
 * task still buffers ({@link #pageHolding}); the pages' keys, when given, are kept for that log
 * line.
 */
public final class StoredRanges {
  /** Nothing is known to be stored: every record is buffered. */
  public static final StoredRanges NONE = new StoredRanges(Map.of(), Map.of(), -1);

  private static final int FIELDS = 4; // first offset, last offset, min time, max time

  /** Per writer, its pages' ranges as (first, last, min time, max time), by first offset. */
  private final Map<String, long[]> byWriter;

  /**
   * Per writer, the key of each range in {@link #byWriter} (null where unknown); no entry when none
   * is known.
   */
  private final Map<String, String[]> keysByWriter;

  private final long lastOffset;
  private long recognised;

  private StoredRanges(
      Map<String, long[]> byWriter, Map<String, String[]> keysByWriter, long lastOffset) {
    this.byWriter = byWriter;
    this.keysByWriter = keysByWriter;
    this.lastOffset = lastOffset;
  }

  /**
   * One stored page: its writer, the offsets it covers, and its key when the lookup gave it (else
   * null).
   */
  public record StoredPage(String writerId, long firstOffset, long lastOffset, String key) {
    @Override
    public String toString() {
      return (key != null ? key : "a page")
          + " of writer "
          + Printable.quote(writerId)
          + " (offsets "
          + firstOffset
          + ".."
          + lastOffset
          + ")";
    }
  }

  /** Collects the stored pages of one partition. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The highest last offset of any page here; -1 when there is none. Beyond it nothing is stored.
   */
  public long lastOffset() {
    return lastOffset;
  }

  public boolean isEmpty() {
    return byWriter.isEmpty();
  }

  /** True when the writer's record at {@code offset}, with this timestamp, is in a stored page. */
  public boolean contains(String writerId, long offset, long timestampMillis) {
    boolean stored = rangeHolding(byWriter.get(writerId), offset, timestampMillis) >= 0;
    if (stored) {
      recognised++;
    }
    return stored;
  }

  /**
   * The stored page that holds the writer's record at {@code offset} with this timestamp, by the
   * rules of {@link #contains} (which this does not count in {@link #recognised}).
   */
  public Optional<StoredPage> pageHolding(String writerId, long offset, long timestampMillis) {
    long[] ranges = byWriter.get(writerId);
    int range = rangeHolding(ranges, offset, timestampMillis);
    if (range < 0) {
      return Optional.empty();
    }
    String[] keys = keysByWriter.get(writerId);
    int at = range * FIELDS;
    return Optional.of(
        new StoredPage(writerId, ranges[at], ranges[at + 1], keys != null ? keys[range] : null));
  }

  /** The index of the range holding the record, or -1. */
  private static int rangeHolding(long[] ranges, long offset, long timestampMillis) {
    if (ranges == null) {
      return -1;
    }
    // Pages of one writer do not overlap: the last one starting at or before the offset.
    int low = 0;
    int high = ranges.length / FIELDS - 1;
    int found = -1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (ranges[mid * FIELDS] <= offset) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    if (found < 0) {
      return -1;
    }
    int at = found * FIELDS;
    boolean holds =
        offset <= ranges[at + 1]
            && timestampMillis >= ranges[at + 2]
            && timestampMillis <= ranges[at + 3];
    return holds ? found : -1;
  }

  /** How many records {@link #contains} recognised as stored. */
  public long recognised() {
    return recognised;
  }

  /** Pages by writer. */
  public static final class Builder {
    private final Map<String, List<Range>> byWriter = new HashMap<>();
    private long lastOffset = -1;
    private boolean anyKey;

    /** One page as added: first and last offset, min and max time, and its key (or null). */
    private record Range(long first, long last, long minTime, long maxTime, String key) {}

    /**
     * Adds a stored page of {@code writerId} holding its records from {@code firstOffset} to {@code
     * lastOffset}, whose first and last events have these timestamps.
     */
    public Builder add(
        String writerId, long firstOffset, long lastOffset, long startTime, long endTime) {
      return add(writerId, firstOffset, lastOffset, startTime, endTime, null);
    }

    /**
     * As {@link #add(String, long, long, long, long)}, for a page whose key is known (for logs).
     */
    public Builder add(
        String writerId,
        long firstOffset,
        long lastOffset,
        long startTime,
        long endTime,
        String pageKey) {
      if (firstOffset < 0 || lastOffset < firstOffset) {
        throw new IllegalArgumentException(
            "a page covers offsets " + firstOffset + ".." + lastOffset);
      }
      byWriter
          .computeIfAbsent(writerId, w -> new ArrayList<>())
          .add(
              new Range(
                  firstOffset,
                  lastOffset,
                  Math.min(startTime, endTime),
                  Math.max(startTime, endTime),
                  pageKey));
      this.lastOffset = Math.max(this.lastOffset, lastOffset);
      anyKey |= pageKey != null;
      return this;
    }

    public StoredRanges build() {
      if (byWriter.isEmpty()) {
        return NONE;
      }
      Map<String, long[]> sorted = new HashMap<>(byWriter.size() * 2);
      Map<String, String[]> keys = anyKey ? new HashMap<>(byWriter.size() * 2) : Map.of();
      for (Map.Entry<String, List<Range>> writer : byWriter.entrySet()) {
        List<Range> kept = sortedByFirstOffset(writer.getValue());
        sorted.put(writer.getKey(), flatten(kept));
        if (anyKey) {
          keys.put(writer.getKey(), kept.stream().map(Range::key).toArray(String[]::new));
        }
      }
      return new StoredRanges(sorted, keys, lastOffset);
    }

    /**
     * The ranges by first offset; a range inside an earlier one (the same records stored twice from
     * different first offsets) dropped, so the binary search in {@link #contains} finds the range
     * that covers an offset.
     */
    private static List<Range> sortedByFirstOffset(List<Range> ranges) {
      ranges.sort(Comparator.comparingLong(Range::first));
      List<Range> kept = new ArrayList<>(ranges.size());
      for (Range range : ranges) {
        if (!kept.isEmpty() && range.last() <= kept.get(kept.size() - 1).last()) {
          continue;
        }
        kept.add(range);
      }
      return kept;
    }

    private static long[] flatten(List<Range> ranges) {
      long[] flat = new long[ranges.size() * FIELDS];
      int at = 0;
      for (Range range : ranges) {
        flat[at] = range.first();
        flat[at + 1] = range.last();
        flat[at + 2] = range.minTime();
        flat[at + 3] = range.maxTime();
        at += FIELDS;
      }
      return flat;
    }
  }
}
