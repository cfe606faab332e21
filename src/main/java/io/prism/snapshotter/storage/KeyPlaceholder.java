package io.prism.snapshotter.storage;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The placeholders a {@link KeyTemplate} understands: the single source of their names, meanings
 * and rendering (the config docs are generated from it). Time placeholders use the page's start
 * time in UTC.
 */
public enum KeyPlaceholder {
  YEAR(
      "year",
      "4-digit year of the page's start time (UTC)",
      c -> Integer.toString(utcDate(c).getYear())),
  MONTH("month", "2-digit month 01-12 (UTC)", c -> pad2(utcDate(c).getMonthValue())),
  DAY("day", "2-digit day of month 01-31 (UTC)", c -> pad2(utcDate(c).getDayOfMonth())),
  HOUR("hour", "2-digit hour 00-23 (UTC)", c -> pad2(hourOfDay(c))),
  MINUTE("minute", "2-digit minute 00-59 (UTC)", c -> pad2(minuteOfHour(c))),
  DATE("date", "the start date as yyyy-MM-dd (UTC)", c -> utcDate(c).toString()),
  WRITER_ID(
      "writer_id",
      "the writer id, percent-encoded into one safe segment (see WriterIds)",
      c -> WriterIds.encode(c.writerId())),
  TIMESTAMP(
      "timestamp",
      "the page's start time in milliseconds since the epoch",
      c -> c.startTimeMillis() + ""),
  SEQUENCE(
      "sequence",
      "the page's sequence number within its writer, zero-padded to 20 digits",
      c -> pad20(c.sequence())),
  TOPIC("topic", "the Kafka topic, encoded like the writer id", c -> WriterIds.encode(c.topic())),
  PARTITION("partition", "the Kafka partition number", c -> c.partition() + ""),
  START_OFFSET(
      "start_offset",
      "the Kafka offset of the page's first event, zero-padded to 20 digits "
          + "(so keys sort in offset order)",
      c -> pad20(c.startOffset())),
  FORMAT("format", "the page format name, e.g. protobuf or ndjson", KeyContext::formatName),
  EXT(
      "ext",
      "the file extension: format extension plus compression extension, e.g. .pb.zst",
      KeyContext::extension),
  COMPRESSION(
      "compression", "the compression name: none, gzip or zstd", KeyContext::compressionName);

  private final String placeholderName;
  private final String description;
  private final Function<KeyContext, String> renderer;

  KeyPlaceholder(
      String placeholderName, String description, Function<KeyContext, String> renderer) {
    this.placeholderName = placeholderName;
    this.description = description;
    this.renderer = renderer;
  }

  /** The name between the braces, e.g. {@code writer_id}. */
  public String placeholderName() {
    return placeholderName;
  }

  public String description() {
    return description;
  }

  /** The value this placeholder contributes to the key of the page described by {@code context}. */
  public String render(KeyContext context) {
    return renderer.apply(context);
  }

  public static Optional<KeyPlaceholder> byName(String name) {
    return Arrays.stream(values()).filter(p -> p.placeholderName.equals(name)).findFirst();
  }

  /** A one-line-per-placeholder description for config documentation. */
  public static String documentation() {
    return Arrays.stream(values())
        .map(p -> "{" + p.placeholderName + "}: " + p.description)
        .collect(Collectors.joining("; "));
  }

  private static final long MILLIS_PER_DAY = 86_400_000L;
  private static final long MILLIS_PER_HOUR = 3_600_000L;
  private static final long MILLIS_PER_MINUTE = 60_000L;
  private static final int PADDED_DIGITS = 20;

  // Keys are rendered once per page on the sink's hot path: a UTC date is a plain split of the
  // epoch milliseconds (UTC has no offset or leap rules), so no ZonedDateTime or time-zone rules.
  private static LocalDate utcDate(KeyContext c) {
    return LocalDate.ofEpochDay(Math.floorDiv(c.startTimeMillis(), MILLIS_PER_DAY));
  }

  private static int hourOfDay(KeyContext c) {
    return (int) (Math.floorMod(c.startTimeMillis(), MILLIS_PER_DAY) / MILLIS_PER_HOUR);
  }

  private static int minuteOfHour(KeyContext c) {
    return (int) (Math.floorMod(c.startTimeMillis(), MILLIS_PER_HOUR) / MILLIS_PER_MINUTE);
  }

  private static String pad2(int value) {
    return value < 10 ? "0" + value : Integer.toString(value);
  }

  /**
   * What {@code String.format("%020d", value)} gives (sign first, then zeros), without a Formatter.
   */
  static String pad20(long value) {
    String digits = Long.toString(value);
    if (digits.length() >= PADDED_DIGITS) {
      return digits;
    }
    StringBuilder padded = new StringBuilder(PADDED_DIGITS);
    int start = 0;
    if (value < 0) {
      padded.append('-');
      start = 1;
    }
    for (int i = digits.length(); i < PADDED_DIGITS; i++) {
      padded.append('0');
    }
    return padded.append(digits, start, digits.length()).toString();
  }
}
