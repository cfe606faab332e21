package io.prism.snapshotter.replay;

import io.prism.snapshotter.page.Event;

/**
 * One event as replay hands it out.
 *
 * @param sequence the event's position in its page, from 0 (the RFC's {@code Event.sequence})
 * @param page the page it came from
 */
public record ReplayedEvent(Event event, long sequence, PageRef page) {}
