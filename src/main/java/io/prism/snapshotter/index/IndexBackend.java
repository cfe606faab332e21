package io.prism.snapshotter.index;

/** The page index backends ({@code index.backend}). */
public enum IndexBackend {
  /** No index: pages are stored only. Replay then lists storage. */
  NONE("none");

  private final String configName;

  IndexBackend(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }
}
