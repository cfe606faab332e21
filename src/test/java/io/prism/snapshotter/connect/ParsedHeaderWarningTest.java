package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.buffer.WriterKeySource;
import io.prism.snapshotter.config.JsonDecimalFormat;
import io.prism.snapshotter.config.WriterConfig;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.testing.CapturedLogs;
import io.prism.snapshotter.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.storage.HeaderConverter;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.apache.kafka.connect.storage.StringConverter;
import org.junit.jupiter.api.Test;

/**
 * Connect's default header converter parses header text ("0042" becomes the number 42): the task
 * cannot undo it, but says so once per header name, naming the fix.
 */
class ParsedHeaderWarningTest {
  private static final String EVENT_ID = "prism.event.id";

  @Test
  void aHeaderTheDefaultConverterParsedIsReportedOncePerNameWithTheFix() {
    ParsedHeaderWarning shared = new ParsedHeaderWarning(); // as the task shares it
    EventConverter events =
        new EventConverter(
            true, EVENT_ID, "prism.session", JsonDecimalFormat.NUMERIC, new ManualClock(), shared);
    WriterIdExtractor writers =
        new WriterIdExtractor(
            WriterKeySource.parse("header:user"), shared, WriterConfig.ID_MAX_BYTES_DEFAULT);
    SimpleHeaderConverter simple = new SimpleHeaderConverter();
    simple.configure(Map.of());

    try (CapturedLogs logs = CapturedLogs.capture()) {
      for (int offset = 0; offset < 3; offset++) {
        SinkRecord record = record(offset, simple, "0042", "007");
        Event event = events.toEvent(record);
        String writer = writers.writerOf(record);
        // What the task sees is already changed: the reason for the warning.
        assertThat(event.eventId()).isEqualTo("42");
        assertThat(writer).isEqualTo("7");
      }

      List<String> warnings =
          logs.lines().stream().filter(line -> line.contains("header.converter")).toList();
      assertThat(warnings).hasSize(2);
      assertThat(warnings)
          .anySatisfy(line -> assertThat(line).startsWith("WARN").contains("'" + EVENT_ID + "'"))
          .anySatisfy(line -> assertThat(line).contains("'user'"))
          .allSatisfy(
              line ->
                  assertThat(line)
                      .contains(
                          "header.converter=org.apache.kafka.connect.storage.StringConverter"));
    }
  }

  @Test
  void headersKeptAsTextSayNothing() {
    EventConverter events =
        new EventConverter(
            true, EVENT_ID, "prism.session", JsonDecimalFormat.NUMERIC, new ManualClock());
    WriterIdExtractor writers = new WriterIdExtractor(WriterKeySource.parse("header:user"));
    StringConverter text = new StringConverter();
    text.configure(Map.of(), false);

    try (CapturedLogs logs = CapturedLogs.capture()) {
      SinkRecord record = record(0, text, "0042", "007");
      assertThat(events.toEvent(record).eventId()).isEqualTo("0042");
      assertThat(writers.writerOf(record)).isEqualTo("007");

      assertThat(logs.lines()).noneMatch(line -> line.contains("header.converter"));
    }
  }

  /** A record whose headers went through {@code converter}, as a worker's would. */
  private static SinkRecord record(
      long offset, HeaderConverter converter, String eventId, String user) {
    ConnectHeaders headers = new ConnectHeaders();
    add(headers, converter, EVENT_ID, eventId);
    add(headers, converter, "user", user);
    return new SinkRecord(
        "t",
        0,
        Schema.STRING_SCHEMA,
        "k",
        Schema.BYTES_SCHEMA,
        new byte[] {1},
        offset,
        1_000L,
        TimestampType.CREATE_TIME,
        headers);
  }

  private static void add(
      ConnectHeaders headers, HeaderConverter converter, String name, String text) {
    SchemaAndValue converted =
        converter.toConnectHeader("t", name, text.getBytes(StandardCharsets.UTF_8));
    headers.add(name, converted);
  }
}
