package io.prism.snapshotter.util;

/**
 * A count and its noun in the right number, for messages a user reads: "1 page", "2 pages", "0
 * entries". Not for the per-record path: it builds a string.
 */
public final class Counted {
  private Counted() {}

  /** {@code count} and {@code singular}, with "s" added unless the count is one. */
  public static String of(long count, String singular) {
    return count == 1 ? "1 " + singular : count + " " + singular + "s";
  }

  /** {@code count} and the noun in its number, for nouns not made plural with "s" (entries). */
  public static String of(long count, String singular, String plural) {
    return count == 1 ? "1 " + singular : count + " " + plural;
  }
}
