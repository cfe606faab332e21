package io.prism.snapshotter.index;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Which replies at open mean "not ready yet" (a task starts anyway) rather than a refusal; the
 * real server's -LOADING is in RedisPageIndexIT.
 */
class RedisPageIndexTest {
  @Test
  void aServerStillLoadingItsDataIsNotReadyYet() {
    assertThat(RedisPageIndex.stillLoading(new JedisDataException("LOADING Redis is loading the dataset in memory")))
        .isTrue();
    assertThat(RedisPageIndex.stillLoading(
        new JedisConnectionException("init", new JedisDataException("LOADING Redis is loading the dataset in memory"))))
        .isTrue();
  }

  @Test
  void aRefusalOrAnotherErrorIsNot() {
    assertThat(RedisPageIndex.stillLoading(new JedisAccessControlException("WRONGPASS invalid username-password pair")))
        .isFalse();
    assertThat(RedisPageIndex.stillLoading(new JedisDataException("ERR unknown command"))).isFalse();
    assertThat(RedisPageIndex.stillLoading(new JedisConnectionException("Failed to connect"))).isFalse();
    assertThat(RedisPageIndex.stillLoading(new JedisDataException((String) null))).isFalse();
  }
}
