package io.prism.snapshotter.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Which re-delivered records are recognised as already stored. */
class StoredRangesTest {
  @Test
  void aRecordIsStoredWhenItsWritersPageCoversItsOffsetAndTime() {
    StoredRanges stored =
        StoredRanges.builder()
            .add("a", 20, 29, 2_000, 2_900) // added out of order on purpose
            .add("a", 0, 9, 1_000, 1_900)
            .add("b", 5, 15, 1_500, 1_600)
            .build();

    assertThat(stored.lastOffset()).isEqualTo(29);
    assertThat(stored.contains("a", 0, 1_000)).isTrue();
    assertThat(stored.contains("a", 9, 1_900)).isTrue();
    assertThat(stored.contains("a", 10, 1_950)).as("between a's pages").isFalse();
    assertThat(stored.contains("a", 25, 2_500)).isTrue();
    assertThat(stored.contains("a", 30, 2_950)).as("after a's last page").isFalse();
    assertThat(stored.contains("b", 4, 1_500)).as("before b's page").isFalse();
    assertThat(stored.contains("b", 10, 1_550)).isTrue();
    assertThat(stored.contains("c", 10, 1_550)).as("another writer").isFalse();
    assertThat(stored.recognised()).isEqualTo(4);
  }

  @Test
  void aRecordOutsideThePagesTimeRangeIsNotTheStoredOne() {
    // e.g. a topic deleted and created again: its offsets start again, with new timestamps
    StoredRanges stored = StoredRanges.builder().add("a", 0, 9, 1_000, 1_900).build();

    assertThat(stored.contains("a", 5, 999)).isFalse();
    assertThat(stored.contains("a", 5, 1_901)).isFalse();
    assertThat(stored.contains("a", 5, 5_000_000)).isFalse();
  }

  @Test
  void timestampsThatGoBackwardsInAPageStillBoundIt() {
    StoredRanges stored = StoredRanges.builder().add("a", 0, 9, 1_900, 1_000).build();

    assertThat(stored.contains("a", 5, 1_500)).isTrue();
  }

  @Test
  void overlappingPagesOfOneWriterCoverTheirUnion() {
    // a page stored twice from different first offsets, and one inside another
    StoredRanges stored =
        StoredRanges.builder()
            .add("a", 10, 29, 0, 100)
            .add("a", 15, 20, 0, 100)
            .add("a", 18, 35, 0, 100)
            .build();

    for (long offset = 10; offset <= 35; offset++) {
      assertThat(stored.contains("a", offset, 50)).as("offset %s", offset).isTrue();
    }
    assertThat(stored.contains("a", 9, 50)).isFalse();
    assertThat(stored.contains("a", 36, 50)).isFalse();
  }

  @Test
  void thePageHoldingARecordIsFoundWithItsKeyByTheSameRules() {
    StoredRanges stored =
        StoredRanges.builder()
            .add("a", 0, 9, 1_000, 1_900, "a-0")
            .add("a", 10, 19, 2_000, 2_900) // key unknown
            .build();

    assertThat(stored.pageHolding("a", 5, 1_500))
        .contains(new StoredRanges.StoredPage("a", 0, 9, "a-0"));
    assertThat(stored.pageHolding("a", 15, 2_500))
        .contains(new StoredRanges.StoredPage("a", 10, 19, null));
    assertThat(stored.pageHolding("a", 5, 999)).as("outside the time range").isEmpty();
    assertThat(stored.pageHolding("a", 20, 2_950)).isEmpty();
    assertThat(stored.pageHolding("b", 5, 1_500)).as("another writer").isEmpty();
    assertThat(stored.recognised()).as("not counted as re-delivered").isZero();
  }

  @Test
  void noPagesMeansNothingIsStored() {
    assertThat(StoredRanges.builder().build()).isSameAs(StoredRanges.NONE);
    assertThat(StoredRanges.NONE.isEmpty()).isTrue();
    assertThat(StoredRanges.NONE.contains("a", 0, 0)).isFalse();
  }

  @Test
  void aPageMustCoverOffsets() {
    assertThatThrownBy(() -> StoredRanges.builder().add("a", 5, 4, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StoredRanges.builder().add("a", -1, 4, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
