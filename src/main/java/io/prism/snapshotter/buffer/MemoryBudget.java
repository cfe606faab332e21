package io.prism.snapshotter.buffer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The byte budget shared by all buffers of one task. Above {@link #maxBytes()} the task closes
 * pages early; it stops reading (pauses its partitions) while the buffered bytes stay above the
 * budget because storage cannot keep up, and reads again below the low-water mark.
 *
 * <p>A page counts from its first event until its memory is really free: it is durable, or it was
 * dropped while no upload held it (see {@code PageAssembler.free}). Each page is released exactly
 * once, so the count never drifts. A release of more than is reserved is a bug (a page released
 * twice, or more than it reserved); it is not hidden behind a floor at zero, which would also make
 * every later count wrong by an unknown amount. With assertions on (tests) it throws an {@link
 * AssertionError}; without (a Connect worker) it is logged as an error and the count goes below
 * zero by exactly the excess, so the task keeps running and the error stays visible in the
 * buffered-bytes metric.
 */
public final class MemoryBudget {
  private static final Logger log = LoggerFactory.getLogger(MemoryBudget.class);

  private final long maxBytes;
  private final long lowWaterBytes;

  /** Whether an over-release throws (assertions on: tests) rather than being logged. */
  private final boolean strict;

  private long usedBytes;

  /**
   * @param lowWaterFraction the low-water mark as a fraction of {@code maxBytes}, in (0, 1)
   */
  public MemoryBudget(long maxBytes, double lowWaterFraction) {
    this(maxBytes, lowWaterFraction, MemoryBudget.class.desiredAssertionStatus());
  }

  /**
   * @param strict whether a release of more than is reserved throws rather than being logged
   */
  MemoryBudget(long maxBytes, double lowWaterFraction, boolean strict) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("memory budget must be positive, was " + maxBytes);
    }
    if (!(lowWaterFraction > 0 && lowWaterFraction < 1)) {
      throw new IllegalArgumentException(
          "low-water fraction must be in (0, 1), was " + lowWaterFraction);
    }
    this.maxBytes = maxBytes;
    this.lowWaterBytes = (long) (maxBytes * lowWaterFraction);
    this.strict = strict;
  }

  void reserve(long bytes) {
    usedBytes += bytes;
  }

  void release(long bytes) {
    long reserved = usedBytes;
    usedBytes -= bytes;
    if (usedBytes < 0) {
      String problem =
          "Memory budget accounting bug: released "
              + bytes
              + " bytes with only "
              + reserved
              + " reserved (a page released twice, or more than it reserved); the count is now "
              + usedBytes
              + " and stays off by that much, so pages close and partitions pause that much later";
      if (strict) {
        throw new AssertionError(problem);
      }
      log.error(problem);
    }
  }

  public boolean overBudget() {
    return usedBytes > maxBytes;
  }

  public boolean belowLowWater() {
    return usedBytes <= lowWaterBytes;
  }

  public long maxBytes() {
    return maxBytes;
  }

  public long lowWaterBytes() {
    return lowWaterBytes;
  }

  public long usedBytes() {
    return usedBytes;
  }
}
