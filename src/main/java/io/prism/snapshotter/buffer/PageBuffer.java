package io.prism.snapshotter.buffer;

import io.prism.snapshotter.page.ChunkPool;
import io.prism.snapshotter.page.EncodedEvents;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.EventSizes;
import io.prism.snapshotter.util.Printable;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * One writer's open page within one topic-partition: its events in arrival order, encoded as they
 * arrive ({@link EncodedEvents}), the Kafka offset of each, and an estimate of the page's
 * uncompressed size.
 *
 * <p>Every record of this writer in this partition from {@link #firstOffset()} on is either in this
 * buffer or was deliberately skipped (a tombstone, a record sent to the dead letter queue). That is
 * what lets a re-delivered page be recognised by its first offset.
 */
public final class PageBuffer {
  /** Fixed per-event cost added to the payload size: field tags, lengths, timestamp, sequence. */
  static final int EVENT_OVERHEAD_BYTES = 24;

  /** Fixed per-attribute cost added to its key's and value's characters. */
  private static final int ATTRIBUTE_OVERHEAD_BYTES = 4;

  /**
   * Heap an open page costs beyond the contents of its arrays: this object and its {@link
   * EncodedEvents} (~90 bytes), three array headers (48), its writer id (~50) and its entry in its
   * partition's map of open pages (~45), rounded up. The memory budget counts it, so 100,000
   * writers of tiny events stay inside it too.
   */
  static final int PAGE_HEAP_OVERHEAD_BYTES = 256;

  private final TopicPartition partition;
  private final String writerId;
  private final long openedAtMillis;
  private final EncodedEvents events;
  private boolean released;
  private long[] offsets = new long[16];

  /**
   * Events whose time is the task's clock, not their record's (a record without a timestamp); null
   * while there is none, as in nearly every page.
   */
  private BitSet clockTimes;

  private long estimatedBytes;

  /** The events' {@link EventSizes#upperBound}s together: what the page takes encoded, at most. */
  private long encodedBytesBound;

  private FlushReason closeReason;

  /**
   * Closed pages only, touched by the task thread only: true from the hand-over to {@link
   * PageUploads} until its outcome is taken; the failure of the last attempt, if any.
   */
  private boolean storing;

  private Exception lastFailure;

  public PageBuffer(TopicPartition partition, String writerId, long openedAtMillis) {
    this(partition, writerId, openedAtMillis, ChunkPool.NONE);
  }

  /** A page whose events' full-size chunks come from {@code chunks}. */
  public PageBuffer(
      TopicPartition partition, String writerId, long openedAtMillis, ChunkPool chunks) {
    this.partition = partition;
    this.writerId = writerId;
    this.openedAtMillis = openedAtMillis;
    this.events = new EncodedEvents(chunks);
  }

  /**
   * The page's memory is free: it is durable, or dropped and no upload reads it. Its events' chunks
   * go back to the pool for later pages. Returns {@code false} when it was released before, so the
   * caller gives the page's bytes back to the memory budget exactly once.
   */
  boolean release() {
    if (released) {
      return false;
    }
    released = true;
    events.release();
    return true;
  }

  /** Whether the page was {@link #release released}: its events are gone. */
  boolean isReleased() {
    return released;
  }

  /** Estimated uncompressed size of one event in a page. Cheap: no encoding. */
  public static long estimateBytes(Event event) {
    long bytes = EVENT_OVERHEAD_BYTES + event.payloadLength() + event.eventId().length();
    if (!event.attributes().isEmpty()) {
      for (var attribute : event.attributes().entrySet()) {
        bytes +=
            attribute.getKey().length() + attribute.getValue().length() + ATTRIBUTE_OVERHEAD_BYTES;
      }
    }
    return bytes;
  }

  /**
   * {@link EventSizes#upperBound} of an event whose {@link #estimateBytes} is {@code eventBytes}:
   * the characters of its strings are what the estimate counts besides its payload and overheads,
   * so no second pass over its attributes.
   */
  static long encodedBytesBound(Event event, long eventBytes) {
    int attributes = event.attributes().size();
    long textChars =
        eventBytes
            - EVENT_OVERHEAD_BYTES
            - event.payloadLength()
            - (long) ATTRIBUTE_OVERHEAD_BYTES * attributes;
    return EventSizes.upperBound(event.payloadLength(), textChars, attributes);
  }

  void append(Event event, long offset, long eventBytes) {
    append(event, offset, eventBytes, encodedBytesBound(event, eventBytes), true);
  }

  /**
   * @param eventBytes the event's {@link #estimateBytes}
   * @param encodedBytesBound its {@link #encodedBytesBound(Event, long)}, computed by the caller
   * @param recordTime whether the event's time is its record's own timestamp (false: the task's
   *     clock, which a re-delivery of the same record does not repeat)
   */
  void append(
      Event event, long offset, long eventBytes, long encodedBytesBound, boolean recordTime) {
    int index = events.size();
    if (!recordTime) {
      if (clockTimes == null) {
        clockTimes = new BitSet();
      }
      clockTimes.set(index);
    }
    if (index == offsets.length) {
      offsets = Arrays.copyOf(offsets, index * 2);
    }
    offsets[index] = offset;
    events.append(event);
    estimatedBytes += eventBytes;
    this.encodedBytesBound += encodedBytesBound;
  }

  /** Why the page was closed; {@code null} while it is open. */
  public FlushReason closeReason() {
    return closeReason;
  }

  void closedFor(FlushReason reason) {
    this.closeReason = reason;
  }

  boolean storing() {
    return storing;
  }

  void storing(boolean storing) {
    this.storing = storing;
  }

  Exception lastFailure() {
    return lastFailure;
  }

  void lastFailure(Exception failure) {
    this.lastFailure = failure;
  }

  public TopicPartition partition() {
    return partition;
  }

  public String writerId() {
    return writerId;
  }

  public long openedAtMillis() {
    return openedAtMillis;
  }

  public int eventCount() {
    return events.size();
  }

  public long estimatedBytes() {
    return estimatedBytes;
  }

  /** At least the bytes the page's events take encoded, in either format. */
  public long encodedBytesBound() {
    return encodedBytesBound;
  }

  /**
   * What this page holds on the heap, as the task's memory budget counts it: its arrays, spare
   * capacity included, and a fixed overhead.
   */
  public long heapBytes() {
    return PAGE_HEAP_OVERHEAD_BYTES
        + events.retainedBytes()
        + 8L * offsets.length
        + (clockTimes == null ? 0 : 32L + clockTimes.size() / 8);
  }

  public boolean isEmpty() {
    return events.isEmpty();
  }

  public long firstOffset() {
    return offsets[0];
  }

  public long lastOffset() {
    return offsets[events.size() - 1];
  }

  /** The events, encoded: what the page is stored from. */
  public EncodedEvents events() {
    return events;
  }

  /** The events decoded again (copies): for inspection and tests, not for the per-record path. */
  public List<Event> decodedEvents() {
    return events.decode(0);
  }

  /** Milliseconds since the epoch of the event at {@code index}. */
  public long timestampAt(int index) {
    return events.timestampAt(index);
  }

  /**
   * Whether the event at {@code index} has its record's own timestamp, which every copy of that
   * record has (false: the task's clock gave it its time).
   */
  public boolean hasRecordTime(int index) {
    return clockTimes == null || !clockTimes.get(index);
  }

  /** Whether every event from {@code from} on has its record's own timestamp. */
  public boolean allRecordTimesFrom(int from) {
    return clockTimes == null || clockTimes.nextSetBit(from) < 0;
  }

  /** The Kafka offset of the event at {@code index}. */
  public long offsetAt(int index) {
    return offsets[index];
  }

  @Override
  public String toString() {
    return "page of writer "
        + Printable.quote(writerId)
        + " in "
        + partition
        + " ("
        + events.size()
        + " events"
        + (events.isEmpty() ? "" : ", offsets " + firstOffset() + ".." + lastOffset())
        + ")";
  }
}
