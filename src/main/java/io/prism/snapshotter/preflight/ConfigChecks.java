package io.prism.snapshotter.preflight;

import io.prism.snapshotter.config.SnapshotterConfig;
import io.prism.snapshotter.config.UnknownSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;

/**
 * The connector's own validation of a settings file, as a Connect worker would run it: every key on
 * its own (and a key under its name spaces that it does not have, misspelt, is refused), then the
 * checks across keys. Keys that are not the snapshotter's (Connect's own, such as {@code topics} or
 * the converters) are left to the worker.
 */
public final class ConfigChecks {
  static final String SUBJECT = "config";

  private ConfigChecks() {}

  /**
   * One failed check per problem, or one passed check; the parsed config when there is no problem.
   */
  public static Result run(Map<String, String> settings) {
    List<Check> problems = new ArrayList<>();
    for (ConfigValue value : SnapshotterConfig.validateEachKey(settings)) {
      for (String message : value.errorMessages()) {
        problems.add(Check.failed(SUBJECT, value.name(), message));
      }
    }
    // As the connector's validate(): a worker refuses a config with a setting it does not have.
    for (UnknownSettings.Unknown unknown : SnapshotterConfig.unknownSettings(settings)) {
      problems.add(
          Check.failed(SUBJECT, unknown.name(), unknown.describe("this version of the connector")));
    }
    if (!problems.isEmpty()) {
      return new Result(problems, null);
    }
    SnapshotterConfig config;
    try {
      config = new SnapshotterConfig(settings);
    } catch (ConfigException e) {
      return new Result(List.of(Check.failed(SUBJECT, "settings", e.getMessage())), null);
    }
    config
        .crossKeyErrors()
        .forEach(
            (key, messages) ->
                messages.forEach(message -> problems.add(Check.failed(SUBJECT, key, message))));
    if (!problems.isEmpty()) {
      return new Result(problems, null);
    }
    return new Result(
        List.of(
            Check.passed(
                SUBJECT,
                "settings",
                "storage "
                    + config.storage().backend().configName()
                    + ", index "
                    + config.index().backend().configName()
                    + ", pages "
                    + config.page().format().configName()
                    + " + "
                    + config.page().compression().configName())),
        config);
  }

  /** The checks, and the config when it is valid (else null). */
  public record Result(List<Check> checks, SnapshotterConfig config) {}
}
