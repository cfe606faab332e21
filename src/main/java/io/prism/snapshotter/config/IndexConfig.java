package io.prism.snapshotter.config;

import io.prism.snapshotter.index.IndexBackend;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.SqlitePageIndex;
import java.nio.file.Path;
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

  public static final String SQLITE_PATH = "index.sqlite.path";
  public static final String SQLITE_PATH_DEFAULT = "./data/index.db";
  static final String SQLITE_PATH_DOC = "The SQLite index file (created with its directories when missing).";

  private final AbstractConfig config;
  private final IndexBackend backend;

  public IndexConfig(AbstractConfig config) {
    this.config = config;
    this.backend = BACKENDS.parse(BACKEND, config.getString(BACKEND));
  }

  public static ConfigDef addTo(ConfigDef def) {
    return def.define(BACKEND, Type.STRING, IndexBackend.SQLITE.configName(), BACKENDS, Importance.HIGH,
            BACKEND_DOC, GROUP, 1, Width.SHORT, "Index backend", BACKENDS)
        .define(SQLITE_PATH, Type.STRING, SQLITE_PATH_DEFAULT, Importance.MEDIUM, SQLITE_PATH_DOC, GROUP, 10,
            Width.LONG, "SQLite file");
  }

  public IndexBackend backend() {
    return backend;
  }

  public Path sqlitePath() {
    return Path.of(config.getString(SQLITE_PATH));
  }

  /** Opens the configured index. */
  public PageIndex open() {
    return switch (backend) {
      case SQLITE -> SqlitePageIndex.open(sqlitePath());
      case NONE -> PageIndex.none();
      default -> throw new UnsupportedOperationException(backend.configName() + " is not wired yet");
    };
  }
}
