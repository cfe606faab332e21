package io.prism.snapshotter.config;

import io.prism.snapshotter.buffer.WriterKeySource;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.NonEmptyString;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/** {@code writer.*}: which writer a record belongs to, and the control headers the sink reads. */
public final class WriterConfig {
  public static final String GROUP = "Writer";

  public static final String KEY_SOURCE = "writer.key.source";
  static final String KEY_SOURCE_DOC =
      "Where a record's writer id comes from: 'key' (the record key as UTF-8 text), 'header:<name>',"
          + " 'field:<path>' (a dotted path into a Struct or Map value), or 'topic'. Record keys that"
          + " are bytes but not valid UTF-8 become 'base64:' followed by their standard base64.";

  public static final String SESSION_HEADER = "writer.session.header";
  public static final String SESSION_HEADER_DEFAULT = "prism.session";
  static final String SESSION_HEADER_DOC =
      "A record with this header set to 'end' ends its writer's session: the writer's open page is"
          + " stored at once. Such a record is a control record, not an event: it is not in any page.";

  public static final String EVENT_ID_HEADER = "writer.event.id.header";
  public static final String EVENT_ID_HEADER_DEFAULT = "prism.event_id";
  static final String EVENT_ID_HEADER_DOC =
      "When a record carries this header, its value is the event id (the front door sets it);"
          + " otherwise the event id is <topic>-<partition>-<offset>.";

  public static final String ID_MAX_BYTES = "writer.id.max.bytes";
  public static final int ID_MAX_BYTES_DEFAULT = 1024;

  /**
   * Highest allowed: every index can still query such a writer (ClickHouse 18.16 refuses queries
   * over 256 KiB, and a quoted id may take twice its bytes).
   */
  public static final int ID_MAX_BYTES_LIMIT = 65_536;

  static final String ID_MAX_BYTES_DOC =
      "Longest writer id, in UTF-8 bytes. A record whose writer id is longer is a bad record: it"
          + " goes where errors.tolerance says (the dead letter queue, or the task stops naming its"
          + " topic, partition and offset), like one without a writer id. The front door's"
          + " frontdoor.max.writer.id.bytes has the same default. Up to "
          + ID_MAX_BYTES_LIMIT
          + ", so that every index can still be queried for such a writer.";

  private final WriterKeySource keySource;
  private final int idMaxBytes;
  private final String sessionHeader;
  private final String eventIdHeader;

  public WriterConfig(AbstractConfig config) {
    this.keySource = parseKeySource(config.getString(KEY_SOURCE));
    this.sessionHeader = config.getString(SESSION_HEADER);
    this.eventIdHeader = config.getString(EVENT_ID_HEADER);
    this.idMaxBytes = config.getInt(ID_MAX_BYTES);
  }

  public static ConfigDef addTo(ConfigDef def) {
    int order = 0;
    return def.define(
            KEY_SOURCE,
            Type.STRING,
            "key",
            DescribedValidator.of(
                "key, topic, header:<name>, field:<path>",
                (name, value) -> parseKeySource((String) value)),
            Importance.HIGH,
            KEY_SOURCE_DOC,
            GROUP,
            ++order,
            Width.MEDIUM,
            "Writer id source")
        .define(
            SESSION_HEADER,
            Type.STRING,
            SESSION_HEADER_DEFAULT,
            new NonEmptyString(),
            Importance.LOW,
            SESSION_HEADER_DOC,
            GROUP,
            ++order,
            Width.MEDIUM,
            "Session header")
        .define(
            EVENT_ID_HEADER,
            Type.STRING,
            EVENT_ID_HEADER_DEFAULT,
            new NonEmptyString(),
            Importance.LOW,
            EVENT_ID_HEADER_DOC,
            GROUP,
            ++order,
            Width.MEDIUM,
            "Event id header")
        .define(
            ID_MAX_BYTES,
            Type.INT,
            ID_MAX_BYTES_DEFAULT,
            ConfigDef.Range.between(1, ID_MAX_BYTES_LIMIT),
            Importance.LOW,
            ID_MAX_BYTES_DOC,
            GROUP,
            ++order,
            Width.SHORT,
            "Longest writer id (bytes)");
  }

  private static WriterKeySource parseKeySource(String value) {
    try {
      return WriterKeySource.parse(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(KEY_SOURCE, value, e.getMessage());
    }
  }

  public WriterKeySource keySource() {
    return keySource;
  }

  public String sessionHeader() {
    return sessionHeader;
  }

  public int idMaxBytes() {
    return idMaxBytes;
  }

  public String eventIdHeader() {
    return eventIdHeader;
  }
}
