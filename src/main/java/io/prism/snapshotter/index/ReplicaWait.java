package io.prism.snapshotter.index;

import java.time.Duration;
import java.util.Objects;

/**
 * How many replicas must have a publish's entries before it counts as done (Redis's {@code WAIT}),
 * and how long to wait for them. Redis replicates asynchronously: an entry only the primary holds
 * is lost when a failover promotes a replica that had not received it yet, although the sink has
 * committed the page's records. Waiting for replicas narrows that window to what no replica has
 * acknowledged.
 *
 * @param replicas 0: do not wait (the default)
 * @param timeout how long a publish waits for them; fewer in that time fail the publish, which the
 *     sink retries
 */
public record ReplicaWait(int replicas, Duration timeout) {
  public static final ReplicaWait NONE = new ReplicaWait(0, Duration.ofSeconds(5));

  public ReplicaWait {
    Objects.requireNonNull(timeout, "timeout");
    if (replicas < 0) {
      throw new IllegalArgumentException("replicas to wait for must be 0 or more, not " + replicas);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(
          "the wait for replicas must be positive, not " + timeout.toMillis() + " ms");
    }
  }

  public boolean waits() {
    return replicas > 0;
  }
}
