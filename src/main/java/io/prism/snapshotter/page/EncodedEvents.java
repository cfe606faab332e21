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
 * starts), back to back in a few arrays. This is how the sink buffers a writer's open page.
 *
 * <p>Why not keep the {@link Event} objects until the page closes: a buffered page of 1,000 events
 * would hold thousands of small objects (the event, its id, its payload array, its attributes) for
 * seconds or minutes, which every young collection of the heap must trace and copy, and which the
 * encoder would walk again, cold in the cache, when the page closes. Encoded, a page is a few
 * arrays of bytes the collector copies without looking inside (most of them reused, {@link
 * ChunkPool}) and the {@link ProtobufPageWriter} copies into the compressor as it is; the {@code
 * Event}s die young. And what the page costs the heap is known exactly ({@link #retainedBytes()}),
 * for the memory budget.
 *
 * <p>The protobuf writer needs only {@link #append}ed bytes; other uses decode them again ({@link
 * #eventAt}, {@link #decode}): the NDJSON format, tests, a reader of the buffer. Not thread-safe:
 * the sink appends on the task's thread and stores a page only once it is closed (no more appends),
 * on one upload thread at a time.
 */
public final class EncodedEvents {
  private static final int MIN_EVENTS = 8;
  private static final int ARRAY_HEADER_BYTES = 16;

  /**
   * The largest chunk, unless one event needs more: what an open page may hold beyond its events
   * (16 KiB for each of 1,000 writers: 16 MiB at most).
   */
  static final int MAX_CHUNK_BYTES = 16 * 1024;

  /**
   * The events' bytes, in chunks that only ever get added: growing never copies, and what is spare
   * is at most the last chunk. A chunk twice the previous one's size, up to {@link
   * #MAX_CHUNK_BYTES}, the first one of the first event's size (a writer that sends one small event
   * costs no more). An event never straddles two chunks: one that does not fit in what is left of
   * the last chunk starts a new one.
   */
  private byte[][] chunks = new byte[1][];

  private int chunkCount;

  /** Bytes used in the last chunk. */
  private int usedInLast;

  private long encodedBytes;
  private long chunkBytes;
  private int count;

  /** Which chunk holds event {@code i}, and where in it the event ends. */
  private int[] chunkOf = new int[MIN_EVENTS];

  private int[] endIn = new int[MIN_EVENTS];
  private long[] timestamps = new long[MIN_EVENTS];

  private final ChunkPool pool;
  private boolean released;

  /** Events whose chunks are allocated as needed and left to the collector. */
  public EncodedEvents() {
    this(ChunkPool.NONE);
  }

  /**
   * Events whose full-size chunks come from {@code pool}, and go back there on {@link #release}.
   */
  public EncodedEvents(ChunkPool pool) {
    this.pool = pool;
  }

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
    checkNotReleased();
    int size = fieldsSize(event);
    byte[] chunk = chunkFor(size);
    CodedOutputStream out = CodedOutputStream.newInstance(chunk, usedInLast, size);
    try {
      writeFields(out, event);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "encoding an event into an array that was sized for it failed", e);
    }
    if (count == timestamps.length) {
      chunkOf = Arrays.copyOf(chunkOf, count * 2);
      endIn = Arrays.copyOf(endIn, count * 2);
      timestamps = Arrays.copyOf(timestamps, count * 2);
    }
    usedInLast += size;
    encodedBytes += size;
    chunkOf[count] = chunkCount - 1;
    endIn[count] = usedInLast;
    timestamps[count] = event.timestampMillis();
    count++;
    return size;
  }

  public int size() {
    return count;
  }

  /**
   * Gives the chunks back to the pool: the events are no longer needed (their page is durable).
   * Sizes and timestamps stay readable; the events' bytes do not.
   */
  public void release() {
    if (released) {
      return;
    }
    released = true;
    for (int i = 0; i < chunkCount; i++) {
      pool.give(chunks[i]);
      chunks[i] = null;
    }
  }

  private void checkNotReleased() {
    if (released) {
      throw new IllegalStateException("these events were released: their chunks are reused");
    }
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /** Milliseconds since the epoch of the event at {@code index}: no decoding. */
  public long timestampAt(int index) {
    checkIndex(index);
    return timestamps[index];
  }

  /**
   * The earliest timestamp of the events from {@code from} on: a page's start time. Not the first
   * event's: Kafka record times need not grow (producers' clocks, times set by clients).
   */
  public long earliestTimestamp(int from) {
    checkIndex(from);
    long earliest = timestamps[from];
    for (int i = from + 1; i < count; i++) {
      earliest = Math.min(earliest, timestamps[i]);
    }
    return earliest;
  }

  /** The latest timestamp of the events from {@code from} on: a page's end time. */
  public long latestTimestamp(int from) {
    checkIndex(from);
    long latest = timestamps[from];
    for (int i = from + 1; i < count; i++) {
      latest = Math.max(latest, timestamps[i]);
    }
    return latest;
  }

  /** Bytes of every encoded event together (sequences not included). */
  public long encodedBytes() {
    return encodedBytes;
  }

  /**
   * What these events hold on the heap: the arrays with their headers, what is spare in the last
   * chunk included.
   */
  public long retainedBytes() {
    return chunkBytes
        + ARRAY_HEADER_BYTES * (chunkCount + 4L)
        + 4L * chunks.length
        + 16L * timestamps.length;
  }

  /** The event at {@code index}, decoded again (a copy). */
  public Event eventAt(int index) {
    checkIndex(index);
    checkNotReleased();
    return decode(arrayOf(index), startOf(index), lengthOf(index));
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

  /** The array holding the event at {@code index}, for the protobuf writer: never modify it. */
  byte[] arrayOf(int index) {
    checkNotReleased();
    return chunks[chunkOf[index]];
  }

  /** Where the event at {@code index} starts in {@link #arrayOf}. */
  int startOf(int index) {
    return index == 0 || chunkOf[index - 1] != chunkOf[index] ? 0 : endIn[index - 1];
  }

  /** The encoded length of the event at {@code index}. */
  int lengthOf(int index) {
    return endIn[index] - startOf(index);
  }

  private void checkIndex(int index) {
    if (index < 0 || index >= count) {
      throw new IndexOutOfBoundsException("event " + index + " of " + count);
    }
  }

  /** The chunk the next event of {@code size} bytes goes into, from {@link #usedInLast} on. */
  private byte[] chunkFor(int size) {
    if (chunkCount > 0 && chunks[chunkCount - 1].length - usedInLast >= size) {
      return chunks[chunkCount - 1];
    }
    if (encodedBytes + size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "A page cannot hold more than 2 GiB of events; "
              + count
              + " events of "
              + encodedBytes
              + " bytes and one of "
              + size
              + " would pass it");
    }
    int previous = chunkCount == 0 ? 0 : chunks[chunkCount - 1].length;
    int length = Math.max(size, Math.min(MAX_CHUNK_BYTES, 2 * previous));
    byte[] chunk = length == MAX_CHUNK_BYTES ? pool.take() : new byte[length];
    if (chunkCount == chunks.length) {
      chunks = Arrays.copyOf(chunks, chunkCount * 2);
    }
    chunks[chunkCount++] = chunk;
    chunkBytes += chunk.length;
    usedInLast = 0;
    return chunk;
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
