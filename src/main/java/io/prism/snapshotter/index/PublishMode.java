package io.prism.snapshotter.index;

/** {@code index.publish.mode}: when a durable page's entry must be in the index. */
public enum PublishMode {
  /**
   * Publishing is part of making a page durable: a partition's offset passes a page only once its
   * entry is indexed, so a crash never leaves a stored page unindexed.
   */
  SYNC("sync"),
  /**
   * Entries go to a bounded queue that a background thread publishes in batches, retrying failures;
   * offsets follow durable pages only. A full queue pushes back on the sink instead of dropping
   * entries. Entries still queued at a crash are restored by {@code reindex}.
   */
  ASYNC("async");

  private final String configName;

  PublishMode(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }
}
