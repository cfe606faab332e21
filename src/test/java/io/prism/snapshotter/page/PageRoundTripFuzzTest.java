package io.prism.snapshotter.page;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing of the writing side (docs/FUZZING.md): events and writer ids made of
 * hostile text (quotes, backslashes, control characters, U+2028, emoji, unpaired surrogates) are
 * either refused where they are built ({@link WellFormedText}, naming the field) or written as a
 * page that reads back equal, in both formats and every compression; and each NDJSON event line
 * ({@link NdjsonLines}) is one line of standard JSON that a plain JSON parser reads back equal.
 */
class PageRoundTripFuzzTest {
  private static final PageReader READER = new PageReader();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Spliced into fuzzer strings so that the rare characters turn up often. */
  private static final String[] NASTY = {
    "\"",
    "\\",
    "\n",
    "\r",
    "\u0000",
    "\u001f",
    "\u007f",
    "\u2028",
    "\u2029",
    "\uFEFF",
    "\uD83C\uDF89",
    "\uD800",
    "\uDFFF",
    "\\u0000",
    "{\"metadata\":{}}",
    "\n{",
    "%",
    "/",
    ".."
  };

  @FuzzTest(maxDuration = "25s")
  void hostileTextIsRefusedUpFrontOrRoundTrips(FuzzedDataProvider data) throws Exception {
    PageFormat format = data.pickValue(PageFormat.values());
    Compression compression = data.pickValue(Compression.values());
    String writerId = hostile(data, 40);
    Map<String, String> tags = attributes(data);
    List<String> texts = new ArrayList<>(List.of(writerId));
    tags.forEach((k, v) -> texts.addAll(List.of(k, v)));

    PageSpec spec;
    List<Event> events = new ArrayList<>();
    try {
      spec = new PageSpec(writerId, data.consumeLong(), tags);
      int count = data.consumeInt(1, 4);
      for (int i = 0; i < count; i++) {
        String id = hostile(data, 40);
        Map<String, String> attributes = attributes(data);
        texts.add(id);
        attributes.forEach((k, v) -> texts.addAll(List.of(k, v)));
        events.add(new Event(id, data.consumeLong(), data.consumeBytes(64), attributes));
      }
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).contains("is not valid Unicode: unpaired surrogate");
      assertThat(texts).anyMatch(t -> !isWellFormed(t));
      return;
    }
    assertThat(texts).allMatch(PageRoundTripFuzzTest::isWellFormed);

    byte[] stored = TestPages.encodeWith(format, compression, spec, events);
    Page page = READER.read(new ByteArrayInputStream(stored), TestPages.key(format, compression));
    assertThat(page.events()).isEqualTo(events);
    assertThat(page.metadata().writerId()).isEqualTo(writerId);
    assertThat(page.metadata().tags()).isEqualTo(spec.tags());

    for (int i = 0; i < events.size(); i++) {
      assertEventLineIsStandardJson(events.get(i), i);
    }
  }

  private static void assertEventLineIsStandardJson(Event event, long sequence) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator gen = JSON.getFactory().createGenerator(out)) {
      NdjsonLines.writeEventLine(gen, event, sequence);
    }
    String line = out.toString(StandardCharsets.UTF_8);
    assertThat(line.indexOf('\n'))
        .as("one line, ending in its only newline")
        .isEqualTo(line.length() - 1);
    JsonNode node = JSON.readTree(line);
    assertThat(node.get("event_id").textValue()).isEqualTo(event.eventId());
    assertThat(node.get("timestamp").longValue()).isEqualTo(event.timestampMillis());
    assertThat(Base64.getDecoder().decode(node.get("payload").textValue()))
        .isEqualTo(event.payload());
    assertThat(JSON.convertValue(node.get("attributes"), Map.class)).isEqualTo(event.attributes());
    assertThat(node.get("sequence").longValue()).isEqualTo(sequence);
  }

  private static Map<String, String> attributes(FuzzedDataProvider data) {
    Map<String, String> map = new LinkedHashMap<>();
    int n = data.consumeInt(0, 3);
    for (int i = 0; i < n; i++) {
      map.put(hostile(data, 16), hostile(data, 24));
    }
    return map;
  }

  /** A fuzzer string, sometimes with a rare character spliced in. */
  private static String hostile(FuzzedDataProvider data, int maxLength) {
    String s = data.consumeString(maxLength);
    if (data.consumeBoolean()) {
      int at = data.consumeInt(0, s.length());
      s = s.substring(0, at) + data.pickValue(NASTY) + s.substring(at);
    }
    return s;
  }

  private static boolean isWellFormed(String s) {
    return StandardCharsets.UTF_8.newEncoder().canEncode(s);
  }
}
