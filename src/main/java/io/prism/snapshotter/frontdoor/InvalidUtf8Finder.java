package io.prism.snapshotter.frontdoor;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Finds which string field of a serialized message holds invalid UTF-8. The generated parser only
 * says "invalid UTF-8"; this walks the raw wire form (which does not check UTF-8) guided by the
 * message's descriptor and returns a path such as {@code events[1].attributes[0].key}.
 *
 * <p>It reads fields in wire order, as the parser does, and stops where the wire form breaks: so
 * invalid UTF-8 ahead of a truncated or corrupt tail is still named (found by fuzzing: reading the
 * whole message first gave up on such requests).
 */
final class InvalidUtf8Finder {
  private InvalidUtf8Finder() {}

  static Optional<String> find(Descriptor type, ByteString wire) {
    return find(type, wire, "");
  }

  private static Optional<String> find(Descriptor type, ByteString wire, String path) {
    CodedInputStream in = wire.newCodedInput();
    Map<Integer, Integer> occurrences = new HashMap<>();
    try {
      int tag;
      while ((tag = in.readTag()) != 0) {
        FieldDescriptor field = type.findFieldByNumber(WireFormat.getTagFieldNumber(tag));
        if (field == null
            || WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED
            || (field.getType() != FieldDescriptor.Type.STRING
                && field.getType() != FieldDescriptor.Type.MESSAGE)) {
          in.skipField(tag);
          continue;
        }
        ByteString value = in.readBytes();
        int index = occurrences.merge(field.getNumber(), 1, Integer::sum) - 1;
        String fieldPath = path + field.getName() + (field.isRepeated() ? "[" + index + "]" : "");
        if (field.getType() == FieldDescriptor.Type.STRING && !value.isValidUtf8()) {
          return Optional.of(fieldPath);
        }
        if (field.getType() == FieldDescriptor.Type.MESSAGE) {
          Optional<String> inner = find(field.getMessageType(), value, fieldPath + ".");
          if (inner.isPresent()) {
            return inner;
          }
        }
      }
    } catch (InvalidProtocolBufferException brokenHere) {
      // The rest is not valid wire format; the fields before it held no invalid UTF-8.
    } catch (IOException impossible) {
      throw new IllegalStateException("reading a ByteString cannot fail with I/O", impossible);
    }
    return Optional.empty();
  }
}
