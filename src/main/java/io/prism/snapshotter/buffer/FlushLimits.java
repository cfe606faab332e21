package io.prism.snapshotter.buffer;

import java.time.Duration;

/**
 * The thresholds at which a writer's page closes: the first one reached wins.
 *
 * @param maxEvents events in one page
 * @param maxBytes uncompressed event bytes in one page (as estimated by {@link PageBuffer})
 * @param maxAge how long the page's first event may wait, measured on the task's clock from the
 *     moment the event was buffered (not the record's timestamp: a backlog of old records must not
 *     flush one page per record)
 */
public record FlushLimits(int maxEvents, long maxBytes, Duration maxAge) {
  public FlushLimits {
    if (maxEvents < 1) {
      throw new IllegalArgumentException("maxEvents must be at least 1, was " + maxEvents);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
    }
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive, was " + maxAge);
    }
  }
}
