package io.prism.snapshotter.metrics;

/** A health endpoint's verdict; ordered from best to worst. */
public enum HealthStatus {
  HEALTHY("healthy"),
  DEGRADED("degraded"),
  UNHEALTHY("unhealthy");

  private final String label;

  HealthStatus(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public HealthStatus worse(HealthStatus other) {
    return other.ordinal() > ordinal() ? other : this;
  }
}
