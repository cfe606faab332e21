package io.prism.snapshotter.connect;

import io.prism.snapshotter.buffer.WriterKeySource;
import io.prism.snapshotter.page.WellFormedText;
import io.prism.snapshotter.util.Utf8;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

/** Finds a record's writer id where {@code writer.key.source} says. */
final class WriterIdExtractor {
  private final WriterKeySource source;
  private final ParsedHeaderWarning parsedHeaders;

  WriterIdExtractor(WriterKeySource source) {
    this(source, new ParsedHeaderWarning());
  }

  /**
   * @param parsedHeaders shared with the task's {@link EventConverter}: one warning per name
   */
  WriterIdExtractor(WriterKeySource source, ParsedHeaderWarning parsedHeaders) {
    this.source = source;
    this.parsedHeaders = parsedHeaders;
  }

  /** The writer id, never null or empty; a BadRecordException saying why otherwise. */
  String writerOf(SinkRecord record) {
    String id =
        switch (source.kind()) {
          case KEY -> textOf(record, record.key(), "record key");
          case TOPIC -> record.topic();
          case HEADER -> fromHeader(record);
          case FIELD -> fromField(record);
        };
    if (id == null || id.isEmpty()) {
      throw new BadRecordException(
          record, "no writer id: " + describeSource() + " is " + (id == null ? "null" : "empty"));
    }
    try {
      return WellFormedText.check(id, "writer id from " + describeSource());
    } catch (IllegalArgumentException notUnicode) {
      throw new BadRecordException(record, notUnicode.getMessage());
    }
  }

  private String describeSource() {
    return switch (source.kind()) {
      case KEY -> "the record key";
      case TOPIC -> "the topic";
      case HEADER -> "header '" + source.name() + "'";
      case FIELD -> "field '" + source.name() + "' of the value";
    };
  }

  private String fromHeader(SinkRecord record) {
    Header header = record.headers().lastWithName(source.name());
    if (header == null) {
      return null;
    }
    parsedHeaders.check(header);
    return textOf(record, header.value(), "header '" + source.name() + "'");
  }

  private String fromField(SinkRecord record) {
    Object current = record.value();
    for (String name : source.path()) {
      if (current instanceof Struct struct) {
        Field field = struct.schema().field(name);
        current = field == null ? null : struct.get(field);
      } else if (current instanceof Map<?, ?> map) {
        current = map.get(name);
      } else {
        throw new BadRecordException(
            record,
            "cannot read field '"
                + source.name()
                + "': the value is "
                + (current == null ? "null" : "a " + current.getClass().getSimpleName())
                + ", not a Struct or Map");
      }
    }
    return textOf(record, current, "field '" + source.name() + "'");
  }

  private static String textOf(SinkRecord record, Object value, String what) {
    if (value == null) {
      return null;
    }
    if (value instanceof String text) {
      return text;
    }
    if (value instanceof byte[] bytes) {
      return Utf8.textOf(bytes);
    }
    if (value instanceof java.nio.ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return Utf8.textOf(bytes);
    }
    if (value instanceof Number || value instanceof Boolean || value instanceof Character) {
      return value.toString();
    }
    throw new BadRecordException(
        record,
        what
            + " is a "
            + value.getClass().getSimpleName()
            + "; a writer id must be text, bytes or a number");
  }
}
