package io.prism.snapshotter.bench;

import java.util.HashMap;
import java.util.Map;

/** The benchmarks' command lines: {@code name=value} pairs. */
final class BenchArgs {
  private BenchArgs() {}

  /** The pairs by name; anything not {@code name=value} is refused, naming it. */
  static Map<String, String> parse(String[] args) {
    Map<String, String> given = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("arguments are name=value, got '" + arg + "'");
      }
      given.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    return given;
  }
}
