package io.prism.snapshotter.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Which replies at open mean "not ready yet" (a task starts anyway) rather than a refusal, which
 * mean "a read-only replica", and how a ROLE reply reads; the real server's -LOADING is in
 * RedisPageIndexIT, its -READONLY and ROLE in RedisReadOnlyIT.
 */
class RedisRoleTest {
  @Test
  void aServerStillLoadingItsDataIsNotReadyYet() {
    assertThat(
            RedisRole.loading(
                new JedisDataException("LOADING Redis is loading the dataset in memory")))
        .isTrue();
    assertThat(
            RedisRole.loading(
                new JedisConnectionException(
                    "init",
                    new JedisDataException("LOADING Redis is loading the dataset in memory"))))
        .isTrue();
  }

  @Test
  void aRefusalOrAnotherErrorIsNot() {
    assertThat(
            RedisRole.loading(
                new JedisAccessControlException("WRONGPASS invalid username-password pair")))
        .isFalse();
    assertThat(RedisRole.loading(new JedisDataException("ERR unknown command"))).isFalse();
    assertThat(RedisRole.loading(new JedisConnectionException("Failed to connect"))).isFalse();
    assertThat(RedisRole.loading(new JedisDataException((String) null))).isFalse();
    assertThat(
            RedisRole.loading(
                new JedisDataException("READONLY You can't write against a read only replica.")))
        .isFalse();
  }

  @Test
  void readOnlyIsTheReplicasRefusalOfAWriteAndNothingElse() {
    JedisDataException readOnly =
        new JedisDataException("READONLY You can't write against a read only replica.");
    assertThat(RedisRole.readOnly(readOnly)).isTrue();
    assertThat(RedisRole.readOnly(new IndexException("Cannot publish", readOnly))).isTrue();
    assertThat(
            RedisRole.readOnly(
                new JedisDataException("LOADING Redis is loading the dataset in memory")))
        .isFalse();
    assertThat(
            RedisRole.readOnly(
                new JedisDataException("OOM command not allowed when used memory > 'maxmemory'.")))
        .isFalse();
    assertThat(
            RedisRole.readOnly(
                new JedisConnectionException("READONLY in a connection error's text")))
        .isFalse();
  }

  @Test
  void aRoleReplyNamesThePrimaryOfAReplicaOnly() {
    List<Object> replica =
        List.of(bytes("slave"), bytes("10.0.0.7"), 6379L, bytes("connected"), 1234L);
    assertThat(RedisRole.replicaOf(replica))
        .contains("a replica of 10.0.0.7:6379 (link connected)");
    List<Object> primary = List.of(bytes("master"), 1234L, List.of());
    assertThat(RedisRole.replicaOf(primary)).isEmpty();
    assertThat(RedisRole.replicaOf(List.of(bytes("sentinel"), List.of()))).isEmpty();
    assertThat(RedisRole.replicaOf("unexpected")).isEmpty();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
