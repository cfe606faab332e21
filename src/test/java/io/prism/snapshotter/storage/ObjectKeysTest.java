package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ObjectKeysTest {
  private static final String[] PIECES = {
    "a",
    "b",
    "/",
    "/",
    ".",
    "..",
    "é",
    "中",
    "🎉",
    "\ud800",
    "\\",
    "\u0001",
    ".prism-",
    "x".repeat(60)
  };

  @Test
  void segmentAndKeyLengthsCountUtf8BytesAtTheBoundaries() {
    assertThat(ObjectKeys.problem("a/" + "中".repeat(85))).isNull(); // 255 bytes
    assertThat(ObjectKeys.problem("a/" + "中".repeat(85) + "b"))
        .isEqualTo("segment longer than 255 UTF-8 bytes");
    assertThat(ObjectKeys.problem("🎉".repeat(63) + "abc/b")).isNull(); // 4 bytes a pair
    assertThat(ObjectKeys.problem("🎉".repeat(64) + "/b"))
        .isEqualTo("segment longer than 255 UTF-8 bytes");
    String segment = "é".repeat(127) + "/"; // 255 bytes and a '/'
    assertThat(ObjectKeys.problem(segment.repeat(4) + "abcd")).isNull(); // 1024 bytes
    assertThat(ObjectKeys.problem(segment.repeat(4) + "abcde"))
        .isEqualTo("longer than 1024 UTF-8 bytes");
  }

  @Test
  void eachRuleNamesWhatItFinds() {
    assertThat(ObjectKeys.problem("a//b")).isEqualTo("empty segment (a '//' or a trailing '/')");
    assertThat(ObjectKeys.problem("a/b/")).isEqualTo("empty segment (a '//' or a trailing '/')");
    assertThat(ObjectKeys.problem("a/../b")).isEqualTo("'..' segment");
    assertThat(ObjectKeys.problem("./b")).isEqualTo("'.' segment");
    assertThat(ObjectKeys.problem("a/.b/..c")).isNull();
    assertThat(ObjectKeys.problem("a/.prism-meta/b"))
        .isEqualTo("segment '.prism-meta' starts with the reserved '.prism-'");
    assertThat(ObjectKeys.problem("a/x.prism-/b")).isNull();
    assertThat(ObjectKeys.problem("/a")).isEqualTo("must not start with '/' (keys are relative)");
    assertThat(ObjectKeys.problem("a\\b")).startsWith("backslash at position 1");
    assertThat(ObjectKeys.problem("a\ud800b")).isEqualTo("unpaired surrogate at position 1");
  }

  /** The rules as first written (split into segments, each encoded): the in-place walk agrees. */
  @Test
  void agreesWithSplittingAndEncodingOnRandomKeys() {
    Random random = new Random(5);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder key = new StringBuilder();
      int pieces = random.nextInt(i % 10 == 0 ? 60 : 12);
      for (int p = 0; p < pieces; p++) {
        key.append(PIECES[random.nextInt(PIECES.length)]);
      }
      assertThat(ObjectKeys.problem(key.toString()))
          .as("key %s", ObjectKeys.printable(key.toString()))
          .isEqualTo(bySplitting(key.toString()));
    }
  }

  private static String bySplitting(String key) {
    if (key.isEmpty()) {
      return "a key must not be empty";
    }
    if (key.getBytes(StandardCharsets.UTF_8).length > 1024) {
      return "longer than 1024 UTF-8 bytes";
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '\\') {
        return "backslash at position " + i + " (use '/' to separate segments)";
      }
      if (Character.isISOControl(c)) {
        return "control character U+" + String.format("%04X", (int) c) + " at position " + i;
      }
      boolean paired =
          Character.isHighSurrogate(c)
              ? i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))
              : i > 0 && Character.isHighSurrogate(key.charAt(i - 1));
      if (Character.isSurrogate(c) && !paired) {
        return "unpaired surrogate at position " + i;
      }
    }
    if (key.startsWith("/")) {
      return "must not start with '/' (keys are relative)";
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty()) {
        return "empty segment (a '//' or a trailing '/')";
      }
      if (segment.equals(".") || segment.equals("..")) {
        return "'" + segment + "' segment";
      }
      if (segment.startsWith(".prism-")) {
        return "segment '" + segment + "' starts with the reserved '.prism-'";
      }
      if (segment.getBytes(StandardCharsets.UTF_8).length > 255) {
        return "segment longer than 255 UTF-8 bytes";
      }
    }
    return null;
  }
}
