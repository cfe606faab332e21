package io.prism.snapshotter.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SaturatingMillisTest {
  static final long THIRTY_DAYS = Duration.ofDays(30).toMillis();

  @Test
  void addsAndSubtractsWithinRange() {
    assertThat(SaturatingMillis.plus(1_000, THIRTY_DAYS)).isEqualTo(1_000 + THIRTY_DAYS);
    assertThat(SaturatingMillis.minus(1_000, THIRTY_DAYS)).isEqualTo(1_000 - THIRTY_DAYS);
    assertThat(SaturatingMillis.plus(Long.MAX_VALUE - 1, 1)).isEqualTo(Long.MAX_VALUE);
    assertThat(SaturatingMillis.minus(Long.MIN_VALUE + 1, 1)).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void aTtlAddedToATimeNearTheEndStaysAtTheEnd() {
    // A producer sending nanoseconds as milliseconds, plus index.ttl.days: never, not 1970.
    assertThat(SaturatingMillis.plus(Long.MAX_VALUE - 5, THIRTY_DAYS)).isEqualTo(Long.MAX_VALUE);
    assertThat(SaturatingMillis.plus(Long.MIN_VALUE + 5, -THIRTY_DAYS)).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void spansAndRangeStartsStopAtTheEnds() {
    assertThat(SaturatingMillis.minus(Long.MAX_VALUE / 2 + 10, Long.MIN_VALUE / 2 - 10))
        .as("a span wider than a long")
        .isEqualTo(Long.MAX_VALUE);
    assertThat(SaturatingMillis.minus(-5_000_000_000_000_000_000L, 8_000_000_000_000_000_000L))
        .as("a range start minus a long span")
        .isEqualTo(Long.MIN_VALUE);
  }
}
