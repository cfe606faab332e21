package io.prism.snapshotter.frontdoor;

import io.grpc.Deadline;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The deadline of one call of {@code bin/snapshotter publish}, set when the call begins, and the
 * time since: what the line of a call that ran out of time reports. gRPC's own description gives
 * neither: "deadline exceeded after 0.8s" is the time that was left when its call object started,
 * after the channel's start-up on a loaded machine had used the rest.
 */
final class CallDeadline {
  private final Duration configured;
  private final Deadline deadline;
  private final long startNanos;

  private CallDeadline(Duration configured) {
    this.configured = configured;
    this.startNanos = System.nanoTime();
    this.deadline = Deadline.after(configured.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** A deadline {@code configured} from now: call it right before the call. */
  static CallDeadline start(Duration configured) {
    return new CallDeadline(configured);
  }

  Deadline deadline() {
    return deadline;
  }

  /** Whether this deadline has passed: a DEADLINE_EXCEEDED is then this client's own. */
  boolean passed() {
    return deadline.isExpired();
  }

  /** "the deadline of 2000 ms (--deadline-ms), given up after 2.0 s". */
  String describe() {
    return String.format(
        Locale.ROOT,
        "the deadline of %d ms (--deadline-ms), given up after %.1f s",
        configured.toMillis(),
        (System.nanoTime() - startNanos) / 1e9);
  }
}
