package io.prism.snapshotter.page;

import java.util.List;
import java.util.Objects;

/** A decoded page: its metadata and its events in sequence order. */
public record Page(PageMetadata metadata, List<Event> events) {
  public Page {
    Objects.requireNonNull(metadata, "metadata");
    events = List.copyOf(events);
  }
}
