package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class TimeArgumentTest {
  @Test
  void acceptsEpochMillisAndIso8601() {
    assertThat(TimeArgument.parse("1700000000123")).isEqualTo(1_700_000_000_123L);
    assertThat(TimeArgument.parse("2023-11-14T22:13:20.123Z")).isEqualTo(1_700_000_000_123L);
    assertThat(TimeArgument.parse("2023-11-14T23:13:20.123+01:00")).isEqualTo(1_700_000_000_123L);
    assertThat(TimeArgument.parse("2023-11-14")).isEqualTo(1_699_920_000_000L);
    assertThat(TimeArgument.parse("0")).isZero();
  }

  @Test
  void aNumberThatLooksLikeEpochSecondsIsTakenAsMillisecondsWithAWarning() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8);

    assertThat(TimeArgument.parse("1700000000", stream)).isEqualTo(1_700_000_000L);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "warning: 1700000000 is taken as epoch milliseconds (1970-01-20T16:13:20Z); if it is"
                + " epoch seconds, append 000 (2023-11-14T22:13:20Z)\n");
  }

  @Test
  void millisecondsOfThisCenturyAndSmallNumbersGetNoWarning() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8);

    TimeArgument.parse("1700000000123", stream);
    TimeArgument.parse("0", stream);
    TimeArgument.parse("999999999", stream);
    TimeArgument.parse("2023-11-14", stream);

    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void anythingElseIsRefusedWithTheAcceptedForms() {
    assertThatThrownBy(() -> TimeArgument.parse("yesterday"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("'yesterday'")
        .hasMessageContaining("epoch milliseconds");
    assertThatThrownBy(() -> TimeArgument.parse("99999999999999999999"))
        .isInstanceOf(TypeConversionException.class);
  }
}
