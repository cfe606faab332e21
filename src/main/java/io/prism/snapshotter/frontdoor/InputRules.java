package io.prism.snapshotter.frontdoor;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The input rules of one event. A breach is an {@code INVALID_ARGUMENT} whose description starts
 * with the field's path (for example {@code events[2].attributes["k"]}), so a client knows what to
 * fix. Invalid UTF-8 never reaches here: the protobuf parser refuses it first, and {@link
 * MalformedRequestInterceptor} names the field.
 */
final class InputRules {
  private final PublishLimits limits;
  private final HeaderNames headers;

  InputRules(PublishLimits limits) {
    this(limits, HeaderNames.DEFAULTS);
  }

  InputRules(PublishLimits limits, HeaderNames headers) {
    this.limits = limits;
    this.headers = headers;
  }

  HeaderNames headers() {
    return headers;
  }

  PublishLimits limits() {
    return limits;
  }

  /** Checks one event; {@code path} prefixes field names ("" for a lone event). */
  void check(PublishRequest event, String path) {
    String writer = event.getTopic();
    if (writer.isEmpty()) {
      throw invalid(path + "topic", "the writer id is empty");
    }
    int writerBytes = utf8Length(writer);
    if (writerBytes > limits.maxWriterIdBytes()) {
      throw invalid(
          path + "topic",
          "the writer id is "
              + writerBytes
              + " bytes, over the limit of "
              + limits.maxWriterIdBytes());
    }
    int payloadBytes = event.getPayload().size();
    if (payloadBytes > limits.maxPayloadBytes()) {
      throw invalid(
          path + "payload",
          "the payload is "
              + payloadBytes
              + " bytes, over the limit of "
              + limits.maxPayloadBytes());
    }
    int attributeCount = event.getAttributesCount();
    if (attributeCount > limits.maxAttributes()) {
      throw invalid(
          path + "attributes",
          attributeCount + " attributes, over the limit of " + limits.maxAttributes());
    }
    for (Map.Entry<String, String> attribute : event.getAttributesMap().entrySet()) {
      checkAttribute(attribute.getKey(), attribute.getValue(), path);
    }
  }

  private void checkAttribute(String key, String value, String path) {
    String field = path + "attributes[\"" + key + "\"]";
    if (key.isEmpty()) {
      throw invalid(path + "attributes", "an attribute name is empty");
    }
    int keyBytes = utf8Length(key);
    if (keyBytes > limits.maxAttributeKeyBytes()) {
      throw invalid(
          path + "attributes",
          "an attribute name is "
              + keyBytes
              + " bytes, over the limit of "
              + limits.maxAttributeKeyBytes());
    }
    if (!headers.clientMaySet(key)) {
      throw invalid(
          field,
          "names starting with \""
              + FrontDoorHeaders.RESERVED_PREFIX
              + "\" are reserved, and so is the session header \""
              + headers.session()
              + "\" (of the project headers only \""
              + headers.eventId()
              + "\" may be set)");
    }
    int valueBytes = utf8Length(value);
    if (valueBytes > limits.maxAttributeValueBytes()) {
      throw invalid(
          field,
          "the value is "
              + valueBytes
              + " bytes, over the limit of "
              + limits.maxAttributeValueBytes());
    }
    if (key.equals(headers.eventId()) && value.isEmpty()) {
      throw invalid(field, "an event id must not be empty");
    }
  }

  /** A whole batch: its size, then every event with its index in the path. */
  void checkBatch(List<PublishRequest> events) {
    if (events.isEmpty()) {
      throw invalid("events", "the batch is empty");
    }
    if (events.size() > limits.maxBatchEvents()) {
      throw invalid(
          "events", events.size() + " events, over the limit of " + limits.maxBatchEvents());
    }
    for (int i = 0; i < events.size(); i++) {
      check(events.get(i), "events[" + i + "].");
    }
  }

  static StatusRuntimeException invalid(String field, String reason) {
    return Status.INVALID_ARGUMENT.withDescription(field + ": " + reason).asRuntimeException();
  }

  private static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
