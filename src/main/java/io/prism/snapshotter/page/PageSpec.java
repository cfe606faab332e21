package io.prism.snapshotter.page;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the caller decides about a page; the encoder derives the rest of the metadata (times,
 * counts, sizes) from the events.
 *
 * @param pageSequence the sink uses the page's first Kafka offset
 * @param tags user-defined tags, never null
 */
public record PageSpec(String writerId, long pageSequence, Map<String, String> tags) {
  public PageSpec {
    WellFormedText.check(Objects.requireNonNull(writerId, "writerId"), "writerId");
    tags =
        tags == null || tags.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    tags.forEach(
        (k, v) -> {
          WellFormedText.check(k, "tag key");
          WellFormedText.check(Objects.requireNonNull(v, "tag value"), "value of tag " + k);
        });
  }
}
