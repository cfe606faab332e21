package io.prism.snapshotter.buffer;

/**
 * The byte budget shared by all buffers of one task. Above {@link #maxBytes()} the task closes
 * pages early; it stops reading (pauses its partitions) while the buffered bytes stay above the
 * budget because storage cannot keep up, and reads again below the low-water mark.
 *
 * <p>A page counts from its first event until its memory is really free: it is durable, or it was
 * dropped while no upload held it (see {@code PageAssembler.free}). Each page is released exactly
 * once, so the count neither drifts nor needs its floor at zero in normal operation.
 */
public final class MemoryBudget {
  private final long maxBytes;
  private final long lowWaterBytes;
  private long usedBytes;

  /**
   * @param lowWaterFraction the low-water mark as a fraction of {@code maxBytes}, in (0, 1)
   */
  public MemoryBudget(long maxBytes, double lowWaterFraction) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("memory budget must be positive, was " + maxBytes);
    }
    if (!(lowWaterFraction > 0 && lowWaterFraction < 1)) {
      throw new IllegalArgumentException(
          "low-water fraction must be in (0, 1), was " + lowWaterFraction);
    }
    this.maxBytes = maxBytes;
    this.lowWaterBytes = (long) (maxBytes * lowWaterFraction);
  }

  void reserve(long bytes) {
    usedBytes += bytes;
  }

  void release(long bytes) {
    usedBytes = Math.max(0, usedBytes - bytes);
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
