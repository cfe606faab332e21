package io.prism.snapshotter.connect;

import io.prism.snapshotter.buffer.WriterKeySource;
import io.prism.snapshotter.config.WriterConfig;
import io.prism.snapshotter.page.WellFormedText;
import io.prism.snapshotter.util.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

/** Finds a record's writer id where {@code writer.key.source} says. */
final class WriterIdExtractor {
  private final WriterKeySource source;
  private final ParsedHeaderWarning parsedHeaders;
  private final int maxBytes;

  /** Ids of up to this many chars cannot pass {@link #maxBytes} (3 UTF-8 bytes a char at most). */
  private final int surelyShortChars;

  WriterIdExtractor(WriterKeySource source) {
    this(source, new ParsedHeaderWarning(), WriterConfig.ID_MAX_BYTES_DEFAULT);
  }

  /**
   * @param parsedHeaders shared with the task's {@link EventConverter}: one warning per name
   * @param maxBytes the longest writer id, in UTF-8 bytes ({@code writer.id.max.bytes})
   */
  WriterIdExtractor(WriterKeySource source, ParsedHeaderWarning parsedHeaders, int maxBytes) {
    this.source = source;
    this.parsedHeaders = parsedHeaders;
    this.maxBytes = maxBytes;
    this.surelyShortChars = maxBytes / 3;
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
    int unpaired = WellFormedText.unpairedSurrogateAt(id);
    if (unpaired >= 0) {
      // The message only now: building it for every record cost a string per record.
      throw new BadRecordException(
          record,
          WellFormedText.notUnicode(id, unpaired, "writer id from " + describeSource())
              .getMessage());
    }
    // The per-record path: usual ids are short enough to need no byte count at all.
    if (id.length() > surelyShortChars) {
      int bytes = id.getBytes(StandardCharsets.UTF_8).length; // rare: long ids only
      if (bytes > maxBytes) {
        throw new BadRecordException(
            record,
            "writer id from "
                + describeSource()
                + " is "
                + bytes
                + " UTF-8 bytes, over "
                + WriterConfig.ID_MAX_BYTES
                + " ("
                + maxBytes
                + ")");
      }
    }
    return id;
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
