package io.prism.snapshotter.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Truncation at every prefix of a small page, for every format, compression and way of detection.
 */
class PageTruncationTest {

  static Stream<Arguments> formatsAndCompressions() {
    return Arrays.stream(PageFormat.values())
        .flatMap(f -> Arrays.stream(Compression.values()).map(c -> Arguments.of(f, c)));
  }

  /** No strict prefix of a page may decode to a shorter page. */
  @ParameterizedTest(name = "{0} + {1}")
  @MethodSource("formatsAndCompressions")
  @Timeout(60)
  void everyTruncationIsRejectedOrLosesNothing(PageFormat format, Compression compression)
      throws Exception {
    byte[] stored = TestPages.encode(format, compression, GuardedDecode.EVENTS).bytes();
    for (int length = 0; length < stored.length; length++) {
      byte[] prefix = Arrays.copyOf(stored, length);
      for (GuardedDecode.Hint hint : GuardedDecode.Hint.values()) {
        Page page = GuardedDecode.decodeOrReject(prefix, format, compression, hint);
        if (page != null) {
          assertThat(page.events())
              .as("prefix of %d bytes", length)
              .containsExactlyElementsOf(GuardedDecode.EVENTS);
        }
      }
    }
  }
}
