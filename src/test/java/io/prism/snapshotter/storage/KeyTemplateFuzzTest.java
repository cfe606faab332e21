package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/**
 * Coverage-guided fuzzing of the key renderer (docs/FUZZING.md). For any template that parses and
 * any two writer ids, however hostile ({@code ../}, {@code %2F}, {@code ~}, NUL, unpaired
 * surrogates, thousands of characters):
 *
 * <ul>
 *   <li>the writer id adds or removes no key segment, and no segment is {@code .} or {@code ..};
 *   <li>two different writers never get the same key, and one writer's key never lies under the
 *       other's {@link KeyTemplate#writerPrefix};
 *   <li>{@link WriterIds#encode} stays within its alphabet and length, and {@link WriterIds#decode}
 *       reverses it (plain forms) and accepts nothing else.
 * </ul>
 *
 * A template that does not parse must be refused with a {@link ConfigException} naming it.
 */
class KeyTemplateFuzzTest {
  private static final List<String> TEMPLATES =
      List.of(
          KeyTemplate.DEFAULT,
          "{writer_id}/{sequence}{ext}",
          "pages/{writer_id}/{date}/{start_offset}{ext}",
          "{topic}/{partition}/{writer_id}-{sequence}.{format}",
          "t/{year}{month}{day}{hour}{minute}/{writer_id}_{start_offset}_{compression}{ext}",
          "{writer_id}.{topic}.{sequence}");
  private static final Pattern ENCODED = Pattern.compile("[A-Za-z0-9_.%~-]+");
  private static final int MAX_HASHED_LENGTH = 1 + WriterIds.READABLE_PREFIX_LENGTH + 1 + 64;
  private static final String[] NASTY = {
    "/",
    "\\",
    "..",
    "../",
    "%",
    "%2F",
    "%2E",
    "~",
    ".prism-",
    "\u0000",
    "\n",
    "\uD800",
    "\uDC00",
    "\uD83C\uDF89",
    "é",
    "{",
    "}"
  };

  @FuzzTest(maxDuration = "25s")
  void writerIdsStayInTheirOwnSegmentAndNeverCollide(FuzzedDataProvider data) {
    Optional<KeyTemplate> chosen = template(data);
    if (chosen.isEmpty()) {
      return;
    }
    KeyTemplate template = chosen.get();
    String a = hostile(data, 300);
    String b = hostile(data, 300);
    String topic = data.consumeBoolean() ? "events.v1" : hostile(data, 40);
    long startTime = data.consumeLong();
    long sequence = data.consumeLong(0, Long.MAX_VALUE);
    int partition = data.consumeInt(0, Integer.MAX_VALUE);
    long offset = data.consumeLong(0, Long.MAX_VALUE);

    assertEncodingIsSafe(a);
    assertEncodingIsSafe(b);
    assertDecodesOnlyCanonicalForms(hostile(data, 80));

    String reference =
        render(
            template,
            new KeyContext(
                "w", startTime, sequence, "t", partition, offset, "protobuf", ".pb", "none"));
    String keyA =
        render(
            template,
            new KeyContext(
                a, startTime, sequence, topic, partition, offset, "protobuf", ".pb", "none"));
    String keyB =
        render(
            template,
            new KeyContext(
                b, startTime, sequence, topic, partition, offset, "protobuf", ".pb", "none"));
    if (reference == null || keyA == null || keyB == null) {
      return; // too long a key for the store, refused with a clear message (checked in render)
    }
    assertThat(keyA.split("/", -1))
        .as("segments of %s", keyA)
        .hasSameSizeAs(reference.split("/", -1));
    assertThat(keyA.split("/", -1)).doesNotContain(".", "..");
    if (!a.equals(b)) {
      assertThat(keyA).as("keys of writers '%s' and '%s'", a, b).isNotEqualTo(keyB);
    }
    Optional<String> prefixA = template.writerPrefix(a);
    if (prefixA.isPresent()) {
      assertThat(keyA).startsWith(prefixA.get());
      if (!a.equals(b)) {
        assertThat(keyB)
            .as("writer '%s' under writer '%s''s prefix", b, a)
            .doesNotStartWith(prefixA.get());
      }
    }
  }

  /** A listed template, or a fuzzer-written one; empty when that one is (rightly) refused. */
  private static Optional<KeyTemplate> template(FuzzedDataProvider data) {
    if (data.consumeBoolean()) {
      return Optional.of(KeyTemplate.parse(data.pickValue(TEMPLATES)));
    }
    String text = data.consumeString(120);
    try {
      return Optional.of(KeyTemplate.parse(text));
    } catch (ConfigException refused) {
      assertThat(refused.getMessage()).startsWith("key template");
      return Optional.empty();
    }
  }

  /**
   * The key, or null when it breaks the store's length limits (the only refusal a writer id may
   * cause).
   */
  private static String render(KeyTemplate template, KeyContext context) {
    try {
      return template.render(context);
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage())
          .startsWith("invalid object key")
          .containsAnyOf("UTF-8 bytes, over the", "longer than");
      return null;
    }
  }

  private static void assertEncodingIsSafe(String id) {
    String encoded = WriterIds.encode(id);
    assertThat(encoded).matches(ENCODED).doesNotStartWith(".");
    if (WriterIds.isHashed(encoded)) {
      assertThat(encoded.length()).isLessThanOrEqualTo(MAX_HASHED_LENGTH);
    } else {
      assertThat(encoded.length()).isLessThanOrEqualTo(WriterIds.MAX_ENCODED_LENGTH);
      assertThat(WriterIds.decode(encoded)).isEqualTo(id);
    }
  }

  private static void assertDecodesOnlyCanonicalForms(String segment) {
    String id;
    try {
      id = WriterIds.decode(segment);
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).isNotBlank();
      return;
    }
    assertThat(WriterIds.encode(id)).isEqualTo(segment);
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
}
