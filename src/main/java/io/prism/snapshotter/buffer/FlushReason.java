package io.prism.snapshotter.buffer;

/** Why a writer's page was closed. Used in logs and metrics; the names are stable. */
public enum FlushReason {
  /** The page reached {@code buffer.max.events}. */
  EVENT_COUNT("count"),
  /** The page reached {@code buffer.max.size.bytes} of uncompressed event bytes. */
  SIZE("size"),
  /** The page's oldest event has waited {@code buffer.max.age.seconds}. */
  AGE("age"),
  /** The writer's session ended (a session-end control record). */
  SESSION_END("session_end"),
  /** The task lost the partition (rebalance). */
  PARTITION_REVOKED("revoked"),
  /** The task is stopping. */
  TASK_STOP("stop"),
  /** All buffers of the task together passed {@code buffer.memory.max.bytes}. */
  MEMORY("memory"),
  /** One event was larger than a whole page may be; it gets a page of its own. */
  OVERSIZED_EVENT("oversized"),
  /**
   * The writer's next record is already in a stored page (Kafka re-delivered it after a crash or a
   * rebalance): the open page ends before it, so no page spans records it does not hold.
   */
  REDELIVERED("redelivered");

  private final String label;

  FlushReason(String label) {
    this.label = label;
  }

  /** Short lower-case name, for logs and metric labels. */
  public String label() {
    return label;
  }
}
