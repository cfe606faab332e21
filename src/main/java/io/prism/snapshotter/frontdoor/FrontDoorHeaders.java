package io.prism.snapshotter.frontdoor;

import io.prism.snapshotter.config.WriterConfig;

/**
 * The Kafka record headers the front door writes besides the client's attributes, by their default
 * names. The event id and session headers can be renamed, as in the connector ({@link
 * WriterConfig#EVENT_ID_HEADER}, {@link WriterConfig#SESSION_HEADER}); {@link HeaderNames} holds
 * the names in use. Every name under {@link #RESERVED_PREFIX} belongs to the project, so a client
 * may not set one, except the event id header (its own idempotency key, see pubsub_basic.proto).
 */
public final class FrontDoorHeaders {
  /** Names starting with this are the project's own. */
  public static final String RESERVED_PREFIX = "prism.";

  /**
   * The event id: the client's own, or a random UUID the front door chose. Default name of {@link
   * WriterConfig#EVENT_ID_HEADER}.
   */
  public static final String EVENT_ID = WriterConfig.EVENT_ID_HEADER_DEFAULT;

  /** When the front door accepted the event, ms since the epoch, as decimal text. */
  public static final String PUBLISH_TIME = "prism.publish_time";

  /**
   * Present, with the value {@link #SESSION_END}, only on a session-end control record. Default
   * name of {@link WriterConfig#SESSION_HEADER}.
   */
  public static final String SESSION = WriterConfig.SESSION_HEADER_DEFAULT;

  /** The value of {@link #SESSION} that ends a writer's session. */
  public static final String SESSION_END = "end";

  private FrontDoorHeaders() {}
}
