package io.prism.snapshotter.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Validators of single string keys, each saying in words what it accepts. */
final class KeyValidators {
  private KeyValidators() {}

  /** Accepts null/empty (the key is optional); otherwise the value must satisfy {@code check}. */
  static ConfigDef.Validator optional(String expected, Predicate<String> check) {
    return new OptionalValidator(expected, check);
  }

  /** One of {@code names}, in any case, around spaces. */
  static ConfigDef.Validator oneOf(List<String> names) {
    return DescribedValidator.of(
        String.join(", ", names),
        (name, value) -> {
          if (value == null
              || names.stream().noneMatch(n -> n.equalsIgnoreCase(((String) value).trim()))) {
            throw new ConfigException(name, value, "must be one of " + names);
          }
        });
  }

  static boolean isPath(String value) {
    try {
      Path.of(value);
      return !value.isBlank();
    } catch (InvalidPathException e) {
      return false;
    }
  }

  static boolean isHttpUrl(String value) {
    try {
      URI uri = new URI(value);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private record OptionalValidator(String expected, Predicate<String> check)
      implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      if (value == null || ((String) value).isEmpty()) {
        return;
      }
      if (!check.test(((String) value).trim())) {
        throw new ConfigException(name, value, "must be " + expected);
      }
    }

    @Override
    public String toString() {
      return expected;
    }
  }
}
