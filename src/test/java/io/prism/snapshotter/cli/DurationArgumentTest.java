package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationArgumentTest {
  @Test
  void shortFormsAndIso() {
    assertThat(DurationArgument.parse("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(DurationArgument.parse("15m")).isEqualTo(Duration.ofMinutes(15));
    assertThat(DurationArgument.parse("12H")).isEqualTo(Duration.ofHours(12));
    assertThat(DurationArgument.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(DurationArgument.parse("P7D")).isEqualTo(Duration.ofDays(7));
    assertThat(DurationArgument.parse("PT1H30M")).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void anythingElseIsRefusedWithTheForms() {
    for (String bad : new String[] {"", "7", "7w", "-1d", "PT-1H", "soon"}) {
      assertThatThrownBy(() -> DurationArgument.parse(bad))
          .as(bad)
          .isInstanceOf(TypeConversionException.class)
          .hasMessageContaining("12h");
    }
  }

  @Test
  void sizesInBytesOrBinaryUnits() {
    assertThat(ByteSizeArgument.parse("65536")).isEqualTo(65_536);
    assertThat(ByteSizeArgument.parse("64k")).isEqualTo(65_536);
    assertThat(ByteSizeArgument.parse("2MiB")).isEqualTo(2L << 20);
    assertThat(ByteSizeArgument.parse("1g")).isEqualTo(1L << 30);
    for (String bad : new String[] {"", "0", "-5", "5t", "1e6"}) {
      assertThatThrownBy(() -> ByteSizeArgument.parse(bad))
          .as(bad)
          .isInstanceOf(TypeConversionException.class);
    }
  }
}
