package io.prism.snapshotter.connect;

import io.prism.snapshotter.config.BufferConfig;
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
    config.storage().crossKeyErrors().forEach((key, messages) -> messages.forEach(message -> attach(values, message, key)));
    config.page().crossKeyErrors().forEach((key, messages) -> messages.forEach(message -> attach(values, message, key)));
    config.index().crossKeyErrors().forEach((key, messages) -> messages.forEach(message -> attach(values, message, key)));
    long memory = config.buffer().memoryMaxBytes();
    long page = config.buffer().limits().maxBytes();
    if (memory < page) {
      String message =
          BufferConfig.MEMORY_MAX_BYTES + " (" + memory + ") must be at least " + BufferConfig.MAX_SIZE_BYTES
              + " (" + page + "): one full page must fit in the task's budget";
      attach(values, message, BufferConfig.MEMORY_MAX_BYTES, BufferConfig.MAX_SIZE_BYTES);
    }
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
