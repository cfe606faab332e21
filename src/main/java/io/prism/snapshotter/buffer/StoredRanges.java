package io.prism.snapshotter.buffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pages of one partition that are already durable beyond the point where its records resume
 * after an assignment: per writer, the offset range each page covers and the time range of its
 * events. Kafka re-delivers every record after the committed offset, and some of them were stored
 * before the task died or lost the partition; a record this says is stored is not buffered again.
 *
 * <p>A page holds every record of its writer in its partition between its first and last offset,
 * so an offset inside a page's range is in that page. The record's timestamp must also lie within
 * the page's time range: a topic deleted and created again under the same name starts its offsets
 * again, and its new records must not be taken for the old ones.
 */
public final class StoredRanges {
  /** Nothing is known to be stored: every record is buffered. */
  public static final StoredRanges NONE = new StoredRanges(Map.of(), -1);

  private static final int FIELDS = 4; // first offset, last offset, min time, max time

  /** Per writer, its pages' ranges as (first, last, min time, max time), by first offset. */
  private final Map<String, long[]> byWriter;
  private final long lastOffset;
  private long recognised;

  private StoredRanges(Map<String, long[]> byWriter, long lastOffset) {
    this.byWriter = byWriter;
    this.lastOffset = lastOffset;
  }

  /** Collects the stored pages of one partition. */
  public static Builder builder() {
    return new Builder();
  }

  /** The highest last offset of any page here; -1 when there is none. Beyond it nothing is stored. */
  public long lastOffset() {
    return lastOffset;
  }

  public boolean isEmpty() {
    return byWriter.isEmpty();
  }

  /** True when the writer's record at {@code offset}, with this timestamp, is in a stored page. */
  public boolean contains(String writerId, long offset, long timestampMillis) {
    long[] ranges = byWriter.get(writerId);
    if (ranges == null) {
      return false;
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
      return false;
    }
    int at = found * FIELDS;
    boolean stored = offset <= ranges[at + 1] && timestampMillis >= ranges[at + 2] && timestampMillis <= ranges[at + 3];
    if (stored) {
      recognised++;
    }
    return stored;
  }

  /** How many records {@link #contains} recognised as stored. */
  public long recognised() {
    return recognised;
  }

  /** Pages by writer. */
  public static final class Builder {
    private final Map<String, List<long[]>> byWriter = new HashMap<>();
    private long lastOffset = -1;

    /**
     * Adds a stored page of {@code writerId} holding its records from {@code firstOffset} to
     * {@code lastOffset}, whose first and last events have these timestamps.
     */
    public Builder add(String writerId, long firstOffset, long lastOffset, long startTime, long endTime) {
      if (firstOffset < 0 || lastOffset < firstOffset) {
        throw new IllegalArgumentException("a page covers offsets " + firstOffset + ".." + lastOffset);
      }
      byWriter.computeIfAbsent(writerId, w -> new ArrayList<>())
          .add(new long[] {firstOffset, lastOffset, Math.min(startTime, endTime), Math.max(startTime, endTime)});
      this.lastOffset = Math.max(this.lastOffset, lastOffset);
      return this;
    }

    public StoredRanges build() {
      if (byWriter.isEmpty()) {
        return NONE;
      }
      Map<String, long[]> sorted = new HashMap<>(byWriter.size() * 2);
      for (Map.Entry<String, List<long[]>> writer : byWriter.entrySet()) {
        sorted.put(writer.getKey(), sortedByFirstOffset(writer.getValue()));
      }
      return new StoredRanges(sorted, lastOffset);
    }

    /**
     * The ranges flattened by first offset; a range inside an earlier one (the same records stored
     * twice from different first offsets) dropped, so the binary search in {@link #contains} finds
     * the range that covers an offset.
     */
    private static long[] sortedByFirstOffset(List<long[]> ranges) {
      ranges.sort(Comparator.comparingLong(range -> range[0]));
      long[] flat = new long[ranges.size() * FIELDS];
      int kept = 0;
      for (long[] range : ranges) {
        if (kept > 0 && range[1] <= flat[kept - FIELDS + 1]) {
          continue;
        }
        System.arraycopy(range, 0, flat, kept, FIELDS);
        kept += FIELDS;
      }
      return Arrays.copyOf(flat, kept);
    }
  }
}
