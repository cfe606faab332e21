package io.prism.snapshotter.storage;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The placeholders a {@link KeyTemplate} understands: the single source of their names, meanings and
 * rendering (the config docs are generated from it). Time placeholders use the page's start time in UTC.
 */
public enum KeyPlaceholder {
    YEAR("year", "4-digit year of the page's start time (UTC)", c -> utc(c).getYear() + ""),
    MONTH("month", "2-digit month 01-12 (UTC)", c -> pad2(utc(c).getMonthValue())),
    DAY("day", "2-digit day of month 01-31 (UTC)", c -> pad2(utc(c).getDayOfMonth())),
    HOUR("hour", "2-digit hour 00-23 (UTC)", c -> pad2(utc(c).getHour())),
    MINUTE("minute", "2-digit minute 00-59 (UTC)", c -> pad2(utc(c).getMinute())),
    DATE("date", "the start date as yyyy-MM-dd (UTC)", c -> utc(c).toLocalDate().toString()),
    WRITER_ID("writer_id", "the writer id, percent-encoded into one safe segment (see WriterIds)",
            c -> WriterIds.encode(c.writerId())),
    TIMESTAMP("timestamp", "the page's start time in milliseconds since the epoch", c -> c.startTimeMillis() + ""),
    SEQUENCE("sequence", "the page's sequence number within its writer, zero-padded to 20 digits",
            c -> pad20(c.sequence())),
    TOPIC("topic", "the Kafka topic, encoded like the writer id", c -> WriterIds.encode(c.topic())),
    PARTITION("partition", "the Kafka partition number", c -> c.partition() + ""),
    START_OFFSET("start_offset", "the Kafka offset of the page's first event, zero-padded to 20 digits "
            + "(so keys sort in offset order)", c -> pad20(c.startOffset())),
    FORMAT("format", "the page format name, e.g. protobuf or ndjson", KeyContext::formatName),
    EXT("ext", "the file extension: format extension plus compression extension, e.g. .pb.zst", KeyContext::extension),
    COMPRESSION("compression", "the compression name: none, gzip or zstd", KeyContext::compressionName);

    private final String placeholderName;
    private final String description;
    private final Function<KeyContext, String> renderer;

    KeyPlaceholder(String placeholderName, String description, Function<KeyContext, String> renderer) {
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

    private static ZonedDateTime utc(KeyContext c) {
        return Instant.ofEpochMilli(c.startTimeMillis()).atZone(ZoneOffset.UTC);
    }

    private static String pad2(int value) {
        return value < 10 ? "0" + value : Integer.toString(value);
    }

    private static String pad20(long value) {
        return String.format("%020d", value);
    }
}
