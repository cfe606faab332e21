package io.prism.snapshotter.chaos;

/** The faults a chaos run injects. */
enum FaultKind {
  WORKER_KILL("Connect worker SIGKILL, restarted at once"),
  WORKER_FREEZE("Connect worker SIGSTOP until fenced out, then SIGCONT (the zombie)"),
  FRONT_DOOR_KILL("front door SIGKILL, restarted at once"),
  BROKER_KILL("Kafka broker SIGKILL, restarted at once"),
  S3_OUTAGE("S3Proxy stopped (SIGTERM), started again after the outage"),
  CLICKHOUSE_OUTAGE("ClickHouse stopped (SIGTERM), started again after the outage");

  private final String description;

  FaultKind(String description) {
    this.description = description;
  }

  String description() {
    return description;
  }
}
