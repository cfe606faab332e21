package io.prism.snapshotter.index;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The page index backends ({@code index.backend}, {@code index.secondary}). */
public enum IndexBackend {
  /** An embedded SQLite file: no server; the default, and the local run's index. */
  SQLITE("sqlite"),
  /** ClickHouse over HTTP: the product's primary index (the RFC's {@code timeseries_basic}). */
  CLICKHOUSE("clickhouse"),
  /** Redis: the RFC's {@code keyvalue_basic}. */
  REDIS("redis"),
  /** No index: pages are stored only. Replay then lists storage. */
  NONE("none");

  private final String configName;

  IndexBackend(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  public static Optional<IndexBackend> fromName(String name) {
    String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(b -> b.configName.equals(wanted)).findFirst();
  }
}
