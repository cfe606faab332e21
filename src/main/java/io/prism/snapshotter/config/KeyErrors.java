package io.prism.snapshotter.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/** Cross-key problems as the connector's {@code validate()} reports them: key → messages. */
final class KeyErrors {
  private KeyErrors() {}

  /** Attaches {@code message} to every one of {@code keys}. */
  static void add(Map<String, List<String>> errors, String message, String... keys) {
    for (String key : keys) {
      errors.computeIfAbsent(key, k -> new ArrayList<>()).add(message);
    }
  }

  /**
   * Every problem in {@code errors}, each once (a problem across keys is under each of them), in
   * one exception for a command to print: "Invalid {@code what} configuration: m1; m2 (key K)", K
   * the first key with a problem. So a user fixes them all in one go, not one per run.
   */
  static ConfigException asException(String what, Map<String, List<String>> errors) {
    return new ConfigException(
        "Invalid "
            + what
            + " configuration: "
            + String.join("; ", errors.values().stream().flatMap(List::stream).distinct().toList())
            + " (key "
            + errors.keySet().iterator().next()
            + ")");
  }
}
