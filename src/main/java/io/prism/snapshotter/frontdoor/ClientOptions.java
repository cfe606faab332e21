package io.prism.snapshotter.frontdoor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code bin/snapshotter publish} needs to reach a front door and what to publish.
 *
 * @param target host:port of the front door
 * @param writerId the writer id (PublishRequest.topic) of every event
 * @param attributes attributes added to every event
 * @param session publish all events in one PublishSession (its end is the writer's session end)
 * @param trustedCa PEM CA that signs the server certificate; set to use TLS
 * @param clientCertificate PEM client certificate for mutual TLS (with {@code clientKey})
 * @param clientKey PEM PKCS#8 key of the client certificate
 * @param tokenFile file whose first line is the bearer token to send
 * @param deadline deadline of each call (of the whole call for a session)
 * @param eventIdHeader the front door's event id header ({@code writer.event.id.header}), which
 *     {@code attributes} must not set
 */
public record ClientOptions(
    String target,
    String writerId,
    Map<String, String> attributes,
    boolean session,
    Optional<Path> trustedCa,
    Optional<Path> clientCertificate,
    Optional<Path> clientKey,
    Optional<Path> tokenFile,
    Duration deadline,
    String eventIdHeader) {

  /** With the default event id header. */
  public ClientOptions(
      String target,
      String writerId,
      Map<String, String> attributes,
      boolean session,
      Optional<Path> trustedCa,
      Optional<Path> clientCertificate,
      Optional<Path> clientKey,
      Optional<Path> tokenFile,
      Duration deadline) {
    this(
        target,
        writerId,
        attributes,
        session,
        trustedCa,
        clientCertificate,
        clientKey,
        tokenFile,
        deadline,
        FrontDoorHeaders.EVENT_ID);
  }

  public ClientOptions {
    attributes = Map.copyOf(attributes);
    if (attributes.containsKey(eventIdHeader)) {
      // Every line would carry the same id, and replay keeps one event per id.
      throw new IllegalArgumentException(
          eventIdHeader
              + " would be every event's id, and replay keeps only the first event of an id; the"
              + " front door gives each event an id of its own");
    }
    if (clientCertificate.isPresent() != clientKey.isPresent()) {
      throw new IllegalArgumentException("a client certificate and its key go together");
    }
    if (clientCertificate.isPresent() && trustedCa.isEmpty()) {
      throw new IllegalArgumentException("mutual TLS needs the CA of the server certificate too");
    }
  }
}
