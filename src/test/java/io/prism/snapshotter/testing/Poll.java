package io.prism.snapshotter.testing;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition that another thread makes true, failing after a deadline (no
 * sleep-then-assert).
 */
public final class Poll {
  private Poll() {}

  public static void until(String what, Duration limit, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + limit + ": " + what);
      }
      Thread.sleep(10);
    }
  }
}
