package io.prism.snapshotter.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * A closed set of config values backed by an enum: the enum is the one source of the names, and
 * this class derives from it the validator, the recommender and the documented list.
 */
public final class NamedValues<E extends Enum<E>>
    implements ConfigDef.Validator, ConfigDef.Recommender {
  private final Map<String, E> byName;
  private final List<Object> names;

  private NamedValues(Map<String, E> byName) {
    this.byName = byName;
    this.names = List.copyOf(byName.keySet());
  }

  /** The enum's constants under the names {@code nameOf} gives, plus any aliases. */
  public static <E extends Enum<E>> NamedValues<E> of(
      Class<E> type, Function<E, String> nameOf, Map<String, E> aliases) {
    var map = new java.util.LinkedHashMap<String, E>();
    for (E value : type.getEnumConstants()) {
      map.put(nameOf.apply(value), value);
    }
    map.putAll(aliases);
    return new NamedValues<>(map);
  }

  public static <E extends Enum<E>> NamedValues<E> of(Class<E> type, Function<E, String> nameOf) {
    return of(type, nameOf, Map.of());
  }

  /** The constant for a config value (case-insensitive), or a ConfigException naming the key. */
  public E parse(String key, String value) {
    E found = value == null ? null : byName.get(value.trim().toLowerCase(Locale.ROOT));
    if (found == null) {
      throw new ConfigException(key, value, "must be one of " + names);
    }
    return found;
  }

  @Override
  public void ensureValid(String name, Object value) {
    parse(name, value == null ? null : value.toString());
  }

  @Override
  public List<Object> validValues(String name, Map<String, Object> parsedConfig) {
    return new ArrayList<>(names);
  }

  @Override
  public boolean visible(String name, Map<String, Object> parsedConfig) {
    return true;
  }

  @Override
  public String toString() {
    return String.join(", ", Arrays.asList(names.toArray(String[]::new)));
  }
}
