package io.prism.snapshotter.connect;

import io.prism.snapshotter.config.SnapshotterConfig;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;

/** Checks across keys, each error attached to every key involved. */
final class CrossKeyValidation {
  private CrossKeyValidation() {}

  static void addErrors(Map<String, String> props, List<ConfigValue> values) {
    SnapshotterConfig config;
    try {
      config = new SnapshotterConfig(props);
    } catch (ConfigException e) {
      attach(values, e.getMessage(), firstKeyIn(e.getMessage(), values));
      return;
    }
    config
        .crossKeyErrors()
        .forEach((key, messages) -> messages.forEach(message -> attach(values, message, key)));
  }

  private static String firstKeyIn(String message, List<ConfigValue> values) {
    return values.stream()
        .map(ConfigValue::name)
        .filter(name -> message.contains(name))
        .findFirst()
        .orElse(values.get(0).name());
  }

  private static void attach(List<ConfigValue> values, String message, String... keys) {
    for (String key : keys) {
      ConfigValue value = SnapshotterSinkConnector.valueOf(values, key);
      if (value != null) {
        value.addErrorMessage(message);
      }
    }
  }
}
