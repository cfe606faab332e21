package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.config.JsonDecimalFormat;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.testing.ManualClock;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
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
}
