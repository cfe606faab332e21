package io.prism.snapshotter.page;

import com.fasterxml.jackson.core.io.SerializedString;

/** The RFC's NDJSON field names (snake_case), shared by the NDJSON writer and reader. */
final class NdjsonFields {
  static final String METADATA = "metadata";
  static final String WRITER_ID = "writer_id";
  static final String PAGE_SEQUENCE = "page_sequence";
  static final String START_TIME = "start_time";
  static final String END_TIME = "end_time";
  static final String EVENT_COUNT = "event_count";
  static final String PAGE_SIZE_BYTES = "page_size_bytes";
  static final String FORMAT_VERSION = "format_version";
  static final String COMPRESSION = "compression";
  static final String TAGS = "tags";

  static final String EVENT_ID = "event_id";
  static final String TIMESTAMP = "timestamp";
  static final String PAYLOAD = "payload";
  static final String ATTRIBUTES = "attributes";
  static final String SEQUENCE = "sequence";

  // Pre-encoded names for the writer's hot path.
  static final SerializedString EVENT_ID_NAME = new SerializedString(EVENT_ID);
  static final SerializedString TIMESTAMP_NAME = new SerializedString(TIMESTAMP);
  static final SerializedString PAYLOAD_NAME = new SerializedString(PAYLOAD);
  static final SerializedString ATTRIBUTES_NAME = new SerializedString(ATTRIBUTES);
  static final SerializedString SEQUENCE_NAME = new SerializedString(SEQUENCE);

  private NdjsonFields() {}
}
