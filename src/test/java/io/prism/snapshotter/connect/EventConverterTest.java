package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.config.JsonDecimalFormat;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageEncoder;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.page.PageFormatException;
import io.prism.snapshotter.page.PageLimits;
import io.prism.snapshotter.page.PageReader;
import io.prism.snapshotter.page.PageSpec;
import io.prism.snapshotter.testing.ManualClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** Structured values (e.g. Avro through its converter) become plain JSON payloads. */
class EventConverterTest {
  private static final Schema PAYMENT =
      SchemaBuilder.struct()
          .name("Payment")
          .field("id", Schema.STRING_SCHEMA)
          .field("amount", Decimal.schema(2))
          .build();

  private static String payloadOf(JsonDecimalFormat decimals) {
    EventConverter converter =
        new EventConverter(true, "prism.event.id", "prism.session", decimals, new ManualClock());
    Struct payment =
        new Struct(PAYMENT).put("id", "p-1").put("amount", new BigDecimal("1234567890123.45"));
    SinkRecord record =
        new SinkRecord(
            "payments",
            0,
            Schema.STRING_SCHEMA,
            "w",
            PAYMENT,
            payment,
            7L,
            1_000L,
            org.apache.kafka.common.record.TimestampType.CREATE_TIME);
    Event event = converter.toEvent(record);
    return new String(event.payload(), StandardCharsets.UTF_8);
  }

  @Test
  void decimalsAreJsonNumbersWithEveryDigitByDefault() {
    assertThat(payloadOf(JsonDecimalFormat.NUMERIC))
        .isEqualTo("{\"id\":\"p-1\",\"amount\":1234567890123.45}");
  }

  @Test
  void decimalsCanBeWrittenAsJsonConverterDoesByDefault() {
    String base64 =
        Base64.getEncoder()
            .encodeToString(new BigDecimal("1234567890123.45").unscaledValue().toByteArray());
    assertThat(payloadOf(JsonDecimalFormat.BASE64))
        .isEqualTo("{\"id\":\"p-1\",\"amount\":\"" + base64 + "\"}");
  }

  private static SinkRecord withHeader(String name, Object value) {
    ConnectHeaders headers = new ConnectHeaders();
    headers.add(name, value, null); // as an SMT or a custom header converter may set it
    return recordWith(headers);
  }

  private static SinkRecord recordWith(ConnectHeaders headers) {
    return new SinkRecord(
        "events",
        0,
        Schema.STRING_SCHEMA,
        "w",
        Schema.BYTES_SCHEMA,
        new byte[] {1},
        7L,
        1_000L,
        org.apache.kafka.common.record.TimestampType.CREATE_TIME,
        headers);
  }

  private static EventConverter converter() {
    return new EventConverter(
        true, "prism.event.id", "prism.session", JsonDecimalFormat.NUMERIC, new ManualClock());
  }

  @Test
  void anAttributeHeaderThatCannotBeReadAsTextIsABadRecordNamingIt() {
    assertThatThrownBy(() -> converter().toEvent(withHeader("trace", UUID.randomUUID())))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("events-0@7")
        .hasMessageContaining("header 'trace' is a java.util.UUID");
  }

  @Test
  void anEventIdHeaderThatCannotBeReadAsTextIsABadRecordNamingIt() {
    assertThatThrownBy(() -> converter().toEvent(withHeader("prism.event.id", UUID.randomUUID())))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("header 'prism.event.id' is a java.util.UUID");
  }

  private static SinkRecord withHeaders(int count) {
    ConnectHeaders headers = new ConnectHeaders();
    for (int i = 0; i < count; i++) {
      headers.addString("h" + i, "v");
    }
    return recordWith(headers);
  }

  /**
   * A page holding more attributes per event than readers accept would be unreadable as a whole
   * (every event of its page lost to replay), so such a record is a bad record instead; the event
   * id and session headers do not count.
   */
  @Test
  void moreHeadersThanAPageReaderAcceptsIsABadRecordSayingHowMany() {
    int limit = EventConverter.MAX_ATTRIBUTES;
    assertThat(limit).isEqualTo(PageLimits.DEFAULT.maxAttributesPerEvent());
    assertThat(converter().toEvent(withHeaders(limit)).attributes()).hasSize(limit);

    SinkRecord withIdAndSession = withHeaders(limit);
    withIdAndSession.headers().addString("prism.event.id", "e-1");
    withIdAndSession.headers().addString("prism.session", "open");
    assertThat(converter().toEvent(withIdAndSession).attributes()).hasSize(limit);

    assertThatThrownBy(() -> converter().toEvent(withHeaders(limit + 1)))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("events-0@7")
        .hasMessageContaining(
            (limit + 1) + " headers as attributes, over the " + limit + " per event");
  }

  /** What the test above guards against: the reader refuses a page with such an event. */
  @Test
  void aPageReaderRefusesAnEventWithMoreAttributesThanTheLimit() throws Exception {
    Map<String, String> attributes = new LinkedHashMap<>();
    for (int i = 0; i <= EventConverter.MAX_ATTRIBUTES; i++) {
      attributes.put("h" + i, "v");
    }
    Event event = new Event("e-1", 1_000L, new byte[] {1}, attributes);
    ByteArrayOutputStream page = new ByteArrayOutputStream();
    new PageEncoder()
        .encode(
            PageFormat.PROTOBUF,
            Compression.NONE,
            new PageSpec("w", 0, Map.of()),
            List.of(event),
            page);
    assertThatThrownBy(
            () ->
                new PageReader()
                    .read(
                        new ByteArrayInputStream(page.toByteArray()),
                        PageFormat.PROTOBUF,
                        Compression.NONE))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining("more than " + EventConverter.MAX_ATTRIBUTES);
  }
}
