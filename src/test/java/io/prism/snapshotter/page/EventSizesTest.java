package io.prism.snapshotter.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventSizesTest {
  /** Characters that grow most when encoded: control characters, CJK, surrogate pairs, escapes. */
  private static final String[] HOSTILE = {
    "\u0000", "\u0001", "\u001f", "\n", "\"", "\\", "中", "\u2028", "\uffff", "🎉", "a", "é", "/"
  };

  @Test
  void theBoundIsAtLeastTheLargerEncodingForHostileStrings() {
    Random random = new Random(23);
    for (int i = 0; i < 2_000; i++) {
      Map<String, String> attributes = new LinkedHashMap<>();
      int count = random.nextInt(6);
      for (int a = 0; a < count; a++) {
        attributes.put(hostile(random, random.nextInt(4)) + a, hostile(random, random.nextInt(40)));
      }
      long time = random.nextBoolean() ? Long.MIN_VALUE + random.nextInt(10) : random.nextLong();
      Event event =
          new Event(
              hostile(random, random.nextInt(30)), time, new byte[random.nextInt(8)], attributes);
      assertThat(EventSizes.upperBound(event))
          .as("event %d: %s", i, event)
          .isGreaterThanOrEqualTo(EventSizes.largestEncoding(event));
    }
    for (Event event : TestPages.tricky()) {
      assertThat(EventSizes.upperBound(event))
          .isGreaterThanOrEqualTo(EventSizes.largestEncoding(event));
    }
  }

  @Test
  void theLargestEncodingIsTheNdjsonLineWithTheLongestSequenceForEscapedText() throws Exception {
    Event event = new Event("id", 5, new byte[10], Map.of("control", "\u0001".repeat(100)));
    long lastSequence = PageLimits.DEFAULT.maxEvents() - 1;
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try (JsonGenerator gen = new JsonFactory().createGenerator(line)) {
      NdjsonLines.writeEventLine(gen, event, lastSequence);
    }
    assertThat(EventSizes.largestEncoding(event)).isEqualTo(line.size() - 1); // without its '\n'
    assertThat(EventSizes.largestEncoding(event)).isGreaterThan(600); // six bytes per \u0001
  }

  /** The counts are exactly what readers hold to their limits, in both formats. */
  @Test
  void readersAcceptAnEventOfExactlyTheCountedSizeAndRefuseOneByteLess() throws Exception {
    Event event =
        new Event(
            "evt-\"1\" 中",
            1_700_000_000_000L,
            new byte[3_001],
            Map.of("type", "a\u0001b\nc🎉", "ключ", "値"));
    long ndjsonLine = NdjsonPageWriter.lineLength(event, 0);
    long protobufMessage = EncodedEvents.fieldsSize(event); // sequence 0 takes no bytes
    assertReadableExactlyUpTo(PageFormat.NDJSON, event, ndjsonLine);
    assertReadableExactlyUpTo(PageFormat.PROTOBUF, event, protobufMessage);
    assertThat(EventSizes.largestEncoding(event))
        .isGreaterThanOrEqualTo(Math.max(ndjsonLine, protobufMessage));
  }

  private static void assertReadableExactlyUpTo(PageFormat format, Event event, long size)
      throws Exception {
    byte[] page = TestPages.encodeWith(format, Compression.NONE, TestPages.SPEC, List.of(event));
    PageReader fits = new PageReader(new PageLimits(1 << 20, (int) size, 10, 10));
    assertThat(fits.read(new ByteArrayInputStream(page), "page").events()).containsExactly(event);
    PageReader tooSmall = new PageReader(new PageLimits(1 << 20, (int) size - 1, 10, 10));
    assertThatThrownBy(() -> tooSmall.read(new ByteArrayInputStream(page), "page"))
        .as(format.configName())
        .isInstanceOf(PageFormatException.class);
  }

  private static String hostile(Random random, int length) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < length; i++) {
      text.append(HOSTILE[random.nextInt(HOSTILE.length)]);
    }
    return text.toString();
  }
}
