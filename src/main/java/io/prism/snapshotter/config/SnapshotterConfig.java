package io.prism.snapshotter.config;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Every setting of the snapshotter, assembled from one fragment per concern. The connector,
 * the CLI and the local run all read their settings through this class.
 */
public final class SnapshotterConfig extends AbstractConfig {
  private static final ConfigDef DEFINITION = define();

  private final WriterConfig writer;
  private final BufferConfig buffer;
  private final PageConfig page;
  private final StorageConfig storage;
  private final IndexConfig index;
  private final MetricsConfig metrics;

  public SnapshotterConfig(Map<?, ?> originals) {
    super(DEFINITION, originals, false);
    this.writer = new WriterConfig(this);
    this.buffer = new BufferConfig(this);
    this.page = new PageConfig(this);
    this.storage = new StorageConfig(this);
    this.index = new IndexConfig(this);
    this.metrics = new MetricsConfig(this);
  }

  private static ConfigDef define() {
    ConfigDef def = new ConfigDef();
    WriterConfig.addTo(def);
    BufferConfig.addTo(def);
    PageConfig.addTo(def);
    StorageConfig.addTo(def);
    IndexConfig.addTo(def);
    MetricsConfig.addTo(def);
    return def;
  }

  /** The whole definition, e.g. for {@code Connector.config()} and the generated docs. */
  public static ConfigDef configDef() {
    return new ConfigDef(DEFINITION);
  }

  public WriterConfig writer() {
    return writer;
  }

  public BufferConfig buffer() {
    return buffer;
  }

  public PageConfig page() {
    return page;
  }

  public StorageConfig storage() {
    return storage;
  }

  public IndexConfig index() {
    return index;
  }

  public MetricsConfig metrics() {
    return metrics;
  }
}
