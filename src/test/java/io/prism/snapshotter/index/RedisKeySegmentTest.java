package io.prism.snapshotter.index;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Entry keys join writer id, times, partition and topic with ':': no two pages may share one. */
class RedisKeySegmentTest {
  @Test
  void textWithoutTheSeparatorOrThePercentSignStaysAsItIs() {
    // Keys written before the encoding keep working for nearly every writer and topic.
    assertThat(RedisPageIndex.keySegment("user-123")).isEqualTo("user-123");
    assertThat(RedisPageIndex.keySegment("événements.v2")).isEqualTo("événements.v2");
  }

  @Test
  void theSeparatorAndThePercentSignAreEncodedReversibly() {
    assertThat(RedisPageIndex.keySegment("w:1000")).isEqualTo("w%3A1000");
    assertThat(RedisPageIndex.keySegment("100%")).isEqualTo("100%25");
    // Without encoding '%' too, "a%3Ab" and "a:b" would both become "a%3Ab".
    assertThat(RedisPageIndex.keySegment("a%3Ab")).isNotEqualTo(RedisPageIndex.keySegment("a:b"));
  }
}
