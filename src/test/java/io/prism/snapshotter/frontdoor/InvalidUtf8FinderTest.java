package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.prism.snapshotter.proto.pubsub.BatchPublishRequest;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import org.junit.jupiter.api.Test;

class InvalidUtf8FinderTest {
  @Test
  void namesTheStringFieldHoldingInvalidUtf8() {
    assertThat(
            InvalidUtf8Finder.find(
                PublishRequest.getDescriptor(),
                RawCalls.publishRequestWithTopic(RawCalls.INVALID_UTF8)))
        .contains("topic");
    assertThat(
            InvalidUtf8Finder.find(
                PublishRequest.getDescriptor(),
                RawCalls.publishRequestWithAttributeValue(RawCalls.INVALID_UTF8)))
        .contains("attributes[0].value");
    ByteString good = RawCalls.publishRequestWithTopic(ByteString.copyFromUtf8("w"));
    assertThat(
            InvalidUtf8Finder.find(
                BatchPublishRequest.getDescriptor(),
                RawCalls.batchOf(
                    good, RawCalls.publishRequestWithAttributeValue(RawCalls.INVALID_UTF8))))
        .contains("events[1].attributes[0].value");
  }

  /**
   * Fuzzing finding: the parser stops at the invalid UTF-8, so the tail after it may be anything.
   */
  @Test
  void namesInvalidUtf8AheadOfATruncatedTail() {
    ByteString truncatedTail = ByteString.copyFrom(new byte[] {0x1a, 0x15, 0x0a, 0x02, 'k'});
    assertThat(
            InvalidUtf8Finder.find(
                PublishRequest.getDescriptor(),
                RawCalls.publishRequestWithTopic(RawCalls.INVALID_UTF8).concat(truncatedTail)))
        .contains("topic");
    ByteString good = RawCalls.publishRequestWithTopic(ByteString.copyFromUtf8("w"));
    assertThat(
            InvalidUtf8Finder.find(
                BatchPublishRequest.getDescriptor(),
                RawCalls.batchOf(
                    good,
                    RawCalls.publishRequestWithAttributeValue(RawCalls.INVALID_UTF8)
                        .concat(truncatedTail))))
        .contains("events[1].attributes[0].value");
    assertThat(
            InvalidUtf8Finder.find(
                PublishRequest.getDescriptor(),
                truncatedTail.concat(RawCalls.publishRequestWithTopic(RawCalls.INVALID_UTF8))))
        .as("invalid UTF-8 after the break is never parsed, so not reported")
        .isEmpty();
  }

  @Test
  void findsNothingInAValidMessageOrInBytesFields() {
    PublishRequest valid =
        PublishRequest.newBuilder()
            .setTopic("wrîter")
            .putAttributes("ключ", "値")
            .setPayload(RawCalls.INVALID_UTF8)
            .build();
    assertThat(InvalidUtf8Finder.find(PublishRequest.getDescriptor(), valid.toByteString()))
        .isEmpty();
  }
}
