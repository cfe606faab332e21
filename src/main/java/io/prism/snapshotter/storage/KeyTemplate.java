package io.prism.snapshotter.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;

/**
 * The RFC's {@code key_template}: text with {@code {placeholder}}s (see {@link KeyPlaceholder})
 * that gives each page its object key, e.g. the default {@value #DEFAULT}.
 *
 * <p>{@link #parse} refuses, with a {@link ConfigException} naming the problem: an unknown
 * placeholder, an unclosed or stray brace, a template without {@code {writer_id}} (pages of
 * different writers would share keys), a template with neither {@code {sequence}} nor {@code
 * {start_offset}} (two pages of one writer would share a key), and literal text that cannot form a
 * valid key (see {@link ObjectKeys}).
 */
public final class KeyTemplate {

  public static final String DEFAULT =
      "snapshots/{year}/{month}/{day}/{writer_id}/{timestamp}_{topic}-{partition}-{start_offset}{ext}";

  /**
   * Characters an encoded writer id can contain; a literal starting with anything else ends the id.
   */
  private static final String ENCODED_ID_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-%~";

  private final String template;
  private final List<Part> parts;

  private KeyTemplate(String template, List<Part> parts) {
    this.template = template;
    this.parts = List.copyOf(parts);
  }

  /** One piece of a template: literal text or a placeholder (exactly one of the two is set). */
  private record Part(String literal, KeyPlaceholder placeholder) {}

  /**
   * Parses and checks a template.
   *
   * @throws ConfigException naming the unknown placeholder, the unclosed brace, or the missing
   *     placeholder
   */
  public static KeyTemplate parse(String template) {
    if (template == null || template.isBlank()) {
      throw new ConfigException("key template must not be empty");
    }
    List<Part> parts = tokenize(template);
    List<KeyPlaceholder> used =
        parts.stream().map(Part::placeholder).filter(p -> p != null).toList();
    if (!used.contains(KeyPlaceholder.WRITER_ID)) {
      throw new ConfigException(
          "key template '"
              + template
              + "' has no {writer_id}: pages of different "
              + "writers could get the same key");
    }
    if (!used.contains(KeyPlaceholder.SEQUENCE) && !used.contains(KeyPlaceholder.START_OFFSET)) {
      throw new ConfigException(
          "key template '"
              + template
              + "' has neither {sequence} nor {start_offset}: "
              + "two pages of one writer could get the same key");
    }
    KeyTemplate parsed = new KeyTemplate(template, parts);
    parsed.checkLiteralsFormValidKeys();
    return parsed;
  }

  /**
   * The literal text before the first placeholder: every page key starts with it ({@code
   * "snapshots/"} for the default template; empty when the template starts with a placeholder).
   */
  public String literalPrefix() {
    Part first = parts.get(0);
    return first.literal != null ? first.literal : "";
  }

  /**
   * The key of the page described by {@code context}.
   *
   * @throws IllegalArgumentException the rendered key breaks a key rule (e.g. a segment longer than
   *     255 bytes because of a long format name)
   */
  public String render(KeyContext context) {
    List<String> values = new ArrayList<>(parts.size());
    for (Part part : parts) {
      values.add(part.literal != null ? part.literal : part.placeholder.render(context));
    }
    String key = String.join("", values);
    String problem = ObjectKeys.problem(key);
    if (problem != null) {
      throw new IllegalArgumentException(
          "invalid object key '"
              + ObjectKeys.printable(key)
              + "': "
              + explainLength(key, values).orElse(problem));
    }
    return key;
  }

  /**
   * The problem of a key rendered for the shortest writer id, with the {@code topic} and the
   * longest partition, offset and a present-day time: a key too long even then fails for every
   * writer of that topic, so it is a configuration error rather than a bad record.
   *
   * @return the problem, naming the length, the limit and the placeholders; empty when it fits
   */
  public Optional<String> problemForEveryWriter(
      String topic,
      String formatName,
      String extension,
      String compressionName,
      StorageBackend backend) {
    KeyContext shortest =
        new KeyContext(
            "",
            1_700_000_000_000L,
            Long.MAX_VALUE,
            topic,
            Integer.MAX_VALUE,
            Long.MAX_VALUE,
            formatName,
            extension,
            compressionName);
    try {
      String key = render(shortest);
      return Optional.ofNullable(backend.keyProblem(key))
          .map(problem -> "invalid object key '" + ObjectKeys.printable(key) + "': " + problem);
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * For a key over a length limit: its length, the limit and why there is one, and the placeholders
   * that made it long (with their lengths), since the key alone does not say which values came from
   * where.
   */
  private Optional<String> explainLength(String key, List<String> values) {
    int keyBytes = ObjectKeys.utf8(key).length;
    if (keyBytes > ObjectKeys.MAX_KEY_BYTES) {
      return Optional.of(
          "the key is "
              + keyBytes
              + " UTF-8 bytes, over the "
              + ObjectKeys.MAX_KEY_BYTES
              + " a key may have (S3's limit; Azure's is 1,024 characters; every backend keeps to"
              + " it); the placeholders in it: "
              + lengths(0, parts.size(), values));
    }
    // Placeholders never render a '/' (ids and topics are encoded): segments break in literals.
    int segmentStart = 0;
    int segmentBytes = 0;
    for (int i = 0; i < parts.size(); i++) {
      String value = values.get(i);
      int slash = parts.get(i).literal != null ? value.lastIndexOf('/') : -1;
      if (slash >= 0) {
        String before = value.substring(0, value.indexOf('/'));
        if (segmentBytes + ObjectKeys.utf8(before).length > ObjectKeys.MAX_SEGMENT_BYTES) {
          return Optional.of(
              segmentTooLong(
                  segmentStart, i + 1, segmentBytes + ObjectKeys.utf8(before).length, values));
        }
        segmentStart = i;
        segmentBytes = ObjectKeys.utf8(value.substring(slash + 1)).length;
      } else {
        segmentBytes += ObjectKeys.utf8(value).length;
      }
    }
    if (segmentBytes > ObjectKeys.MAX_SEGMENT_BYTES) {
      return Optional.of(segmentTooLong(segmentStart, parts.size(), segmentBytes, values));
    }
    return Optional.empty();
  }

  private String segmentTooLong(int from, int to, int bytes, List<String> values) {
    return "a key segment is "
        + bytes
        + " UTF-8 bytes, over the "
        + ObjectKeys.MAX_SEGMENT_BYTES
        + " a segment may have (a file name's limit on the filesystem backend; every backend keeps"
        + " to it); the placeholders in it: "
        + lengths(from, to, values);
  }

  private String lengths(int from, int to, List<String> values) {
    List<String> lengths = new ArrayList<>();
    for (int i = from; i < to; i++) {
      KeyPlaceholder placeholder = parts.get(i).placeholder;
      if (placeholder != null) {
        lengths.add(
            "{" + placeholder.placeholderName() + "} " + ObjectKeys.utf8(values.get(i)).length);
      }
    }
    return String.join(", ", lengths) + " bytes";
  }

  /**
   * The literal key prefix under which all of one writer's pages lie, for listing a writer without
   * an index. Present only when everything before the first {@code {writer_id}} is literal text and
   * the text right after it starts with a character an encoded id never contains (such as {@code
   * /}), so that writer {@code a}'s prefix never also matches writer {@code ab}. Example: {@code
   * "{writer_id}/{date}/{sequence}.ndjson"} gives {@code "user-1/"} for {@code user-1}; the default
   * template gives empty (the date comes first).
   */
  public Optional<String> writerPrefix(String writerId) {
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < parts.size(); i++) {
      Part part = parts.get(i);
      if (part.literal != null) {
        prefix.append(part.literal);
      } else if (part.placeholder != KeyPlaceholder.WRITER_ID) {
        return Optional.empty();
      } else {
        prefix.append(WriterIds.encode(writerId));
        Part next = i + 1 < parts.size() ? parts.get(i + 1) : null;
        if (next == null
            || next.literal == null
            || ENCODED_ID_CHARS.indexOf(next.literal.charAt(0)) >= 0) {
          return Optional.empty();
        }
        return Optional.of(prefix.append(next.literal).toString());
      }
    }
    return Optional.empty();
  }

  /**
   * The index of the key segment (the text between two {@code /}) that is the writer's encoded id
   * and nothing else, when the template has one: 4 for the default template ({@code
   * snapshots/{year}/{month}/{day}/{writer_id}/...}). No placeholder renders a {@code /}, so every
   * key the template renders has its segments where the template has them. Empty when {@code
   * {writer_id}} shares its segment with other text (e.g. {@code {writer_id}-{date}}).
   */
  public OptionalInt writerSegment() {
    int segment = 0;
    for (int i = 0; i < parts.size(); i++) {
      Part part = parts.get(i);
      if (part.literal != null) {
        segment += (int) part.literal.chars().filter(c -> c == '/').count();
      } else if (part.placeholder == KeyPlaceholder.WRITER_ID) {
        Part before = i > 0 ? parts.get(i - 1) : null;
        Part after = i + 1 < parts.size() ? parts.get(i + 1) : null;
        boolean startsSegment = before == null || endsWithSlash(before.literal);
        boolean endsSegment =
            after == null || (after.literal != null && after.literal.startsWith("/"));
        if (startsSegment && endsSegment) {
          return OptionalInt.of(segment);
        }
      }
    }
    return OptionalInt.empty();
  }

  private static boolean endsWithSlash(String literal) {
    return literal != null && literal.endsWith("/");
  }

  /** The placeholders this template uses, in order of appearance (with repeats). */
  public List<KeyPlaceholder> placeholders() {
    return parts.stream().map(Part::placeholder).filter(p -> p != null).toList();
  }

  public String template() {
    return template;
  }

  @Override
  public String toString() {
    return template;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyTemplate other && other.template.equals(template);
  }

  @Override
  public int hashCode() {
    return template.hashCode();
  }

  private static List<Part> tokenize(String template) {
    List<Part> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c == '}') {
        throw new ConfigException(
            "key template '" + template + "' has a '}' without '{' at position " + i);
      }
      if (c != '{') {
        literal.append(c);
        i++;
        continue;
      }
      int close = template.indexOf('}', i + 1);
      int nextOpen = template.indexOf('{', i + 1);
      if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
        throw new ConfigException(
            "key template '" + template + "' has an unclosed '{' at position " + i);
      }
      String name = template.substring(i + 1, close);
      KeyPlaceholder placeholder =
          KeyPlaceholder.byName(name)
              .orElseThrow(
                  () ->
                      new ConfigException(
                          "key template '"
                              + template
                              + "' has an unknown placeholder {"
                              + name
                              + "}; known: "
                              + Arrays.stream(KeyPlaceholder.values())
                                  .map(p -> "{" + p.placeholderName() + "}")
                                  .collect(Collectors.joining(" "))));
      if (literal.length() > 0) {
        parts.add(new Part(literal.toString(), null));
        literal.setLength(0);
      }
      parts.add(new Part(null, placeholder));
      i = close + 1;
    }
    if (literal.length() > 0) {
      parts.add(new Part(literal.toString(), null));
    }
    return parts;
  }

  /**
   * Renders a typical page's key so literal mistakes ("//", a leading "/", "..") fail at config
   * time.
   */
  private void checkLiteralsFormValidKeys() {
    KeyContext sample =
        new KeyContext("writer", 1_700_000_000_000L, 1, "topic", 0, 0, "protobuf", ".pb", "none");
    StringBuilder key = new StringBuilder();
    for (Part part : parts) {
      key.append(part.literal != null ? part.literal : part.placeholder.render(sample));
    }
    String problem = ObjectKeys.problem(key.toString());
    if (problem != null) {
      throw new ConfigException(
          "key template '"
              + template
              + "' cannot form a valid object key (e.g. '"
              + key
              + "'): "
              + problem);
    }
  }
}
