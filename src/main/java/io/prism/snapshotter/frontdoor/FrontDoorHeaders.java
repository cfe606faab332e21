package io.prism.snapshotter.frontdoor;

/**
 * The Kafka record headers the front door writes besides the client's attributes. The sink reads
 * the same names; every name under {@link #RESERVED_PREFIX} belongs to the project, so a client may
 * not set one, except {@link #EVENT_ID} (its own idempotency key, see pubsub_basic.proto).
 */
public final class FrontDoorHeaders {
  /** Names starting with this are the project's own. */
  public static final String RESERVED_PREFIX = "prism.";

  /** The event id: the client's own, or a random UUID the front door chose. */
  public static final String EVENT_ID = "prism.event_id";

  /** When the front door accepted the event, ms since the epoch, as decimal text. */
  public static final String PUBLISH_TIME = "prism.publish_time";

  /** Present, with the value {@link #SESSION_END}, only on a session-end control record. */
  public static final String SESSION = "prism.session";

  /** The value of {@link #SESSION} that ends a writer's session. */
  public static final String SESSION_END = "end";

  private FrontDoorHeaders() {}

  /** Whether a client may send this attribute name. */
  static boolean clientMaySet(String name) {
    return !name.startsWith(RESERVED_PREFIX) || name.equals(EVENT_ID);
  }
}
