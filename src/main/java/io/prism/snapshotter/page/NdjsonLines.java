package io.prism.snapshotter.page;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Map;

/**
 * The RFC's NDJSON lines, written in one place: the metadata line of an NDJSON page, and the event
 * line used both inside NDJSON pages and by every command that prints events ({@code pages cat},
 * {@code replay}).
 */
public final class NdjsonLines {
  /**
   * Standard base64 with padding and no line breaks, as the RFC's examples and every decoder
   * expect.
   */
  static final Base64Variant BASE64 = Base64Variants.MIME_NO_LINEFEEDS;

  private static final byte[] NO_BYTES = new byte[0];

  private NdjsonLines() {}

  /** {@code {"metadata":{...}}} and a newline. */
  public static void writeMetadataLine(JsonGenerator gen, PageMetadata m) throws IOException {
    gen.writeStartObject();
    gen.writeObjectFieldStart(NdjsonFields.METADATA);
    gen.writeStringField(NdjsonFields.WRITER_ID, m.writerId());
    gen.writeNumberField(NdjsonFields.PAGE_SEQUENCE, m.pageSequence());
    gen.writeNumberField(NdjsonFields.START_TIME, m.startTime());
    gen.writeNumberField(NdjsonFields.END_TIME, m.endTime());
    gen.writeNumberField(NdjsonFields.EVENT_COUNT, m.eventCount());
    gen.writeNumberField(NdjsonFields.PAGE_SIZE_BYTES, m.pageSizeBytes());
    gen.writeStringField(NdjsonFields.FORMAT_VERSION, m.formatVersion());
    gen.writeStringField(NdjsonFields.COMPRESSION, m.compression().configName());
    gen.writeFieldName(NdjsonFields.TAGS);
    writeStringMap(gen, m.tags());
    gen.writeEndObject();
    gen.writeEndObject();
    gen.writeRaw('\n');
  }

  /**
   * {@code {"event_id":..,"timestamp":..,"payload":"<base64>","attributes":{..},"sequence":n}} and
   * a newline.
   */
  public static void writeEventLine(JsonGenerator gen, Event e, long sequence) throws IOException {
    writeEventLine(gen, e, sequence, true);
  }

  /**
   * As {@link #writeEventLine(JsonGenerator, Event, long)}; without the payload for length
   * counting.
   */
  static void writeEventLine(JsonGenerator gen, Event e, long sequence, boolean withPayload)
      throws IOException {
    gen.writeStartObject();
    gen.writeFieldName(NdjsonFields.EVENT_ID_NAME);
    gen.writeString(e.eventId());
    gen.writeFieldName(NdjsonFields.TIMESTAMP_NAME);
    gen.writeNumber(e.timestampMillis());
    gen.writeFieldName(NdjsonFields.PAYLOAD_NAME);
    byte[] payload = withPayload ? e.payloadArray() : NO_BYTES;
    gen.writeBinary(BASE64, payload, 0, payload.length);
    gen.writeFieldName(NdjsonFields.ATTRIBUTES_NAME);
    writeStringMap(gen, e.attributes());
    gen.writeFieldName(NdjsonFields.SEQUENCE_NAME);
    gen.writeNumber(sequence);
    gen.writeEndObject();
    gen.writeRaw('\n');
  }

  private static void writeStringMap(JsonGenerator gen, Map<String, String> map)
      throws IOException {
    gen.writeStartObject();
    for (Map.Entry<String, String> e : map.entrySet()) {
      gen.writeStringField(e.getKey(), e.getValue());
    }
    gen.writeEndObject();
  }
}
