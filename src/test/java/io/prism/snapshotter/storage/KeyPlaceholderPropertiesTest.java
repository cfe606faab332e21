package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * The placeholders render dates and padded numbers by hand (they run once per stored page); these
 * properties hold them to what {@code ZonedDateTime} and {@code String.format("%020d")} give.
 */
class KeyPlaceholderPropertiesTest {

  @Property(tries = 2000)
  void timePlaceholdersAgreeWithZonedDateTimeInUtc(
      @ForAll @LongRange(min = -300_000_000_000_000L, max = 300_000_000_000_000L)
          long startMillis) {
    KeyContext page = page(startMillis, 0, 0);
    ZonedDateTime utc = Instant.ofEpochMilli(startMillis).atZone(ZoneOffset.UTC);

    assertThat(KeyPlaceholder.YEAR.render(page)).isEqualTo(utc.getYear() + "");
    assertThat(KeyPlaceholder.MONTH.render(page))
        .isEqualTo(String.format("%02d", utc.getMonthValue()));
    assertThat(KeyPlaceholder.DAY.render(page))
        .isEqualTo(String.format("%02d", utc.getDayOfMonth()));
    assertThat(KeyPlaceholder.HOUR.render(page)).isEqualTo(String.format("%02d", utc.getHour()));
    assertThat(KeyPlaceholder.MINUTE.render(page))
        .isEqualTo(String.format("%02d", utc.getMinute()));
    assertThat(KeyPlaceholder.DATE.render(page)).isEqualTo(utc.toLocalDate().toString());
  }

  @Property(tries = 2000)
  void paddedNumbersAgreeWithStringFormat(
      @ForAll @LongRange(min = 0) long sequence, @ForAll @LongRange(min = 0) long startOffset) {
    KeyContext page = page(0, sequence, startOffset);

    assertThat(KeyPlaceholder.SEQUENCE.render(page)).isEqualTo(String.format("%020d", sequence));
    assertThat(KeyPlaceholder.START_OFFSET.render(page))
        .isEqualTo(String.format("%020d", startOffset));
  }

  @Property
  void paddingEdgeCases(@ForAll("edges") long value) {
    assertThat(KeyPlaceholder.pad20(value)).isEqualTo(String.format("%020d", value));
  }

  @Provide
  Arbitrary<Long> edges() {
    return Arbitraries.of(
        0L,
        1L,
        -1L,
        9L,
        -9L,
        10L,
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        Long.MIN_VALUE + 1,
        1_000_000_000_000_000_000L,
        -1_000_000_000_000_000_000L,
        99_999_999_999_999_999L,
        -99_999_999_999_999_999L);
  }

  private static KeyContext page(long startMillis, long sequence, long startOffset) {
    return new KeyContext(
        "w", startMillis, sequence, "t", 0, startOffset, "protobuf", ".pb", "none");
  }
}
