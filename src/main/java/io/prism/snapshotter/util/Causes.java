package io.prism.snapshotter.util;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;

/**
 * A failure's chain of causes, walked one way everywhere: what a failure is (a refused certificate,
 * a denied principal, a dropped connection) is often known only from a cause some wrappers deep.
 * The walk is bounded and stops at a cause seen before, so a cyclic chain (which some clients make)
 * cannot hang an error path.
 */
public final class Causes {
  /** Deeper than any wrapping seen in practice (Kafka's and the cloud SDKs' are under ten). */
  static final int MAX_DEPTH = 20;

  private Causes() {}

  /** {@code failure}, its cause, that one's cause, and so on. */
  public static List<Throwable> chain(Throwable failure) {
    List<Throwable> chain = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = failure; t != null && chain.size() < MAX_DEPTH && seen.add(t); ) {
      chain.add(t);
      t = t.getCause();
    }
    return chain;
  }

  /** The first in the chain (the failure itself included) that is a {@code type}. */
  public static <T extends Throwable> Optional<T> find(Throwable failure, Class<T> type) {
    return first(failure, type::isInstance).map(type::cast);
  }

  /** The first in the chain (the failure itself included) that {@code test} accepts. */
  public static Optional<Throwable> first(Throwable failure, Predicate<Throwable> test) {
    for (Throwable t : chain(failure)) {
      if (test.test(t)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** Whether the failure or one of its causes is a {@code type}. */
  public static boolean has(Throwable failure, Class<? extends Throwable> type) {
    return find(failure, type).isPresent();
  }

  /** The last of the chain: the failure itself when it has no cause. */
  public static Throwable innermost(Throwable failure) {
    List<Throwable> chain = chain(failure);
    return chain.get(chain.size() - 1);
  }

  /**
   * The failure past the wrappers a future adds ({@link ExecutionException}, {@link
   * CompletionException}), which say nothing of their own.
   */
  public static Throwable unwrapped(Throwable failure) {
    for (Throwable t : chain(failure)) {
      if (!(t instanceof ExecutionException || t instanceof CompletionException)
          || t.getCause() == null) {
        return t;
      }
    }
    return innermost(failure);
  }
}
