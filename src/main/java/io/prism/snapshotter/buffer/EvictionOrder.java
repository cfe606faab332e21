package io.prism.snapshotter.buffer;

/**
 * Which open pages are stored first when a task's buffers pass their memory budget ({@code
 * buffer.memory.eviction}). Measured by {@code bin/bench eviction}; the figures are in
 * docs/BENCHMARKS.md.
 */
public enum EvictionOrder {
  /**
   * The pages opened first (the least recently opened). The oldest page of a partition is the one
   * holding back its committed offset, so this keeps the commit lag smallest. The default.
   */
  OLDEST_FIRST("oldest"),
  /** The largest pages: fewer, fuller pages per eviction, but idle small writers wait longer. */
  LARGEST_FIRST("largest");

  private final String configName;

  EvictionOrder(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }
}
