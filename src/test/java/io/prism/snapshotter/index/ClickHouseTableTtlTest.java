package io.prism.snapshotter.index;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Tables are created once: a table made before {@code index.ttl.days} was set (or changed) keeps
 * the TTL it had, so the index reads it back from system.tables' engine_full. (Only ClickHouse
 * 18.16, without TTL clauses, runs here: the clause as 19.6+ servers print it is written out.)
 */
class ClickHouseTableTtlTest {
  private static final String ENGINE =
      "ReplacingMergeTree() PARTITION BY toYYYYMM(start_time) "
          + "ORDER BY (writer_id, start_time_ms, page_sequence, page_key)";

  @Test
  void theDaysOfTheClauseTheIndexWritesAreRead() {
    assertThat(
            ClickHouseTables.ttlDaysOf(
                ENGINE + " TTL end_time + toIntervalDay(30) SETTINGS index_granularity = 8192"))
        .hasValue(30);
  }

  @Test
  void aTableWithoutATtlClauseOrWithAnotherOneHasNoDays() {
    assertThat(ClickHouseTables.ttlDaysOf(ENGINE + " SETTINGS index_granularity = 8192")).isEmpty();
    assertThat(ClickHouseTables.ttlDaysOf(ENGINE + " TTL start_time + toIntervalMonth(1)"))
        .isEmpty();
  }
}
