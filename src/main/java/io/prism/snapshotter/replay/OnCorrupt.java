package io.prism.snapshotter.replay;

import java.util.Locale;

/** What a replay does with a page it cannot read (its stored bytes or metadata do not decode). */
public enum OnCorrupt {
  /** The replay fails there, naming the page: nothing after it comes out. The default. */
  FAIL,
  /**
   * The page is skipped with a WARN naming it and what was wrong, and listed by {@link
   * ReplayStream#skippedPages()}; the other pages' events come out as ever.
   */
  SKIP;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @throws IllegalArgumentException naming the choices
   */
  public static OnCorrupt parse(String value) {
    for (OnCorrupt choice : values()) {
      if (choice.configName().equals(value)) {
        return choice;
      }
    }
    throw new IllegalArgumentException("'" + value + "' is not one of: fail, skip");
  }
}
