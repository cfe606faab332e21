package io.prism.snapshotter.frontdoor;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Calls that send hand-made wire bytes, e.g. strings with invalid UTF-8, which no generated client
 * lets one build.
 */
final class RawCalls {
  private RawCalls() {}

  static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try (stream) {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  /** The same method, with a raw request and the real response type. */
  static <Q, R extends com.google.protobuf.Message> MethodDescriptor<byte[], R> raw(
      MethodDescriptor<Q, R> method, R responsePrototype) {
    return method.toBuilder(BYTES, ProtoUtils.marshaller(responsePrototype)).build();
  }

  static final ByteString INVALID_UTF8 =
      ByteString.copyFrom(new byte[] {'w', (byte) 0xC3, (byte) 0x28});

  /** A PublishRequest whose writer id (field 1) is the given bytes. */
  static ByteString publishRequestWithTopic(ByteString topic) {
    return UnknownFieldSet.newBuilder()
        .addField(1, UnknownFieldSet.Field.newBuilder().addLengthDelimited(topic).build())
        .addField(
            2,
            UnknownFieldSet.Field.newBuilder()
                .addLengthDelimited(ByteString.copyFromUtf8("p"))
                .build())
        .build()
        .toByteString();
  }

  /** A PublishRequest with a valid writer id and one attribute whose value is the given bytes. */
  static ByteString publishRequestWithAttributeValue(ByteString attributeValue) {
    ByteString entry =
        UnknownFieldSet.newBuilder()
            .addField(
                1,
                UnknownFieldSet.Field.newBuilder()
                    .addLengthDelimited(ByteString.copyFromUtf8("k"))
                    .build())
            .addField(
                2, UnknownFieldSet.Field.newBuilder().addLengthDelimited(attributeValue).build())
            .build()
            .toByteString();
    return UnknownFieldSet.newBuilder()
        .addField(
            1,
            UnknownFieldSet.Field.newBuilder()
                .addLengthDelimited(ByteString.copyFromUtf8("w"))
                .build())
        .addField(3, UnknownFieldSet.Field.newBuilder().addLengthDelimited(entry).build())
        .build()
        .toByteString();
  }

  /** A BatchPublishRequest of the given serialized events. */
  static ByteString batchOf(ByteString... events) {
    UnknownFieldSet.Field.Builder field = UnknownFieldSet.Field.newBuilder();
    for (ByteString event : events) {
      field.addLengthDelimited(event);
    }
    return UnknownFieldSet.newBuilder().addField(1, field.build()).build().toByteString();
  }
}
