package io.prism.snapshotter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class MetricsConfigTest {
  private static MetricsConfig of(Map<String, String> props) {
    return new MetricsConfig(new AbstractConfig(MetricsConfig.addTo(new ConfigDef()), props));
  }

  @Test
  void idleBackendsAreProbedEveryThirtySecondsByDefaultAndNeverWithZero() {
    assertThat(of(Map.of()).healthProbeInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(of(Map.of(MetricsConfig.HEALTH_PROBE_INTERVAL, "0")).healthProbeInterval()).isZero();
    assertThat(of(Map.of(MetricsConfig.HEALTH_PROBE_INTERVAL, "5")).healthProbeInterval())
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aNegativeOrNonNumericProbeIntervalIsRefusedNamingTheKey() {
    for (String bad : new String[] {"-1", "ten", "86401"}) {
      assertThatThrownBy(() -> of(Map.of(MetricsConfig.HEALTH_PROBE_INTERVAL, bad)))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("metrics.health.probe.interval.seconds");
    }
  }

  /** Connect validates it with the connector's other keys; the health checks read it raw. */
  @Test
  void theGraceForMissingTasksIsThirtySecondsByDefaultAndRefusedOutOfRange() {
    assertThat(MetricsConfig.healthTasksGrace(Map.of())).isEqualTo(Duration.ofSeconds(30));
    assertThat(MetricsConfig.healthTasksGrace(Map.of(MetricsConfig.HEALTH_TASKS_GRACE, "0")))
        .isZero();
    assertThat(MetricsConfig.healthTasksGrace(Map.of(MetricsConfig.HEALTH_TASKS_GRACE, "120")))
        .isEqualTo(Duration.ofSeconds(120));
    for (String bad : new String[] {"-1", "soon", "3601"}) {
      assertThatThrownBy(
              () -> MetricsConfig.healthTasksGrace(Map.of(MetricsConfig.HEALTH_TASKS_GRACE, bad)))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("metrics.health.tasks.grace.seconds")
          .hasMessageContaining(bad);
      assertThatThrownBy(() -> of(Map.of(MetricsConfig.HEALTH_TASKS_GRACE, bad)))
          .as("as Connect validates the connector: " + bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("metrics.health.tasks.grace.seconds");
    }
  }
}
