package io.prism.snapshotter.frontdoor;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import java.util.List;
import java.util.Optional;

/**
 * Finds which string field of a serialized message holds invalid UTF-8. The generated parser only
 * says "invalid UTF-8"; this walks the raw wire form (which does not check UTF-8) guided by the
 * message's descriptor and returns a path such as {@code events[1].attributes[0].key}.
 */
final class InvalidUtf8Finder {
  private InvalidUtf8Finder() {}

  static Optional<String> find(Descriptor type, ByteString wire) {
    return find(type, wire, "");
  }

  private static Optional<String> find(Descriptor type, ByteString wire, String path) {
    UnknownFieldSet fields;
    try {
      fields = UnknownFieldSet.parseFrom(wire);
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty();
    }
    for (FieldDescriptor field : type.getFields()) {
      if (!fields.hasField(field.getNumber())) {
        continue;
      }
      List<ByteString> values = fields.getField(field.getNumber()).getLengthDelimitedList();
      for (int i = 0; i < values.size(); i++) {
        String fieldPath = path + field.getName() + (field.isRepeated() ? "[" + i + "]" : "");
        if (field.getType() == FieldDescriptor.Type.STRING && !values.get(i).isValidUtf8()) {
          return Optional.of(fieldPath);
        }
        if (field.getType() == FieldDescriptor.Type.MESSAGE) {
          Optional<String> inner = find(field.getMessageType(), values.get(i), fieldPath + ".");
          if (inner.isPresent()) {
            return inner;
          }
        }
      }
    }
    return Optional.empty();
  }
}
