package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
  void anythingElseIsRefusedWithTheAcceptedForms() {
    assertThatThrownBy(() -> TimeArgument.parse("yesterday"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("'yesterday'")
        .hasMessageContaining("epoch milliseconds");
    assertThatThrownBy(() -> TimeArgument.parse("99999999999999999999"))
        .isInstanceOf(TypeConversionException.class);
  }
}
