package io.prism.snapshotter.page;

import com.google.protobuf.WireFormat;

/**
 * Field numbers of {@code proto/prism/snapshotter/page.proto}, shared by the protobuf writer and
 * reader.
 */
final class ProtoTags {
  static final int LENGTH_DELIMITED = WireFormat.WIRETYPE_LENGTH_DELIMITED;
  static final int VARINT = WireFormat.WIRETYPE_VARINT;

  static final int PAGE_METADATA_FIELD = 1;
  static final int PAGE_EVENTS_FIELD = 2;

  static final int META_WRITER_ID = 1;
  static final int META_PAGE_SEQUENCE = 2;
  static final int META_START_TIME = 3;
  static final int META_END_TIME = 4;
  static final int META_EVENT_COUNT = 5;
  static final int META_PAGE_SIZE_BYTES = 6;
  static final int META_FORMAT_VERSION = 7;
  static final int META_COMPRESSION = 8;
  static final int META_TAGS = 9;

  static final int EVENT_ID = 1;
  static final int EVENT_TIMESTAMP = 2;
  static final int EVENT_PAYLOAD = 3;
  static final int EVENT_ATTRIBUTES = 4;
  static final int EVENT_SEQUENCE = 5;

  static final int MAP_KEY = 1;
  static final int MAP_VALUE = 2;

  private ProtoTags() {}

  /** The tag varint of a field, as {@code CodedInputStream.readTag()} returns it. */
  static int tag(int field, int wireType) {
    return (field << 3) | wireType;
  }
}
