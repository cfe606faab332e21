package io.prism.snapshotter.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * The configuration reference, generated from the {@link ConfigDef}s themselves so the docs can
 * never say one thing while the validator enforces another.
 */
public final class ConfigReference {
  private ConfigReference() {}

  /** One markdown section per group, in definition order, a table row per key. */
  public static String markdown(String title, String intro, ConfigDef def) {
    Map<String, List<ConfigDef.ConfigKey>> groups = new LinkedHashMap<>();
    for (ConfigDef.ConfigKey key : def.configKeys().values()) {
      groups
          .computeIfAbsent(key.group == null ? "Other" : key.group, g -> new ArrayList<>())
          .add(key);
    }
    StringBuilder out = new StringBuilder();
    out.append("## ").append(title).append("\n\n").append(intro).append("\n\n");
    for (Map.Entry<String, List<ConfigDef.ConfigKey>> group : groups.entrySet()) {
      out.append("### ").append(group.getKey()).append("\n\n");
      out.append("| key | type | default | valid values | importance | description |\n");
      out.append("|---|---|---|---|---|---|\n");
      List<ConfigDef.ConfigKey> keys = new ArrayList<>(group.getValue());
      keys.sort((a, b) -> Integer.compare(a.orderInGroup, b.orderInGroup));
      for (ConfigDef.ConfigKey key : keys) {
        out.append("| `")
            .append(key.name)
            .append("` | ")
            .append(key.type.name().toLowerCase(java.util.Locale.ROOT))
            .append(" | ")
            .append(defaultOf(key))
            .append(" | ")
            .append(cell(key.validator == null ? "" : key.validator.toString()))
            .append(" | ")
            .append(key.importance.name().toLowerCase(java.util.Locale.ROOT))
            .append(" | ")
            .append(cell(key.documentation))
            .append(" |\n");
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String defaultOf(ConfigDef.ConfigKey key) {
    if (!key.hasDefault()) {
      return "*required*";
    }
    Object value = key.defaultValue;
    if (value == null) {
      return "";
    }
    if (value instanceof Password) {
      return "*hidden*";
    }
    String text =
        value instanceof List<?> list
            ? String.join(",", list.stream().map(String::valueOf).toList())
            : String.valueOf(value);
    return text.isEmpty() ? "\"\"" : "`" + text + "`";
  }

  private static String cell(String text) {
    return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
  }
}
