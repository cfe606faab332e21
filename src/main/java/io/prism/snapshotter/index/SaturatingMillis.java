package io.prism.snapshotter.index;

/**
 * Millisecond arithmetic that stops at {@code long}'s ends instead of wrapping round. Entry times
 * come from producers, and some send what is not milliseconds (nanoseconds, microseconds): a page
 * whose last event is near {@link Long#MAX_VALUE} plus {@code index.ttl.days} must expire "never",
 * not in 1970 (Redis would then skip the entry as already expired).
 */
final class SaturatingMillis {
  private SaturatingMillis() {}

  /** {@code a + b}, or {@link Long#MAX_VALUE} / {@link Long#MIN_VALUE} where that overflows. */
  static long plus(long a, long b) {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException overflow) {
      return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
  }

  /** {@code a - b}, or {@link Long#MAX_VALUE} / {@link Long#MIN_VALUE} where that overflows. */
  static long minus(long a, long b) {
    try {
      return Math.subtractExact(a, b);
    } catch (ArithmeticException overflow) {
      return b < 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
  }
}
