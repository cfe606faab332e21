package io.prism.snapshotter.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * Settings given under a name that no definition has, within the name spaces a definition owns (the
 * first segments of its names: {@code storage.}, {@code index.}, ...). A misspelt key is otherwise
 * ignored without a word and its default used: {@code storage.filesytem.path} would leave the path
 * unset, {@code buffer.max.age.secs} the age at five minutes, a hoped-for {@code
 * storage.s3.object.lock.mode} would lock nothing. Names outside those spaces belong to others
 * (Connect's {@code topics} and converters, a producer's settings) and are left alone.
 */
public final class UnknownSettings {
  /** Up to this many edits away, a known name is offered as what was meant. */
  private static final int MAX_EDITS = 3;

  private final List<String> known;
  private final Set<String> ownedPrefixes;

  /**
   * @param known every name the definition has; the prefixes owned are their first segments
   */
  public UnknownSettings(Collection<String> known) {
    this.known = List.copyOf(known);
    this.ownedPrefixes = new LinkedHashSet<>();
    for (String name : known) {
      int dot = name.indexOf('.');
      if (dot > 0) {
        ownedPrefixes.add(name.substring(0, dot + 1));
      }
    }
  }

  /** The given names that are within an owned name space but not known, in the given order. */
  public List<Unknown> in(Collection<?> givenNames) {
    List<Unknown> unknown = new ArrayList<>();
    for (Object given : givenNames) {
      String name = String.valueOf(given);
      if (owned(name) && !known.contains(name)) {
        unknown.add(new Unknown(name, nearest(name)));
      }
    }
    return unknown;
  }

  private boolean owned(String name) {
    String normalized = normalized(name); // Storage.S3.Bucket is a misspelling too
    for (String prefix : ownedPrefixes) {
      if (normalized.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The known name fewest edits away (case, and '-' or '_' for '.', count as none), when it is at
   * most {@value #MAX_EDITS} away and a third of the name's length: an offer further off would be a
   * guess. The first in definition order wins a tie.
   */
  Optional<String> nearest(String name) {
    String given = normalized(name);
    int limit = Math.min(MAX_EDITS, given.length() / 3);
    LevenshteinDistance distance = new LevenshteinDistance(limit);
    String best = null;
    int bestEdits = Integer.MAX_VALUE;
    for (String candidate : known) {
      int edits = distance.apply(given, normalized(candidate)); // -1: beyond the limit
      if (edits >= 0 && edits < bestEdits) {
        best = candidate;
        bestEdits = edits;
      }
    }
    return Optional.ofNullable(best);
  }

  private static String normalized(String name) {
    return name.toLowerCase(Locale.ROOT).replace('-', '.').replace('_', '.');
  }

  /** A name no definition has, and the known name it most likely meant. */
  public record Unknown(String name, Optional<String> nearest) {
    /**
     * "storage.filesytem.path is not a setting of {@code owner}; did you mean
     * storage.filesystem.path?"
     */
    public String describe(String owner) {
      return name
          + " is not a setting of "
          + owner
          + nearest
              .map(n -> "; did you mean " + n + "?")
              .orElse(" (see its configuration reference)");
    }
  }
}
