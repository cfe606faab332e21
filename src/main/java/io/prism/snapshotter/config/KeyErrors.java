package io.prism.snapshotter.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Cross-key problems as the connector's {@code validate()} reports them: key → messages. */
final class KeyErrors {
  private KeyErrors() {}

  /** Attaches {@code message} to every one of {@code keys}. */
  static void add(Map<String, List<String>> errors, String message, String... keys) {
    for (String key : keys) {
      errors.computeIfAbsent(key, k -> new ArrayList<>()).add(message);
    }
  }
}
