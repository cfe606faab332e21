package io.prism.snapshotter.index;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * An index entry as one JSON object with snake_case field names ({@code page_key}, {@code
 * writer_id}, {@code start_time}, ...): the Redis value and the CLI's JSON output.
 */
public final class IndexEntryJson {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private IndexEntryJson() {}

  public static String write(IndexEntry entry) {
    try {
      return MAPPER.writeValueAsString(entry);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "cannot write index entry " + entry.pageKey() + " as JSON", e);
    }
  }

  public static IndexEntry read(String json) {
    try {
      return MAPPER.readValue(json, IndexEntry.class);
    } catch (JsonProcessingException e) {
      throw new IndexException("not an index entry: " + e.getOriginalMessage());
    }
  }
}
