package io.prism.snapshotter.connect;

import io.prism.snapshotter.config.JsonDecimalFormat;
import io.prism.snapshotter.page.AttributeMap;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageLimits;
import io.prism.snapshotter.util.Printable;
import io.prism.snapshotter.util.Utf8;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.connect.data.Values;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Turns a record into an event.
 *
 * <ul>
 *   <li>Payload: {@code byte[]} as is (ByteArrayConverter); text as UTF-8 (StringConverter);
 *       anything structured (JsonConverter with or without schemas: Struct, Map, List, numbers,
 *       booleans) as its plain JSON, without a schema envelope; decimals as {@code
 *       page.json.decimal.format} says.
 *   <li>Attributes: the record's headers as text, in header order, except the control headers
 *       (event id, session); none when {@code page.include.metadata=false}.
 *   <li>Event id: the event-id header when present, else {@code <topic>-<partition>-<offset>}.
 *   <li>Timestamp: the record's timestamp in ms; the task's clock when the record has none.
 * </ul>
 *
 * Tombstones (null values) never get here: the task skips them.
 */
final class EventConverter {
  private final boolean includeAttributes;

  /** The most attributes a page reader accepts per event ({@link PageLimits#DEFAULT}). */
  static final int MAX_ATTRIBUTES = PageLimits.DEFAULT.maxAttributesPerEvent();

  private final String eventIdHeader;
  private final String sessionHeader;
  private final Clock clock;
  private final JsonConverter json = new JsonConverter();
  private final ParsedHeaderWarning parsedHeaders;

  EventConverter(
      boolean includeAttributes,
      String eventIdHeader,
      String sessionHeader,
      JsonDecimalFormat decimals,
      Clock clock) {
    this(
        includeAttributes,
        eventIdHeader,
        sessionHeader,
        decimals,
        clock,
        new ParsedHeaderWarning());
  }

  /**
   * @param parsedHeaders shared with the task's {@link WriterIdExtractor}: one warning per name
   */
  EventConverter(
      boolean includeAttributes,
      String eventIdHeader,
      String sessionHeader,
      JsonDecimalFormat decimals,
      Clock clock,
      ParsedHeaderWarning parsedHeaders) {
    this.parsedHeaders = parsedHeaders;
    this.includeAttributes = includeAttributes;
    this.eventIdHeader = eventIdHeader;
    this.sessionHeader = sessionHeader;
    this.clock = clock;
    json.configure(
        Map.of(
            JsonConverterConfig.SCHEMAS_ENABLE_CONFIG,
            "false",
            JsonConverterConfig.DECIMAL_FORMAT_CONFIG,
            decimals == JsonDecimalFormat.NUMERIC ? "NUMERIC" : "BASE64",
            "converter.type",
            "value"));
  }

  Event toEvent(SinkRecord record) {
    String eventId = null;
    Map<String, String> attributes = Map.of();
    if (!record.headers().isEmpty()) {
      // Header order is kept; a header repeated keeps its first position and its last value.
      AttributeMap.Builder builder = null;
      for (Header header : record.headers()) {
        String name = header.key();
        if (name.equals(eventIdHeader)) {
          eventId = headerText(record, header);
        } else if (includeAttributes && !name.equals(sessionHeader)) {
          if (builder == null) {
            builder = AttributeMap.builder();
          }
          builder.put(name, headerText(record, header));
        }
      }
      if (builder != null) {
        attributes = builder.build();
        if (attributes.size() > MAX_ATTRIBUTES) {
          // A page holding it would be refused by every reader (as a hostile page would be).
          throw new BadRecordException(
              record,
              attributes.size()
                  + " headers as attributes, over the "
                  + MAX_ATTRIBUTES
                  + " per event that page readers accept");
        }
      }
    }
    if (eventId == null || eventId.isEmpty()) {
      eventId = record.topic() + '-' + record.kafkaPartition() + '-' + record.kafkaOffset();
    }
    Long timestamp = record.timestamp();
    // wrap: the payload array is fresh from the converter and never shared, so no copy.
    return Event.wrap(
        eventId, timestamp != null ? timestamp : clock.millis(), payloadOf(record), attributes);
  }

  /**
   * Whether the record's event gets the record's own timestamp, which a re-delivery repeats; false
   * when it gets the task's clock, which it does not (a record without a timestamp: message format
   * before Kafka 0.10, or an SMT that removed it).
   */
  boolean hasRecordTime(SinkRecord record) {
    return record.timestamp() != null;
  }

  private byte[] payloadOf(SinkRecord record) {
    Object value = record.value();
    if (value instanceof byte[] bytes) {
      return bytes;
    }
    if (value instanceof String text) {
      return text.getBytes(StandardCharsets.UTF_8);
    }
    if (value instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return bytes;
    }
    try {
      return json.fromConnectData(record.topic(), record.valueSchema(), value);
    } catch (RuntimeException e) {
      throw new BadRecordException(record, "value cannot be written as JSON: " + e.getMessage());
    }
  }

  /**
   * The header's value as text; a BadRecordException naming the header when Connect cannot print it
   * (e.g. a UUID from an SMT or a custom header converter), so it is a bad record like others
   * instead of a DataException that fails the task whatever errors.tolerance says.
   */
  private String headerText(SinkRecord record, Header header) {
    Object value = header.value();
    if (value == null) {
      return "";
    }
    if (value instanceof String text) {
      return text;
    }
    if (value instanceof byte[] bytes) {
      return Utf8.textOf(bytes);
    }
    parsedHeaders.check(header);
    try {
      return Values.convertToString(header.schema(), value);
    } catch (DataException notText) {
      // The class, not the value: Connect's message prints the value, which may be anything.
      throw new BadRecordException(
          record,
          "header "
              + Printable.quote(header.key())
              + " is a "
              + value.getClass().getName()
              + ", which cannot be read as text");
    }
  }

  /** True when the record is a session-end control record ({@code <session header>=end}). */
  boolean isSessionEnd(SinkRecord record) {
    Header header = record.headers().lastWithName(sessionHeader);
    return header != null && "end".equals(headerText(record, header));
  }
}
