package io.prism.snapshotter.page;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A page's events as they will be stored: each one encoded, on arrival, as the fields of a protobuf
 * {@code prism.snapshotter.Event} message without its sequence (which depends on where the page
 * starts), back to back in one growing array. This is how the sink buffers a writer's open page.
 *
 * <p>Why not keep the {@link Event} objects until the page closes: a buffered page of 1,000 events
 * would hold thousands of small objects (the event, its id, its payload array, its attributes) for
 * seconds or minutes, which every young collection of the heap must trace and copy, and which the
 * encoder would walk again, cold in the cache, when the page closes. Encoded, a page is one array
 * of bytes the collector copies without looking inside and the {@link ProtobufPageWriter} copies
 * into the compressor as it is; the {@code Event}s die young. And what the page costs the heap is
 * known exactly ({@link #retainedBytes()}), for the memory budget.
 *
 * <p>The protobuf writer needs only {@link #append}ed bytes; other uses decode them again ({@link
 * #eventAt}, {@link #decode}): the NDJSON format, tests, a reader of the buffer. Not thread-safe:
 * the sink appends on the task's thread and stores a page only once it is closed (no more appends),
 * on one upload thread at a time.
 */
public final class EncodedEvents {
  private static final byte[] NO_BYTES = new byte[0];
  private static final int MIN_EVENTS = 8;

  /** The largest array a JVM reliably allocates. */
  private static final int MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

  private byte[] bytes = NO_BYTES;
  private int used;
  private int count;

  /** Where event {@code i} ends in {@link #bytes}; it starts where event {@code i - 1} ends. */
  private int[] ends = new int[MIN_EVENTS];

  private long[] timestamps = new long[MIN_EVENTS];

  /** The events of {@code events}, encoded. */
  public static EncodedEvents of(List<Event> events) {
    EncodedEvents encoded = new EncodedEvents();
    for (Event event : events) {
      encoded.append(event);
    }
    return encoded;
  }

  /**
   * Encodes {@code event} after the others. Returns its encoded size.
   *
   * @throws IllegalArgumentException if the events would pass 2 GiB (no page can be that large)
   */
  public int append(Event event) {
    int size = fieldsSize(event);
    reserve(size);
    CodedOutputStream out = CodedOutputStream.newInstance(bytes, used, size);
    try {
      writeFields(out, event);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "encoding an event into an array that was sized for it failed", e);
    }
    if (count == ends.length) {
      ends = Arrays.copyOf(ends, count * 2);
      timestamps = Arrays.copyOf(timestamps, count * 2);
    }
    used += size;
    ends[count] = used;
    timestamps[count] = event.timestampMillis();
    count++;
    return size;
  }

  public int size() {
    return count;
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /** Milliseconds since the epoch of the event at {@code index}: no decoding. */
  public long timestampAt(int index) {
    checkIndex(index);
    return timestamps[index];
  }

  /** Bytes of every encoded event together (sequences not included). */
  public long encodedBytes() {
    return used;
  }

  /** What these events hold on the heap: the arrays, spare capacity included. */
  public long retainedBytes() {
    return bytes.length + 4L * ends.length + 8L * timestamps.length;
  }

  /** The event at {@code index}, decoded again (a copy). */
  public Event eventAt(int index) {
    checkIndex(index);
    int start = startOf(index);
    return decode(bytes, start, ends[index] - start);
  }

  /** The events from {@code from} on, decoded again (copies). */
  public List<Event> decode(int from) {
    if (from < 0 || from > count) {
      throw new IndexOutOfBoundsException("from " + from + " of " + count + " events");
    }
    List<Event> events = new ArrayList<>(count - from);
    for (int i = from; i < count; i++) {
      events.add(eventAt(i));
    }
    return events;
  }

  /** The array holding the events, for the protobuf writer: never modify it. */
  byte[] array() {
    return bytes;
  }

  /** Where the event at {@code index} starts in {@link #array()}. */
  int startOf(int index) {
    return index == 0 ? 0 : ends[index - 1];
  }

  /** The encoded length of the event at {@code index}. */
  int lengthOf(int index) {
    return ends[index] - startOf(index);
  }

  private void checkIndex(int index) {
    if (index < 0 || index >= count) {
      throw new IndexOutOfBoundsException("event " + index + " of " + count);
    }
  }

  /**
   * Room for {@code size} more bytes: the first event gets an array of its size (a writer that
   * sends one small event costs no more), then the array doubles, so appends cost amortised
   * constant time.
   */
  private void reserve(int size) {
    long needed = (long) used + size;
    if (needed <= bytes.length) {
      return;
    }
    if (needed > MAX_ARRAY_BYTES) {
      throw new IllegalArgumentException(
          "A page cannot hold more than 2 GiB of events; "
              + count
              + " events of "
              + used
              + " bytes and one of "
              + size
              + " would pass it");
    }
    long grown = Math.max(needed, 2L * bytes.length);
    bytes = Arrays.copyOf(bytes, (int) Math.min(grown, MAX_ARRAY_BYTES));
  }

  /** The size of the event's fields (its message without the sequence). */
  static int fieldsSize(Event e) {
    int size = 0;
    if (!e.eventId().isEmpty()) {
      size += CodedOutputStream.computeStringSize(ProtoTags.EVENT_ID, e.eventId());
    }
    if (e.timestampMillis() != 0) {
      size += CodedOutputStream.computeInt64Size(ProtoTags.EVENT_TIMESTAMP, e.timestampMillis());
    }
    if (e.payloadLength() != 0) {
      size += CodedOutputStream.computeByteArraySize(ProtoTags.EVENT_PAYLOAD, e.payloadArray());
    }
    for (Map.Entry<String, String> attribute : e.attributes().entrySet()) {
      size += ProtobufPageWriter.mapEntryFieldSize(attribute.getKey(), attribute.getValue());
    }
    return size;
  }

  /**
   * Writes the event's fields in the order protobuf-java writes them (field number order), so a
   * page is byte for byte what {@code EventPage.toByteArray()} gives; the sequence (field 5) comes
   * last, when the page is written.
   */
  private static void writeFields(CodedOutputStream out, Event e) throws IOException {
    if (!e.eventId().isEmpty()) {
      out.writeString(ProtoTags.EVENT_ID, e.eventId());
    }
    if (e.timestampMillis() != 0) {
      out.writeInt64(ProtoTags.EVENT_TIMESTAMP, e.timestampMillis());
    }
    if (e.payloadLength() != 0) {
      out.writeByteArray(ProtoTags.EVENT_PAYLOAD, e.payloadArray());
    }
    for (Map.Entry<String, String> attribute : e.attributes().entrySet()) {
      ProtobufPageWriter.writeMapEntry(
          out, ProtoTags.EVENT_ATTRIBUTES, attribute.getKey(), attribute.getValue());
    }
  }

  /** Reads back what {@link #writeFields} wrote (trusted bytes: this class wrote them). */
  private static Event decode(byte[] bytes, int start, int length) {
    String eventId = "";
    long timestamp = 0;
    byte[] payload = null;
    Map<String, String> attributes = null;
    CodedInputStream in = CodedInputStream.newInstance(bytes, start, length);
    try {
      int tag;
      while ((tag = in.readTag()) != 0) {
        switch (tag) {
          case (ProtoTags.EVENT_ID << 3) | ProtoTags.LENGTH_DELIMITED -> eventId = in.readString();
          case (ProtoTags.EVENT_TIMESTAMP << 3) | ProtoTags.VARINT -> timestamp = in.readInt64();
          case (ProtoTags.EVENT_PAYLOAD << 3) | ProtoTags.LENGTH_DELIMITED ->
              payload = in.readByteArray();
          case (ProtoTags.EVENT_ATTRIBUTES << 3) | ProtoTags.LENGTH_DELIMITED -> {
            if (attributes == null) {
              attributes = new LinkedHashMap<>();
            }
            readMapEntry(in, attributes);
          }
          default -> throw new IllegalStateException("unexpected field tag " + tag);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("decoding an event this buffer encoded failed", e);
    }
    return Event.wrap(eventId, timestamp, payload, attributes);
  }

  private static void readMapEntry(CodedInputStream in, Map<String, String> map)
      throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    String key = "";
    String value = "";
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == ((ProtoTags.MAP_KEY << 3) | ProtoTags.LENGTH_DELIMITED)) {
        key = in.readString();
      } else {
        value = in.readString();
      }
    }
    in.popLimit(limit);
    map.put(key, value);
  }
}
