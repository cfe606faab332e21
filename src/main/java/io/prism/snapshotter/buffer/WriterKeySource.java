package io.prism.snapshotter.buffer;

import java.util.List;

/**
 * Where a record's writer id comes from ({@code writer.key.source}): the record key, a header, a
 * field of the value (a dotted path into a Struct or Map), or the record's topic.
 */
public record WriterKeySource(Kind kind, String name, List<String> path) {
  public enum Kind {
    KEY,
    HEADER,
    FIELD,
    TOPIC
  }

  public WriterKeySource {
    path = List.copyOf(path);
  }

  /**
   * Parses {@code key}, {@code topic}, {@code header:<name>} or {@code field:<a.b.c>}. Throws
   * IllegalArgumentException with the reason.
   */
  public static WriterKeySource parse(String spec) {
    String value = spec == null ? "" : spec.trim();
    if (value.equals("key")) {
      return new WriterKeySource(Kind.KEY, "", List.of());
    }
    if (value.equals("topic")) {
      return new WriterKeySource(Kind.TOPIC, "", List.of());
    }
    if (value.startsWith("header:")) {
      String header = value.substring("header:".length());
      if (header.isEmpty()) {
        throw new IllegalArgumentException("header: needs a header name, e.g. header:user-id");
      }
      return new WriterKeySource(Kind.HEADER, header, List.of());
    }
    if (value.startsWith("field:")) {
      String field = value.substring("field:".length());
      List<String> path = List.of(field.split("\\.", -1));
      if (field.isEmpty() || path.stream().anyMatch(String::isEmpty)) {
        throw new IllegalArgumentException(
            "field: needs a dotted path of non-empty names, e.g. field:user.id");
      }
      return new WriterKeySource(Kind.FIELD, field, path);
    }
    throw new IllegalArgumentException("must be key, topic, header:<name> or field:<path>");
  }

  @Override
  public String toString() {
    return switch (kind) {
      case KEY -> "key";
      case TOPIC -> "topic";
      case HEADER -> "header:" + name;
      case FIELD -> "field:" + name;
    };
  }
}
