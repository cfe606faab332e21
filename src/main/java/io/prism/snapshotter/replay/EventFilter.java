package io.prism.snapshotter.replay;

import io.prism.snapshotter.page.Event;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which events replay hands out: those in the time range whose attributes hold every required
 * {@code name=value} pair (all of them must match; an empty list matches everything).
 */
public record EventFilter(TimeRange range, List<Map.Entry<String, String>> requiredAttributes) {

  public static final EventFilter ALL = new EventFilter(TimeRange.ALL, List.of());

  public EventFilter {
    Objects.requireNonNull(range, "range");
    requiredAttributes = List.copyOf(requiredAttributes);
  }

  public boolean accepts(Event event) {
    if (!range.contains(event.timestampMillis())) {
      return false;
    }
    Map<String, String> attributes = event.attributes();
    for (Map.Entry<String, String> required : requiredAttributes) {
      if (!required.getValue().equals(attributes.get(required.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
