package io.prism.snapshotter.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigChecksTest {
  @Test
  void validSettingsPassAndGiveTheParsedConfig() {
    ConfigChecks.Result result =
        ConfigChecks.run(Map.of("storage.filesystem.path", "/tmp/p", "topics", "events"));
    assertThat(result.config()).isNotNull();
    assertThat(result.checks())
        .singleElement()
        .satisfies(
            check -> {
              assertThat(check.failed()).isFalse();
              assertThat(check.detail()).contains("storage filesystem", "index sqlite");
            });
  }

  @Test
  void everyBadKeyIsAFailedCheckNamingIt() {
    ConfigChecks.Result result =
        ConfigChecks.run(
            Map.of(
                "storage.filesystem.path",
                "/tmp/p",
                "buffer.max.events",
                "0",
                "page.compression",
                "lz4"));
    assertThat(result.config()).isNull();
    assertThat(result.checks())
        .extracting(Check::name)
        .containsExactlyInAnyOrder("buffer.max.events", "page.compression");
    assertThat(result.checks()).allMatch(Check::failed);
  }

  @Test
  void problemsAcrossKeysNameEveryKeyInvolved() {
    ConfigChecks.Result result =
        ConfigChecks.run(
            Map.of(
                "storage.filesystem.path",
                "/tmp/p",
                "buffer.memory.max.bytes",
                "2097152",
                "buffer.max.size.bytes",
                "4194304"));
    assertThat(result.config()).isNull();
    assertThat(result.checks())
        .extracting(Check::name)
        .containsExactlyInAnyOrder("buffer.memory.max.bytes", "buffer.max.size.bytes");
    assertThat(result.checks().get(0).detail()).contains("one full page must fit");
  }

  /** As a worker's validation: a misspelt key would be ignored, so check fails on it. */
  @Test
  void aSettingTheConnectorDoesNotHaveIsAFailedCheckNamingTheOneMeant() {
    ConfigChecks.Result result =
        ConfigChecks.run(
            Map.of(
                "storage.filesystem.path", "/tmp/p", "buffer.max.evnts", "10", "topics", "events"));
    assertThat(result.config()).isNull();
    assertThat(result.checks())
        .singleElement()
        .satisfies(
            check -> {
              assertThat(check.failed()).isTrue();
              assertThat(check.name()).isEqualTo("buffer.max.evnts");
              assertThat(check.detail())
                  .isEqualTo(
                      "buffer.max.evnts is not a setting of this version of the connector; did"
                          + " you mean buffer.max.events?");
            });
  }

  /** A number given with a unit is told the unit its key's name gives, once. */
  @Test
  void aNumberGivenWithAUnitIsToldTheUnitOfItsKey() {
    ConfigChecks.Result result =
        ConfigChecks.run(
            Map.of("storage.filesystem.path", "/tmp/p", "index.redis.wait.timeout.ms", "1s"));
    assertThat(result.checks())
        .singleElement()
        .satisfies(
            check ->
                assertThat(check.detail())
                    .isEqualTo(
                        "Invalid value 1s for configuration index.redis.wait.timeout.ms: Not a"
                            + " number of type INT (a whole number of milliseconds, without a"
                            + " unit)"));
  }
}
