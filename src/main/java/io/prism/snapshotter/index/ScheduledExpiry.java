package io.prism.snapshotter.index;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code index.ttl.days} for indexes that do not expire entries by themselves: calls {@link
 * PageIndex#expireBefore} with "now minus the TTL" on a schedule (first after a minute, so
 * short-lived CLI runs never do it). A failed run is logged and tried again next time.
 */
public final class ScheduledExpiry extends ForwardingPageIndex {
  private static final Logger log = LoggerFactory.getLogger(ScheduledExpiry.class);
  static final Duration FIRST_RUN = Duration.ofMinutes(1);
  static final Duration INTERVAL = Duration.ofHours(1);

  private final ScheduledExecutorService scheduler;

  public ScheduledExpiry(PageIndex index, Duration ttl, Clock clock) {
    super(index);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "index-expiry-" + index.describe());
              thread.setDaemon(true);
              return thread;
            });
    scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            index.expireBefore(SaturatingMillis.minus(clock.millis(), ttl.toMillis()));
          } catch (RuntimeException e) {
            log.warn(
                "Expiring old entries of {} failed; trying again in {}: {}",
                index.describe(),
                INTERVAL,
                e.toString());
          }
        },
        FIRST_RUN.toMillis(),
        INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    delegate.close();
  }
}
