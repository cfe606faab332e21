package io.prism.snapshotter.page;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the RFC's NDJSON layout line by line with Jackson's streaming parser. Each line must be
 * exactly one JSON object; every RFC field is required except {@code tags}/{@code attributes};
 * unknown fields are skipped (a later schema may add some); duplicate fields are errors.
 */
final class NdjsonPageCursor extends DecodingCursor {
  /** Lengths are bounded by the line limit already, so Jackson's own string limits are lifted. */
  private static final JsonFactory JSON =
      new JsonFactoryBuilder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxStringLength(Integer.MAX_VALUE)
                  .maxNameLength(Integer.MAX_VALUE)
                  .build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private final LineReader lines;

  NdjsonPageCursor(
      InputStream body,
      Compression compression,
      PageLimits limits,
      InputStream decoder,
      SourceInputStream stored) {
    super(compression, limits, decoder, stored);
    this.lines = new LineReader(body, limits.maxFieldBytes());
  }

  @Override
  protected String where() {
    return lines.where();
  }

  @Override
  protected PageMetadata decodeMetadata() throws IOException, PageFormatException {
    if (!lines.next()) {
      throw error("empty page: no metadata line");
    }
    try (JsonParser p = parser()) {
      expect(
          p.nextToken() == JsonToken.START_OBJECT,
          "the first line must be the JSON object {\"metadata\":{...}}");
      expect(
          p.nextToken() == JsonToken.FIELD_NAME && NdjsonFields.METADATA.equals(p.currentName()),
          "the first line must be the JSON object {\"metadata\":{...}}");
      expect(p.nextToken() == JsonToken.START_OBJECT, "metadata must be a JSON object");
      String writerId = null;
      Long pageSequence = null;
      Long startTime = null;
      Long endTime = null;
      Long eventCount = null;
      Long pageSize = null;
      String formatVersion = null;
      String compressionName = null;
      Map<String, String> tags = Map.of();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        switch (name) {
          case NdjsonFields.WRITER_ID -> writerId = string(p, name);
          case NdjsonFields.PAGE_SEQUENCE -> pageSequence = integer(p, name);
          case NdjsonFields.START_TIME -> startTime = integer(p, name);
          case NdjsonFields.END_TIME -> endTime = integer(p, name);
          case NdjsonFields.EVENT_COUNT -> eventCount = integer(p, name);
          case NdjsonFields.PAGE_SIZE_BYTES -> pageSize = integer(p, name);
          case NdjsonFields.FORMAT_VERSION -> formatVersion = string(p, name);
          case NdjsonFields.COMPRESSION -> compressionName = string(p, name);
          case NdjsonFields.TAGS -> tags = stringMap(p, name);
          default -> p.skipChildren();
        }
      }
      expect(
          p.nextToken() == JsonToken.END_OBJECT,
          "the first line must hold only the metadata object");
      expect(p.nextToken() == null, "trailing data after the metadata object");
      String name = required(compressionName, NdjsonFields.COMPRESSION);
      Compression declared =
          Compression.findByConfigName(name)
              .orElseThrow(() -> error("metadata has an unknown compression '" + name + "'"));
      return new PageMetadata(
          required(writerId, NdjsonFields.WRITER_ID),
          required(pageSequence, NdjsonFields.PAGE_SEQUENCE),
          required(startTime, NdjsonFields.START_TIME),
          required(endTime, NdjsonFields.END_TIME),
          required(eventCount, NdjsonFields.EVENT_COUNT),
          required(pageSize, NdjsonFields.PAGE_SIZE_BYTES),
          required(formatVersion, NdjsonFields.FORMAT_VERSION),
          declared,
          tags,
          PageFormat.NDJSON);
    }
  }

  @Override
  protected Event decodeEvent(long index) throws IOException, PageFormatException {
    if (!lines.next()) {
      return null;
    }
    if (lines.length() == 0) {
      throw error("empty line");
    }
    try (JsonParser p = parser()) {
      expect(p.nextToken() == JsonToken.START_OBJECT, "an event line must be a JSON object");
      String eventId = null;
      Long timestamp = null;
      byte[] payload = null;
      Map<String, String> attributes = null;
      Long sequence = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        switch (name) {
          case NdjsonFields.EVENT_ID -> eventId = string(p, name);
          case NdjsonFields.TIMESTAMP -> timestamp = integer(p, name);
          case NdjsonFields.PAYLOAD -> payload = base64(p);
          case NdjsonFields.ATTRIBUTES -> attributes = stringMap(p, name);
          case NdjsonFields.SEQUENCE -> sequence = integer(p, name);
          default -> p.skipChildren();
        }
      }
      expect(p.nextToken() == null, "trailing data after the event object");
      long seq = required(sequence, NdjsonFields.SEQUENCE);
      if (seq != index) {
        throw error(
            "sequence is " + seq + ", expected " + index + " (the event's position in the page)");
      }
      return Event.wrap(
          required(eventId, NdjsonFields.EVENT_ID),
          required(timestamp, NdjsonFields.TIMESTAMP),
          required(payload, NdjsonFields.PAYLOAD),
          attributes);
    }
  }

  private JsonParser parser() throws IOException {
    return JSON.createParser(lines.buffer(), 0, lines.length());
  }

  private byte[] base64(JsonParser p) throws IOException, PageFormatException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw error("payload must be a base64 string, found " + p.currentToken());
    }
    try {
      return Base64.getDecoder().decode(p.getText());
    } catch (IllegalArgumentException e) {
      throw new PageFormatException(
          where() + ": payload is not valid base64 (" + e.getMessage() + ")", e);
    }
  }

  private String string(JsonParser p, String name) throws IOException, PageFormatException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw error(name + " must be a string, found " + p.currentToken());
    }
    return wellFormed(p.getText(), name);
  }

  /**
   * JSON escapes can spell an unpaired surrogate ({@code "\ud800"}), which no page we write holds
   * and no UTF-8 can carry (found by fuzzing: it used to reach {@link Event}'s own check).
   */
  private String wellFormed(String text, String name) throws PageFormatException {
    try {
      return WellFormedText.check(text, name);
    } catch (IllegalArgumentException e) {
      throw new PageFormatException(where() + ": " + e.getMessage(), e);
    }
  }

  private long integer(JsonParser p, String name) throws IOException, PageFormatException {
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
      throw error(name + " must be an integer, found " + p.currentToken());
    }
    return p.getLongValue();
  }

  private Map<String, String> stringMap(JsonParser p, String name)
      throws IOException, PageFormatException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw error(name + " must be an object of strings, found " + p.currentToken());
    }
    Map<String, String> map = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName(); // Jackson itself refuses unpaired surrogates in names
      if (p.nextToken() != JsonToken.VALUE_STRING) {
        throw error(name + "." + key + " must be a string, found " + p.currentToken());
      }
      if (map.size() >= limits.maxAttributesPerEvent()) {
        throw error("more than " + limits.maxAttributesPerEvent() + " " + name);
      }
      map.put(key, wellFormed(p.getText(), name + "." + key));
    }
    return map;
  }

  private <T> T required(T value, String name) throws PageFormatException {
    if (value == null) {
      throw error("missing field " + name);
    }
    return value;
  }

  private void expect(boolean condition, String what) throws PageFormatException {
    if (!condition) {
      throw error(what);
    }
  }
}
