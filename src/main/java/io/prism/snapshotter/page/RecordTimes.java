package io.prism.snapshotter.page;

import java.util.Map;

/**
 * Tells a repeat of an event (the same Kafka record stored in two pages) from an event of another
 * record that merely has its id: a topic deleted and created again (or moved to a cluster) starts
 * its offsets again, and with them the default event ids {@code <topic>-<partition>-<offset>}.
 *
 * <p>A Kafka record's timestamp never changes, so every copy of a record carries the same time,
 * while a new record at a repeated offset was produced later. The time tells the two apart only
 * when it is the record's own: an event of a record without a timestamp got the task's clock, which
 * a re-delivery of that record does not repeat. The sink therefore tags each page with {@link
 * #TAG}: {@value #RECORD} when every event's time is its record's own; {@value #SOME_CLOCK}
 * otherwise; pages stored before the tag existed have none. Only a page tagged {@value #RECORD}
 * lets its events' times count.
 *
 * <p>And only for default ids of the page's own partition: an id the producer gave ({@code
 * prism.event_id}) is repeated by a retried publish, a new Kafka record with a new timestamp, and
 * is a repeat whatever its time. So is any id where something is unsure: the rule never shows a
 * repeat twice, at worst it drops another record's event as before.
 */
public final class RecordTimes {
  /** The page tag saying where its events' times come from. */
  public static final String TAG = "prism.event.times";

  /** Every event's time is its Kafka record's timestamp. */
  public static final String RECORD = "record";

  /** Some events' times are the task's clock (records without a timestamp). */
  public static final String SOME_CLOCK = "some-task-clock";

  // The sink's Kafka tags (PageCommitter), read here so the page package needs no sink.
  private static final String TAG_TOPIC = "kafka.topic";
  private static final String TAG_PARTITION = "kafka.partition";
  private static final String TAG_FIRST_OFFSET = "kafka.offset.first";
  private static final String TAG_LAST_OFFSET = "kafka.offset.last";

  /** A page whose events' times tell nothing: every event is known by its id alone. */
  public static final RecordTimes IDS_ONLY = new RecordTimes(null, 0, -1);

  /** {@code <topic>-<partition>-} of the page's default ids; null when times tell nothing. */
  private final String defaultIdPrefix;

  private final long firstOffset;
  private final long lastOffset;

  private RecordTimes(String defaultIdPrefix, long firstOffset, long lastOffset) {
    this.defaultIdPrefix = defaultIdPrefix;
    this.firstOffset = firstOffset;
    this.lastOffset = lastOffset;
  }

  /** The tag value for a page whose events all have (or not) their record's own time. */
  public static String tagValue(boolean allRecordTimes) {
    return allRecordTimes ? RECORD : SOME_CLOCK;
  }

  /** What the times of the page's events tell, from its tags. */
  public static RecordTimes of(PageMetadata page) {
    Map<String, String> tags = page.tags();
    String topic = tags.get(TAG_TOPIC);
    if (!RECORD.equals(tags.get(TAG)) || topic == null) {
      return IDS_ONLY;
    }
    try {
      int partition = Integer.parseInt(tags.getOrDefault(TAG_PARTITION, ""));
      long first = Long.parseLong(tags.getOrDefault(TAG_FIRST_OFFSET, ""));
      long last = Long.parseLong(tags.getOrDefault(TAG_LAST_OFFSET, ""));
      return new RecordTimes(topic + '-' + partition + '-', first, last);
    } catch (NumberFormatException malformed) {
      return IDS_ONLY;
    }
  }

  /**
   * The time that, with its id, identifies the event's record; null when its id alone must (then
   * any event with that id is a repeat of it). Two events with one id are copies of one record
   * unless both have such a time and the times differ ({@link SeenIds}).
   */
  public Long identifyingTime(Event event) {
    return identifyingTime(event.eventId(), event.timestampMillis());
  }

  /** As {@link #identifyingTime(Event)}, for an event's id and time. */
  public Long identifyingTime(String eventId, long timestampMillis) {
    return isDefaultId(eventId) ? timestampMillis : null;
  }

  /** Whether the id is {@code <topic>-<partition>-<offset>} for an offset the page spans. */
  private boolean isDefaultId(String eventId) {
    if (defaultIdPrefix == null || !eventId.startsWith(defaultIdPrefix)) {
      return false;
    }
    int start = defaultIdPrefix.length();
    int length = eventId.length() - start;
    // At most 18 digits (no overflow), and no leading zero: Long.toString's form.
    if (length < 1 || length > 18 || (length > 1 && eventId.charAt(start) == '0')) {
      return false;
    }
    long offset = 0;
    for (int i = start; i < eventId.length(); i++) {
      char c = eventId.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      offset = offset * 10 + (c - '0');
    }
    return offset >= firstOffset && offset <= lastOffset;
  }
}
