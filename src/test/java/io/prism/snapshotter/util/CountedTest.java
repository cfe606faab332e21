package io.prism.snapshotter.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CountedTest {
  @Test
  void oneIsSingularAndEveryOtherCountPlural() {
    assertThat(Counted.of(1, "page")).isEqualTo("1 page");
    assertThat(Counted.of(0, "page")).isEqualTo("0 pages");
    assertThat(Counted.of(2, "page")).isEqualTo("2 pages");
    assertThat(Counted.of(-1, "byte")).isEqualTo("-1 bytes");
    assertThat(Counted.of(1, "entry", "entries")).isEqualTo("1 entry");
    assertThat(Counted.of(12, "entry", "entries")).isEqualTo("12 entries");
  }
}
