package io.prism.snapshotter.config;

import org.apache.kafka.common.config.ConfigDef;

/** A validator that says in words what it accepts, for error messages and the generated docs. */
final class DescribedValidator implements ConfigDef.Validator {
  private final String description;
  private final ConfigDef.Validator check;

  private DescribedValidator(String description, ConfigDef.Validator check) {
    this.description = description;
    this.check = check;
  }

  static ConfigDef.Validator of(String description, ConfigDef.Validator check) {
    return new DescribedValidator(description, check);
  }

  @Override
  public void ensureValid(String name, Object value) {
    check.ensureValid(name, value);
  }

  @Override
  public String toString() {
    return description;
  }
}
