package io.prism.snapshotter.index;

/**
 * Where a publish to one part of an opened index comes from: the sink task's own call, or a
 * background queue's. Lets whoever watches publishes (the task's metrics) see each one where it
 * really reaches a backend, also behind {@link QueuedPageIndex} and {@link FanOutPageIndex}.
 */
public enum PublishPath {
  /**
   * The task's call reaches the primary index (sync mode; through the fan-out if there are
   * secondaries).
   */
  TASK_TO_INDEX(false, true),
  /** The task's call only queues the entries (async mode): a success is not a publish yet. */
  TASK_TO_QUEUE(false, false),
  /** The async queue's thread publishing to the primary index (through the fan-out if any). */
  BACKGROUND_TO_PRIMARY(true, true),
  /** A secondary's queue thread publishing to that secondary. */
  BACKGROUND_TO_SECONDARY(true, false);

  private final boolean background;
  private final boolean reachesPrimary;

  PublishPath(boolean background, boolean reachesPrimary) {
    this.background = background;
    this.reachesPrimary = reachesPrimary;
  }

  /**
   * Runs on a queue's thread, retried there until it succeeds; the task never sees its failures.
   */
  public boolean background() {
    return background;
  }

  /** A success means the primary index (the one queries use) has the entries. */
  public boolean reachesPrimary() {
    return reachesPrimary;
  }
}
