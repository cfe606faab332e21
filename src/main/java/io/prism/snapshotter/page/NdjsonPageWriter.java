package io.prism.snapshotter.page;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * Writes the RFC's NDJSON layout with Jackson's streaming generator: a
 * {@code {"metadata":{...}}} line, then one {@code {"event_id","timestamp","payload","attributes",
 * "sequence"}} object per line, every line ending in '\n'. Payloads are standard base64 with
 * padding; strings are UTF-8 with JSON escapes (so a newline in a value never splits a line).
 *
 * <p><b>Page size.</b> A counting pass runs the same generator over the events into a byte
 * counter, writing every payload as {@code ""}; the real line is longer by exactly the base64
 * length of the payload, {@code 4 * ceil(n / 3)}, which is added arithmetically. This keeps
 * Jackson the only authority on escaping while skipping the expensive part (base64) of the
 * counting pass. The metadata line, which contains the total, is rendered (it is small) until its
 * length is a fixed point.
 */
final class NdjsonPageWriter {
    private static final Base64Variant BASE64 = Base64Variants.MIME_NO_LINEFEEDS;
    private static final byte[] NO_BYTES = new byte[0];

    private final JsonFactory json = new JsonFactoryBuilder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            // Flushing the compressor would end a zstd block early and cost ratio.
            .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
            // Lines are separated by our own '\n', not Jackson's default root separator (a space).
            .rootValueSeparator((String) null)
            .build();

    PageMetadata write(PageMetadata draft, List<Event> events, OutputStream out) throws IOException {
        long eventBytes = eventLinesLength(events);
        long pageSize = eventBytes;
        byte[] metadataLine;
        PageMetadata metadata;
        while (true) {
            metadata = draft.withPageSizeBytes(pageSize);
            metadataLine = metadataLine(metadata);
            long total = metadataLine.length + eventBytes;
            if (total == pageSize) {
                break;
            }
            pageSize = total;
        }
        out.write(metadataLine);
        // Its own compressed block (zstd ends a block on flush): readMetadata needs only the head.
        out.flush();
        try (JsonGenerator gen = json.createGenerator(out)) {
            writeEvents(gen, events, true);
        }
        return metadata;
    }

    private long eventLinesLength(List<Event> events) throws IOException {
        CountingOutputStream counter = CountingOutputStream.toNowhere();
        long base64Bytes = 0;
        try (JsonGenerator gen = json.createGenerator(counter)) {
            writeEvents(gen, events, false);
            for (Event e : events) {
                base64Bytes += base64Length(e.payloadLength());
            }
        }
        return counter.count() + base64Bytes;
    }

    static long base64Length(int bytes) {
        return 4L * ((bytes + 2L) / 3);
    }

    private static void writeEvents(JsonGenerator gen, List<Event> events, boolean withPayload) throws IOException {
        int n = events.size();
        for (int i = 0; i < n; i++) {
            Event e = events.get(i);
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
            gen.writeNumber(i);
            gen.writeEndObject();
            gen.writeRaw('\n');
        }
    }

    private byte[] metadataLine(PageMetadata m) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator gen = json.createGenerator(bytes)) {
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
        return bytes.toByteArray();
    }

    private static void writeStringMap(JsonGenerator gen, Map<String, String> map) throws IOException {
        gen.writeStartObject();
        for (Map.Entry<String, String> e : map.entrySet()) {
            gen.writeStringField(e.getKey(), e.getValue());
        }
        gen.writeEndObject();
    }
}
