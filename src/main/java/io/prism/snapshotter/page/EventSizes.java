package io.prism.snapshotter.page;

import com.google.protobuf.CodedOutputStream;

/**
 * How many bytes an event takes once encoded, against what page readers accept ({@link
 * PageLimits#DEFAULT}): one event (a protobuf message or an NDJSON line) of at most {@link
 * #MAX_EVENT_BYTES}, a page of at most 256 MiB. A page holding an event over the first, or larger
 * than the second, could not be read back at all, so writers check before they buffer or merge.
 *
 * <p>Sizes are counted for the larger of the two formats, whichever a page is written in: pages are
 * re-encoded in another format by compaction, and the NDJSON line is nearly always the larger (its
 * payload in base64, its strings JSON-escaped). Two measures: {@link #upperBound} is arithmetic on
 * lengths, cheap enough for every record; {@link #largestEncoding} encodes the event, for the few
 * whose bound passes the limit.
 */
public final class EventSizes {
  /** The largest event page readers accept: one protobuf event message or NDJSON line. */
  public static final long MAX_EVENT_BYTES = PageLimits.DEFAULT.maxFieldBytes();

  /**
   * The most bytes a page's events may take together: what readers accept of a whole page, less
   * room for its metadata (writer id, times, tags: a few KiB at most).
   */
  public static final long MAX_PAGE_EVENTS_BYTES = PageLimits.DEFAULT.maxPageBytes() - (1 << 20);

  /**
   * What an NDJSON event line takes besides its strings and payload: field names, quotes, braces,
   * the timestamp and the sequence (at most 20 digits each), the '\n'.
   */
  static final int LINE_FRAMING_BYTES = 120;

  /**
   * What an attribute takes besides its key and value: two pairs of quotes, a colon and a comma in
   * NDJSON; the map entry's tags and lengths (at most 18 bytes) in protobuf.
   */
  static final int ATTRIBUTE_FRAMING_BYTES = 18;

  /**
   * The most bytes one character of a string takes: JSON escapes a control character as {@code
   * \\u00XX}; UTF-8 takes at most 3 bytes per UTF-16 character.
   */
  static final int MAX_BYTES_PER_CHAR = 6;

  private EventSizes() {}

  /**
   * At least the bytes an event takes in either format, from its payload's length, the characters
   * of its id and its attributes' keys and values together, and its number of attributes. No
   * allocation.
   */
  public static long upperBound(int payloadBytes, long textChars, int attributes) {
    return NdjsonPageWriter.base64Length(payloadBytes)
        + MAX_BYTES_PER_CHAR * textChars
        + LINE_FRAMING_BYTES
        + (long) ATTRIBUTE_FRAMING_BYTES * attributes;
  }

  /** {@link #upperBound(int, long, int)} of {@code event}. */
  public static long upperBound(Event event) {
    long textChars = event.eventId().length();
    for (var attribute : event.attributes().entrySet()) {
      textChars += attribute.getKey().length() + attribute.getValue().length();
    }
    return upperBound(event.payloadLength(), textChars, event.attributes().size());
  }

  /**
   * The bytes {@code event} takes in the larger of its two encodings, anywhere in a page of up to
   * {@link PageLimits#maxEvents()} events: its protobuf event message or its NDJSON line (without
   * the '\n'), the sequence at its longest. Encodes the event's strings: for events whose {@link
   * #upperBound} is over a limit.
   */
  public static long largestEncoding(Event event) {
    long lastSequence = PageLimits.DEFAULT.maxEvents() - 1;
    long protobuf =
        EncodedEvents.fieldsSize(event)
            + CodedOutputStream.computeInt64Size(ProtoTags.EVENT_SEQUENCE, lastSequence);
    return Math.max(protobuf, NdjsonPageWriter.lineLength(event, lastSequence));
  }
}
