package io.prism.snapshotter.config;

import java.net.URI;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.types.Password;

/**
 * A parsed config's optional values, read one way everywhere: a blank string or an empty password
 * is unset, and a string is trimmed.
 */
final class ConfigValues {
  private final AbstractConfig config;

  ConfigValues(AbstractConfig config) {
    this.config = config;
  }

  AbstractConfig config() {
    return config;
  }

  Optional<String> optional(String key) {
    String value = config.getString(key);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  Optional<Password> password(String key) {
    return Optional.ofNullable(config.getPassword(key))
        .filter(p -> p.value() != null && !p.value().isEmpty());
  }

  /** The URL under {@code key}; its validator has checked that it parses. */
  Optional<URI> uri(String key) {
    return optional(key).map(URI::create);
  }
}
