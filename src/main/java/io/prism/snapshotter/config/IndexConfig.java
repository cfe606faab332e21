package io.prism.snapshotter.config;

import io.prism.snapshotter.index.IndexBackend;
import io.prism.snapshotter.index.PageIndex;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

/** {@code index.*}: where page metadata is published once a page is durable. */
public final class IndexConfig {
  public static final String GROUP = "Index";
  public static final NamedValues<IndexBackend> BACKENDS =
      NamedValues.of(IndexBackend.class, IndexBackend::configName);

  public static final String BACKEND = "index.backend";
  static final String BACKEND_DOC = "The page index: " + BACKENDS + ".";

  private final IndexBackend backend;

  public IndexConfig(AbstractConfig config) {
    this.backend = BACKENDS.parse(BACKEND, config.getString(BACKEND));
  }

  public static ConfigDef addTo(ConfigDef def) {
    return def.define(BACKEND, Type.STRING, IndexBackend.NONE.configName(), BACKENDS, Importance.HIGH,
        BACKEND_DOC, GROUP, 1, Width.SHORT, "Index backend", BACKENDS);
  }

  public IndexBackend backend() {
    return backend;
  }

  /** Opens the configured index. */
  public PageIndex open() {
    return switch (backend) {
      case NONE -> PageIndex.none();
    };
  }
}
