package io.prism.snapshotter.index;

import static io.prism.snapshotter.index.PageIndexContract.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EntryTtlTest {
  private static final long DAY = 86_400_000L;

  @Test
  void anEntryExpiresTheTtlAfterItsPageEnded() {
    EntryTtl ttl = EntryTtl.ofDays(2);
    IndexEntry page = entry("w", 1, 1_000, 2_000);

    assertThat(ttl.expiresAt(page)).isEqualTo(2_000 + 2 * DAY);
    assertThat(ttl.expired(page, 2_000 + 2 * DAY - 1)).isFalse();
    assertThat(ttl.expired(page, 2_000 + 2 * DAY)).isTrue();
  }

  @Test
  void anEndNearTheEndOfTimeExpiresNeverNotIn1970() {
    IndexEntry farOff = entry("w", 1, Long.MAX_VALUE - 1_000, Long.MAX_VALUE - 10);

    assertThat(EntryTtl.ofDays(30).expiresAt(farOff)).isEqualTo(Long.MAX_VALUE);
    assertThat(EntryTtl.ofDays(30).expired(farOff, System.currentTimeMillis())).isFalse();
  }

  @Test
  void zeroDaysKeepsEveryEntry() {
    assertThat(EntryTtl.ofDays(0).keeps()).isTrue();
    assertThat(EntryTtl.KEEP.expired(entry("w", 1, 0, 1), Long.MAX_VALUE)).isFalse();
    assertThatThrownBy(() -> EntryTtl.ofDays(-1)).hasMessageContaining("-1");
  }
}
