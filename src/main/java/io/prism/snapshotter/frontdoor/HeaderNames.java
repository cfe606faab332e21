package io.prism.snapshotter.frontdoor;

import io.prism.snapshotter.config.WriterConfig;

/**
 * The names of the two headers the connector acts on, as this front door writes them: they must
 * match the connector's {@link WriterConfig#EVENT_ID_HEADER} and {@link
 * WriterConfig#SESSION_HEADER}, or its session ends and event ids go unnoticed.
 *
 * @param eventId the header of the event id; the one project header a client may set
 * @param session the header that marks a session-end control record
 */
record HeaderNames(String eventId, String session) {
  static final HeaderNames DEFAULTS =
      new HeaderNames(FrontDoorHeaders.EVENT_ID, FrontDoorHeaders.SESSION);

  HeaderNames {
    if (eventId.isEmpty() || session.isEmpty()) {
      throw new IllegalArgumentException("a header name is empty");
    }
    if (eventId.equals(session)) {
      throw new IllegalArgumentException(
          "the event id and session headers are both named \"" + eventId + "\"");
    }
  }

  /**
   * Whether a client may send this attribute name: the event id header, and any name that is
   * neither the project's ({@value FrontDoorHeaders#RESERVED_PREFIX}...) nor the session header (a
   * client setting that would end its writer's session with every event).
   */
  boolean clientMaySet(String name) {
    if (name.equals(eventId)) {
      return true;
    }
    return !name.startsWith(FrontDoorHeaders.RESERVED_PREFIX)
        && !name.equals(session)
        && !name.equals(FrontDoorHeaders.PUBLISH_TIME);
  }
}
