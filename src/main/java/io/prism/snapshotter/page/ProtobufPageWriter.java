package io.prism.snapshotter.page;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * Writes one {@code prism.snapshotter.EventPage} field by field with {@link CodedOutputStream}: no
 * protobuf object per event, no page-sized buffer.
 *
 * <p>The output is byte-for-byte what protobuf-java's {@code EventPage.toByteArray()} gives for the
 * same content (proto3 default values are left out; map entries always carry key and value), so any
 * protobuf reader parses it.
 *
 * <p>The metadata is flushed into the compressor before the first event, so with zstd it is a block
 * of its own and {@link PageReader#readMetadata} can decode it from the head of the object.
 *
 * <p><b>Events.</b> They come encoded already ({@link EncodedEvents}: each event's fields but its
 * sequence, which is its position in this page and the last field of the message): the writer adds
 * each event's tag and length, copies its bytes and appends the sequence. The page size is then
 * {@code tag + varint(metadataSize) + metadataSize + eventBytes}, where the metadata contains the
 * page size itself; it is found by a fixed-point iteration that starts from {@code eventBytes} and
 * only grows, so it settles after at most a few rounds.
 */
final class ProtobufPageWriter {
  private static final int BUFFER_BYTES = 64 * 1024;

  /**
   * One {@code CodedOutputStream} (and its 64 KiB buffer) for every page: it writes to {@link
   * #target}, which points at the current page's stream. Each page ends with a flush, so the buffer
   * is empty between pages; after a failure mid-page it may not be, and is dropped. This makes the
   * writer (and its {@link PageEncoder}) single-threaded.
   */
  private final RetargetableOutputStream target = new RetargetableOutputStream();

  private CodedOutputStream cos;

  /** Writes the events of {@code events} from {@code from} on as one page, sequences from 0. */
  PageMetadata write(PageMetadata draft, EncodedEvents events, int from, OutputStream out)
      throws IOException {
    int n = events.size();
    long eventBytes = 0;
    for (int i = from; i < n; i++) {
      eventBytes += lengthDelimitedSize(events.lengthOf(i) + sequenceSize(i - from));
    }
    PageMetadata metadata = draft;
    long pageSize = eventBytes;
    while (true) {
      metadata = draft.withPageSizeBytes(pageSize);
      long total = lengthDelimitedSize(metadataSize(metadata)) + eventBytes;
      if (total == pageSize) {
        break;
      }
      pageSize = total;
    }
    if (pageSize > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "A protobuf page cannot exceed 2 GiB; this one is "
              + pageSize
              + " bytes ("
              + (n - from)
              + " events)");
    }

    if (cos == null) {
      cos = CodedOutputStream.newInstance(target, BUFFER_BYTES);
    }
    target.current = out;
    boolean complete = false;
    try {
      writePage(metadata, events, from, out);
      complete = true;
    } finally {
      target.current = null;
      if (!complete) {
        cos = null; // may hold part of the failed page
      }
    }
    return metadata;
  }

  private void writePage(PageMetadata metadata, EncodedEvents events, int from, OutputStream out)
      throws IOException {
    cos.writeTag(ProtoTags.PAGE_METADATA_FIELD, ProtoTags.LENGTH_DELIMITED);
    cos.writeUInt32NoTag(metadataSize(metadata));
    writeMetadata(cos, metadata);
    // The metadata gets a compressed block of its own (zstd ends its block on flush), so a
    // ranged read of the first few KiB of the object is enough to decode it.
    cos.flush();
    out.flush();
    int n = events.size();
    for (int i = from; i < n; i++) {
      long sequence = i - from;
      int length = events.lengthOf(i);
      cos.writeTag(ProtoTags.PAGE_EVENTS_FIELD, ProtoTags.LENGTH_DELIMITED);
      cos.writeUInt32NoTag(length + sequenceSize(sequence));
      cos.writeRawBytes(events.arrayOf(i), events.startOf(i), length);
      if (sequence != 0) {
        cos.writeInt64(ProtoTags.EVENT_SEQUENCE, sequence);
      }
    }
    cos.flush();
  }

  /** The sequence field's size: none for 0, proto3's default. */
  private static int sequenceSize(long sequence) {
    return sequence == 0
        ? 0
        : CodedOutputStream.computeInt64Size(ProtoTags.EVENT_SEQUENCE, sequence);
  }

  /** Forwards to the stream of the page being written. */
  private static final class RetargetableOutputStream extends OutputStream {
    private OutputStream current;

    @Override
    public void write(int b) throws IOException {
      current.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      current.write(b, off, len);
    }
  }

  /** One-byte tag + length varint + content: every field and map entry here has a tag below 16. */
  private static long lengthDelimitedSize(int contentSize) {
    return 1L + CodedOutputStream.computeUInt32SizeNoTag(contentSize) + contentSize;
  }

  private static int metadataSize(PageMetadata m) {
    int size = 0;
    if (!m.writerId().isEmpty()) {
      size += CodedOutputStream.computeStringSize(ProtoTags.META_WRITER_ID, m.writerId());
    }
    size += int64Size(ProtoTags.META_PAGE_SEQUENCE, m.pageSequence());
    size += int64Size(ProtoTags.META_START_TIME, m.startTime());
    size += int64Size(ProtoTags.META_END_TIME, m.endTime());
    size += int64Size(ProtoTags.META_EVENT_COUNT, m.eventCount());
    size += int64Size(ProtoTags.META_PAGE_SIZE_BYTES, m.pageSizeBytes());
    size += CodedOutputStream.computeStringSize(ProtoTags.META_FORMAT_VERSION, m.formatVersion());
    size +=
        CodedOutputStream.computeStringSize(
            ProtoTags.META_COMPRESSION, m.compression().configName());
    size += mapSize(m.tags());
    return size;
  }

  private static void writeMetadata(CodedOutputStream cos, PageMetadata m) throws IOException {
    if (!m.writerId().isEmpty()) {
      cos.writeString(ProtoTags.META_WRITER_ID, m.writerId());
    }
    writeInt64(cos, ProtoTags.META_PAGE_SEQUENCE, m.pageSequence());
    writeInt64(cos, ProtoTags.META_START_TIME, m.startTime());
    writeInt64(cos, ProtoTags.META_END_TIME, m.endTime());
    writeInt64(cos, ProtoTags.META_EVENT_COUNT, m.eventCount());
    writeInt64(cos, ProtoTags.META_PAGE_SIZE_BYTES, m.pageSizeBytes());
    cos.writeString(ProtoTags.META_FORMAT_VERSION, m.formatVersion());
    cos.writeString(ProtoTags.META_COMPRESSION, m.compression().configName());
    writeMap(cos, ProtoTags.META_TAGS, m.tags());
  }

  private static int int64Size(int field, long value) {
    return value == 0 ? 0 : CodedOutputStream.computeInt64Size(field, value);
  }

  private static void writeInt64(CodedOutputStream cos, int field, long value) throws IOException {
    if (value != 0) {
      cos.writeInt64(field, value);
    }
  }

  private static int mapEntrySize(String key, String value) {
    return CodedOutputStream.computeStringSize(ProtoTags.MAP_KEY, key)
        + CodedOutputStream.computeStringSize(ProtoTags.MAP_VALUE, value);
  }

  /** A map entry's size as a field of its message: tag, length and entry. */
  static int mapEntryFieldSize(String key, String value) {
    return (int) lengthDelimitedSize(mapEntrySize(key, value));
  }

  private static int mapSize(Map<String, String> map) {
    int size = 0;
    for (Map.Entry<String, String> e : map.entrySet()) {
      size += mapEntryFieldSize(e.getKey(), e.getValue());
    }
    return size;
  }

  private static void writeMap(CodedOutputStream cos, int field, Map<String, String> map)
      throws IOException {
    for (Map.Entry<String, String> e : map.entrySet()) {
      writeMapEntry(cos, field, e.getKey(), e.getValue());
    }
  }

  static void writeMapEntry(CodedOutputStream cos, int field, String key, String value)
      throws IOException {
    cos.writeTag(field, ProtoTags.LENGTH_DELIMITED);
    cos.writeUInt32NoTag(mapEntrySize(key, value));
    cos.writeString(ProtoTags.MAP_KEY, key);
    cos.writeString(ProtoTags.MAP_VALUE, value);
  }
}
