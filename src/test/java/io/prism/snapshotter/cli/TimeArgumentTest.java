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

    assertThat(TimeArgument.parse("1700000000", stream, true)).isEqualTo(1_700_000_000L);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "warning: 1700000000 is taken as epoch milliseconds (1970-01-20T16:13:20Z); if it is"
                + " epoch seconds, append 000 (2023-11-14T22:13:20Z)\n");
  }

  @Test
  void millisecondsOfThisCenturyAndSmallNumbersGetNoWarning() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8);

    TimeArgument.parse("1700000000123", stream, true);
    TimeArgument.parse("0", stream, true);
    TimeArgument.parse("999999999", stream, true);
    TimeArgument.parse("2023-11-14", stream, true);

    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  /** Event times are whole milliseconds: a bound between two is rounded into its range. */
  @Test
  void digitsBelowAMillisecondRoundAFirstTimeUpAndALastTimeDown() {
    long ms = 1_767_225_600_004L; // 2026-01-01T00:00:00.004Z
    assertThat(new TimeArgument.From().convert("2026-01-01T00:00:00.0045Z")).isEqualTo(ms + 1);
    assertThat(new TimeArgument.To().convert("2026-01-01T00:00:00.0045Z")).isEqualTo(ms);
    assertThat(new TimeArgument.From().convert("2026-01-01T01:00:00.004000001+01:00"))
        .isEqualTo(ms + 1);
    assertThat(new TimeArgument.To().convert("2026-01-01T00:00:00.004999999Z")).isEqualTo(ms);
    // Whole milliseconds stay as they are, however many zeros follow them.
    assertThat(new TimeArgument.From().convert("2026-01-01T00:00:00.004000000Z")).isEqualTo(ms);
    assertThat(new TimeArgument.To().convert("2026-01-01T00:00:00.004Z")).isEqualTo(ms);
    // Before 1970 too: up is towards the later millisecond.
    assertThat(new TimeArgument.From().convert("1969-12-31T23:59:59.9995Z")).isZero();
    assertThat(new TimeArgument.To().convert("1969-12-31T23:59:59.9995Z")).isEqualTo(-1);
  }

  @Test
  void aTimeWhoseMillisecondsDoNotFitALongIsRefused() {
    assertThatThrownBy(() -> new TimeArgument.From().convert("+300000000-01-01T00:00:00Z"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("is not a time");
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
