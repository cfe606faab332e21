package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WriterIdsTest {

  private static final String ONE_MB = "é".repeat(512 * 1024);

  @Test
  void safeIdsPassThroughUnchanged() {
    assertThat(WriterIds.encode("user-123")).isEqualTo("user-123");
    assertThat(WriterIds.encode("A.b_c-9")).isEqualTo("A.b_c-9");
    assertThat(WriterIds.encode("orders.v1")).isEqualTo("orders.v1");
  }

  @Test
  void pathTricksBecomeOneHarmlessSegment() {
    assertThat(WriterIds.encode("../../etc/passwd")).isEqualTo("%2E.%2F..%2Fetc%2Fpasswd");
    assertThat(WriterIds.encode("a/b")).isEqualTo("a%2Fb");
    assertThat(WriterIds.encode(".")).isEqualTo("%2E");
    assertThat(WriterIds.encode("..")).isEqualTo("%2E.");
    assertThat(WriterIds.encode("a\\b")).isEqualTo("a%5Cb");
    assertThat(WriterIds.encode("nul\u0000")).isEqualTo("nul%00");
    assertThat(WriterIds.encode("%2F")).isEqualTo("%252F");
    assertThat(WriterIds.encode("~")).isEqualTo("%7E");
    assertThat(WriterIds.encode("é")).isEqualTo("%C3%A9");
  }

  @Test
  void theEmptyIdHasItsOwnMarker() {
    assertThat(WriterIds.encode("")).isEqualTo("~");
    assertThat(WriterIds.decode("~")).isEmpty();
  }

  @Test
  void longIdsAreHashedIntoABoundedDistinctSegment() {
    String a = WriterIds.encode(ONE_MB);
    String b = WriterIds.encode(ONE_MB.substring(1) + "x");
    String longAscii = WriterIds.encode("x".repeat(201));

    assertThat(a)
        .startsWith("~%C3%A9")
        .matches("~[A-Za-z0-9_.%-]*~[0-9a-f]{64}")
        .hasSizeLessThan(200);
    assertThat(b).isNotEqualTo(a);
    assertThat(longAscii).startsWith("~xxxx");
    assertThat(WriterIds.encode("x".repeat(200))).isEqualTo("x".repeat(200));
    assertThat(WriterIds.isHashed(a)).isTrue();
    assertThatThrownBy(() -> WriterIds.decode(a))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("page metadata");
  }

  @Test
  void unpairedSurrogatesGetDistinctHashedSegments() {
    String high = WriterIds.encode("a\uD800");
    String low = WriterIds.encode("a\uDC00");

    assertThat(high).isNotEqualTo(low).isNotEqualTo(WriterIds.encode("a?")).startsWith("~");
    assertThat(ObjectKeys.problem("w/" + high)).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"%41", "%c3%a9", "a/b", "%2", "%", "~~", "%FF", ".hidden", "a b", "%2E%2E"})
  void decodeRefusesWhatEncodeNeverProduces(String segment) {
    assertThatThrownBy(() -> WriterIds.decode(segment))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hostileIdsAreSafeDistinctSegments() {
    List<String> ids =
        List.of(
            "../../etc/passwd",
            "a/b",
            "",
            "\u0001\u0002\r\n\t",
            ONE_MB,
            ".",
            "..",
            ".prism-meta",
            "~",
            "%7E",
            "a%2Fb",
            "CON",
            " ",
            "\u202Eevil");
    Set<String> encodings = new HashSet<>();
    for (String id : ids) {
      String encoded = WriterIds.encode(id);
      assertSafeSegment(encoded);
      assertThat(encodings.add(encoded)).as("distinct: %s", encoded).isTrue();
    }
  }

  @Property(tries = 2000)
  void decodeReversesEncode(@ForAll("writerIds") String id) {
    String encoded = WriterIds.encode(id);
    if (!WriterIds.isHashed(encoded)) {
      assertThat(WriterIds.decode(encoded)).isEqualTo(id);
    }
  }

  @Property(tries = 2000)
  void distinctIdsHaveDistinctEncodings(
      @ForAll("writerIds") String a, @ForAll("writerIds") String b) {
    if (!a.equals(b)) {
      assertThat(WriterIds.encode(a)).isNotEqualTo(WriterIds.encode(b));
    }
  }

  @Property(tries = 2000)
  void everyEncodingIsASafeSegment(@ForAll("writerIds") String id) {
    assertSafeSegment(WriterIds.encode(id));
  }

  @Property(tries = 300)
  void shortIdsAreAlwaysReversible(@ForAll("shortIds") String id) {
    assertThat(WriterIds.isHashed(WriterIds.encode(id))).isFalse();
    assertThat(WriterIds.decode(WriterIds.encode(id))).isEqualTo(id);
  }

  /**
   * Any well-formed text, weighted towards the characters that matter: separators, dots, escapes.
   */
  @Provide
  Arbitrary<String> writerIds() {
    Arbitrary<String> tricky =
        Arbitraries.strings().withChars("./\\%~-_ \u0000\n:éA日").ofMaxLength(30);
    Arbitrary<String> unicode =
        Arbitraries.strings().all().ofMaxLength(80).filter(s -> !hasUnpairedSurrogate(s));
    return Arbitraries.oneOf(tricky, unicode);
  }

  /**
   * Ids short enough (at most 22 chars, 9 bytes each when escaped) that they never reach the hash
   * bound.
   */
  @Provide
  Arbitrary<String> shortIds() {
    return Arbitraries.strings().all().ofMaxLength(22).filter(s -> !hasUnpairedSurrogate(s));
  }

  private static boolean hasUnpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1)))) {
        return true;
      }
      if (Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)))) {
        return true;
      }
      if (Character.isHighSurrogate(c)) {
        i++;
      }
    }
    return false;
  }

  private static void assertSafeSegment(String encoded) {
    assertThat(encoded)
        .matches("[A-Za-z0-9_.%~-]+")
        .doesNotStartWith(".")
        .doesNotContain("/")
        .hasSizeLessThanOrEqualTo(WriterIds.MAX_ENCODED_LENGTH);
    assertThat(ObjectKeys.problem("prefix/" + encoded + "/x")).isNull();
  }
}
