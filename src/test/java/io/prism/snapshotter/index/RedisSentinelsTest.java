package io.prism.snapshotter.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

class RedisSentinelsTest {
  @Test
  void readsSentinelsMasterDatabaseAndCredentials() {
    RedisSentinels s =
        RedisSentinels.parse(
            URI.create("rediss-sentinel://app:s%40cret@s1:26380,s2,10.0.0.3:26381/3#index-main"));

    assertThat(s.sentinels())
        .containsExactly(
            new HostAndPort("s1", 26380),
            new HostAndPort("s2", 26379),
            new HostAndPort("10.0.0.3", 26381));
    assertThat(s.master()).isEqualTo("index-main");
    assertThat(s.database()).isEqualTo(3);
    assertThat(s.tls()).isTrue();
    assertThat(s.user()).isEqualTo("app");
    assertThat(s.password()).isEqualTo("s@cret");
  }

  @Test
  void aPasswordAloneAndNoDatabaseAreFine() {
    RedisSentinels s = RedisSentinels.parse(URI.create("redis-sentinel://:pw@s1:26379#m"));
    assertThat(s.user()).isNull();
    assertThat(s.password()).isEqualTo("pw");
    assertThat(s.database()).isZero();
    assertThat(s.tls()).isFalse();
  }

  @Test
  void aMissingMasterOrBadAddressIsSaidWithoutThePassword() {
    assertThatThrownBy(() -> RedisSentinels.parse(URI.create("redis-sentinel://:pw@s1:26379/0")))
        .hasMessageContaining("names the master after '#'")
        .hasMessageNotContaining("pw");
    assertThatThrownBy(() -> RedisSentinels.parse(URI.create("redis-sentinel://s1:port/0#m")))
        .hasMessageContaining("sentinel 's1:port' has no port number");
    assertThatThrownBy(() -> RedisSentinels.parse(URI.create("redis-sentinel://s1/x#m")))
        .hasMessageContaining("must be a number, not 'x'");
  }

  @Test
  void settingsTakeTheSentinelSchemesAndRedactTheirCredentials() {
    URI url = URI.create("redis-sentinel://app:secret@s1:26379,s2:26379/0#m");
    RedisSettings settings = new RedisSettings(url, "snapshot", null, 0);

    assertThat(RedisSettings.redacted(settings.url()))
        .isEqualTo("redis-sentinel://s1:26379,s2:26379/0#m");
    assertThat(settings.toString()).doesNotContain("secret");
    assertThatThrownBy(
            () -> new RedisSettings(URI.create("redis-sentinel://s1:26379/0"), "snapshot", null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("#");
  }
}
