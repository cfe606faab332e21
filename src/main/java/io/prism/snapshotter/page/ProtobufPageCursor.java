package io.prism.snapshotter.page;

import static io.prism.snapshotter.page.ProtoTags.LENGTH_DELIMITED;
import static io.prism.snapshotter.page.ProtoTags.VARINT;
import static io.prism.snapshotter.page.ProtoTags.tag;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads an {@code EventPage} field by field with {@link CodedInputStream}, one event at a time.
 *
 * <p>Stricter than a generated parser, on purpose: the metadata must come first (every protobuf
 * library writes fields in number order) and only once; a known field with the wrong wire type is
 * an error, not an unknown field to skip; every length is checked against {@link PageLimits} before
 * anything is allocated, and must be exactly consumed. Unknown field numbers with a valid wire type
 * are skipped, so a later schema may add fields.
 */
final class ProtobufPageCursor extends DecodingCursor {
  private static final int METADATA_TAG = tag(ProtoTags.PAGE_METADATA_FIELD, LENGTH_DELIMITED);
  private static final int EVENT_TAG = tag(ProtoTags.PAGE_EVENTS_FIELD, LENGTH_DELIMITED);
  private static final int BUFFER_BYTES = 8192;

  private final CodedInputStream in;

  ProtobufPageCursor(
      InputStream body,
      Compression compression,
      PageLimits limits,
      InputStream decoder,
      SourceInputStream stored) {
    super(compression, limits, decoder, stored);
    this.in = CodedInputStream.newInstance(body, BUFFER_BYTES);
    this.in.setSizeLimit(Integer.MAX_VALUE);
  }

  @Override
  protected String where() {
    String part = metadata() == null ? "metadata" : "event " + eventsRead();
    return "protobuf byte " + in.getTotalBytesRead() + " (" + part + ")";
  }

  @Override
  protected PageMetadata decodeMetadata() throws IOException, PageFormatException {
    int tag = in.readTag();
    if (tag == 0) {
      throw error("empty page: no metadata");
    }
    if (tag != METADATA_TAG) {
      throw error(
          "a page must start with its metadata (field 1, length-delimited), found "
              + describe(tag));
    }
    int length = readLength("metadata");
    return within(length, "metadata", this::metadataFields);
  }

  @Override
  protected Event decodeEvent(long index) throws IOException, PageFormatException {
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        return null;
      }
      if (tag == EVENT_TAG) {
        int length = readLength("event");
        return within(length, "event", () -> eventFields(index));
      }
      if (tag == METADATA_TAG) {
        throw error("the page has a second metadata field");
      }
      skipUnknown(tag, ProtoTags.PAGE_EVENTS_FIELD, "EventPage");
    }
  }

  private PageMetadata metadataFields() throws IOException, PageFormatException {
    String writerId = "";
    long pageSequence = 0;
    long startTime = 0;
    long endTime = 0;
    long eventCount = 0;
    long pageSize = 0;
    String formatVersion = "";
    String compressionName = "";
    Map<String, String> tags = new LinkedHashMap<>();
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (tag) {
        case (ProtoTags.META_WRITER_ID << 3) | LENGTH_DELIMITED ->
            writerId = in.readStringRequireUtf8();
        case (ProtoTags.META_PAGE_SEQUENCE << 3) | VARINT -> pageSequence = in.readInt64();
        case (ProtoTags.META_START_TIME << 3) | VARINT -> startTime = in.readInt64();
        case (ProtoTags.META_END_TIME << 3) | VARINT -> endTime = in.readInt64();
        case (ProtoTags.META_EVENT_COUNT << 3) | VARINT -> eventCount = in.readInt64();
        case (ProtoTags.META_PAGE_SIZE_BYTES << 3) | VARINT -> pageSize = in.readInt64();
        case (ProtoTags.META_FORMAT_VERSION << 3) | LENGTH_DELIMITED ->
            formatVersion = in.readStringRequireUtf8();
        case (ProtoTags.META_COMPRESSION << 3) | LENGTH_DELIMITED ->
            compressionName = in.readStringRequireUtf8();
        case (ProtoTags.META_TAGS << 3) | LENGTH_DELIMITED -> mapEntry(tags, "tags");
        default -> skipUnknown(tag, ProtoTags.META_TAGS, "metadata");
      }
    }
    String name = compressionName;
    Compression declared =
        Compression.findByConfigName(name)
            .orElseThrow(() -> error("metadata has an unknown compression '" + name + "'"));
    return new PageMetadata(
        writerId,
        pageSequence,
        startTime,
        endTime,
        eventCount,
        pageSize,
        formatVersion,
        declared,
        tags,
        PageFormat.PROTOBUF);
  }

  private Event eventFields(long index) throws IOException, PageFormatException {
    String eventId = "";
    long timestamp = 0;
    byte[] payload = null;
    Map<String, String> attributes = null;
    long sequence = 0;
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (tag) {
        case (ProtoTags.EVENT_ID << 3) | LENGTH_DELIMITED -> eventId = in.readStringRequireUtf8();
        case (ProtoTags.EVENT_TIMESTAMP << 3) | VARINT -> timestamp = in.readInt64();
        case (ProtoTags.EVENT_PAYLOAD << 3) | LENGTH_DELIMITED -> payload = in.readByteArray();
        case (ProtoTags.EVENT_ATTRIBUTES << 3) | LENGTH_DELIMITED -> {
          if (attributes == null) {
            attributes = new LinkedHashMap<>();
          }
          mapEntry(attributes, "attributes");
        }
        case (ProtoTags.EVENT_SEQUENCE << 3) | VARINT -> sequence = in.readInt64();
        default -> skipUnknown(tag, ProtoTags.EVENT_SEQUENCE, "event");
      }
    }
    if (sequence != index) {
      throw error(
          "sequence is "
              + sequence
              + ", expected "
              + index
              + " (the event's position in the page)");
    }
    return Event.wrap(eventId, timestamp, payload, attributes);
  }

  private void mapEntry(Map<String, String> map, String what)
      throws IOException, PageFormatException {
    int length = readLength(what + " entry");
    within(
        length,
        what + " entry",
        () -> {
          String key = "";
          String value = "";
          int tag;
          while ((tag = in.readTag()) != 0) {
            switch (tag) {
              case (ProtoTags.MAP_KEY << 3) | LENGTH_DELIMITED -> key = in.readStringRequireUtf8();
              case (ProtoTags.MAP_VALUE << 3) | LENGTH_DELIMITED ->
                  value = in.readStringRequireUtf8();
              default -> skipUnknown(tag, ProtoTags.MAP_VALUE, what + " entry");
            }
          }
          if (map.size() >= limits.maxAttributesPerEvent() && !map.containsKey(key)) {
            throw error("more than " + limits.maxAttributesPerEvent() + " " + what);
          }
          map.put(key, value);
          return null;
        });
  }

  private int readLength(String what) throws IOException, PageFormatException {
    long length = in.readRawVarint64();
    if (length < 0 || length > limits.maxFieldBytes()) {
      throw error(
          what
              + " length "
              + Long.toUnsignedString(length)
              + " is outside 0.."
              + limits.maxFieldBytes());
    }
    return (int) length;
  }

  /** Runs {@code body} on exactly the next {@code length} bytes. */
  private <T> T within(int length, String what, Step<T> body)
      throws IOException, PageFormatException {
    int start = in.getTotalBytesRead();
    int outer = in.pushLimit(length);
    T result = body.run();
    int consumed = in.getTotalBytesRead() - start;
    if (consumed != length) {
      throw error(what + " is truncated: " + consumed + " of its " + length + " bytes present");
    }
    in.popLimit(outer);
    return result;
  }

  private void skipUnknown(int tag, int lastKnownField, String message)
      throws IOException, PageFormatException {
    int field = WireFormat.getTagFieldNumber(tag);
    int wireType = WireFormat.getTagWireType(tag);
    if (field >= 1 && field <= lastKnownField) {
      throw error(message + " field " + field + " has the wrong wire type " + wireType);
    }
    switch (wireType) {
      case WireFormat.WIRETYPE_VARINT -> in.readRawVarint64();
      case WireFormat.WIRETYPE_FIXED64 -> in.readRawLittleEndian64();
      case WireFormat.WIRETYPE_FIXED32 -> in.readRawLittleEndian32();
      case WireFormat.WIRETYPE_LENGTH_DELIMITED ->
          in.skipRawBytes(readLength("unknown field " + field));
      default -> throw error(message + " has " + describe(tag) + ", which is not valid here");
    }
  }

  private static String describe(int tag) {
    return "field "
        + WireFormat.getTagFieldNumber(tag)
        + " with wire type "
        + WireFormat.getTagWireType(tag);
  }
}
