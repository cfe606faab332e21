package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.prism.snapshotter.proto.pubsub.BatchPublishRequest;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Coverage-guided fuzzing of the front door's request validation (docs/FUZZING.md), without a
 * server: the raw bytes of a {@code Publish} or {@code BatchPublish} request go through the same
 * steps as in {@link MalformedRequestInterceptor} and {@link PublishService}. Bytes the protobuf
 * parser refuses must not break {@link InvalidUtf8Finder}, and invalid UTF-8 must be located in a
 * string field; a parsed request is either admitted, and then within every limit, or refused by
 * {@link InputRules} with {@code INVALID_ARGUMENT} whose description starts with the field's path.
 *
 * <p>The first input byte selects the message (bit 0) and the limits (bit 1: tiny ones, so the
 * fuzzer reaches each limit); the rest is the request as sent on the wire.
 */
class PublishRequestValidationFuzzTest {
  private static final PublishLimits TINY = new PublishLimits(8, 16, 2, 6, 10, 3);
  private static final Pattern REFUSAL =
      Pattern.compile(
          "(events|(events\\[\\d+]\\.)?(topic|payload|attributes|attributes\\[\".*\"])): \\S.*",
          Pattern.DOTALL);
  private static final Pattern STRING_FIELD =
      Pattern.compile("(events\\[\\d+]\\.)?(topic|attributes\\[\\d+]\\.(key|value))");

  @FuzzTest(maxDuration = "25s")
  void requestsAreAdmittedWithinLimitsOrRefusedNamingTheField(byte[] input) {
    if (input.length == 0) {
      return;
    }
    boolean batch = (input[0] & 1) != 0;
    PublishLimits limits = (input[0] & 2) != 0 ? TINY : PublishLimits.DEFAULTS;
    ByteString wire = ByteString.copyFrom(input, 1, input.length - 1);
    Descriptor type = batch ? BatchPublishRequest.getDescriptor() : PublishRequest.getDescriptor();

    List<PublishRequest> events;
    try {
      events =
          batch
              ? BatchPublishRequest.parseFrom(wire).getEventsList()
              : List.of(PublishRequest.parseFrom(wire));
    } catch (InvalidProtocolBufferException malformed) {
      Optional<String> field = InvalidUtf8Finder.find(type, wire);
      field.ifPresent(path -> assertThat(path).matches(STRING_FIELD));
      if (malformed.getMessage().contains("UTF-8")) {
        assertThat(field).as("the field holding the invalid UTF-8").isPresent();
      }
      return;
    }

    InputRules rules = new InputRules(limits);
    try {
      if (batch) {
        rules.checkBatch(events);
      } else {
        rules.check(events.get(0), "");
      }
    } catch (StatusRuntimeException refused) {
      assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(refused.getStatus().getDescription()).matches(REFUSAL);
      return;
    }
    assertThat(events).isNotEmpty().hasSizeLessThanOrEqualTo(limits.maxBatchEvents());
    events.forEach(event -> assertWithinLimits(event, limits));
  }

  private static void assertWithinLimits(PublishRequest event, PublishLimits limits) {
    assertThat(event.getTopic()).isNotEmpty();
    assertThat(utf8Length(event.getTopic())).isLessThanOrEqualTo(limits.maxWriterIdBytes());
    assertThat(event.getPayload().size()).isLessThanOrEqualTo(limits.maxPayloadBytes());
    assertThat(event.getAttributesCount()).isLessThanOrEqualTo(limits.maxAttributes());
    for (Map.Entry<String, String> attribute : event.getAttributesMap().entrySet()) {
      assertThat(attribute.getKey()).isNotEmpty();
      assertThat(utf8Length(attribute.getKey())).isLessThanOrEqualTo(limits.maxAttributeKeyBytes());
      assertThat(utf8Length(attribute.getValue()))
          .isLessThanOrEqualTo(limits.maxAttributeValueBytes());
      assertThat(HeaderNames.DEFAULTS.clientMaySet(attribute.getKey())).isTrue();
    }
  }

  private static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
