package io.prism.snapshotter.storage;

import java.util.Objects;

/**
 * Everything a {@link KeyTemplate} may put into a page's key. Format and compression arrive as
 * plain names so this package does not depend on the page codecs.
 *
 * @param writerId the raw (untrusted) writer id; encoded with {@link WriterIds} when rendered
 * @param startTimeMillis the page's start time, milliseconds since the epoch
 * @param sequence the page's sequence number within its writer
 * @param topic the Kafka topic the page's events came from; encoded like the writer id
 * @param partition the Kafka partition
 * @param startOffset the Kafka offset of the page's first event
 * @param formatName e.g. {@code protobuf} or {@code ndjson}
 * @param extension file extension including compression, e.g. {@code .pb.zst} (empty allowed)
 * @param compressionName e.g. {@code none}, {@code gzip}, {@code zstd}
 */
public record KeyContext(
    String writerId,
    long startTimeMillis,
    long sequence,
    String topic,
    int partition,
    long startOffset,
    String formatName,
    String extension,
    String compressionName) {

  public KeyContext {
    Objects.requireNonNull(writerId, "writerId");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(formatName, "formatName");
    Objects.requireNonNull(extension, "extension");
    Objects.requireNonNull(compressionName, "compressionName");
    if (sequence < 0 || partition < 0 || startOffset < 0) {
      throw new IllegalArgumentException(
          "sequence, partition and startOffset must not be negative: "
              + sequence
              + ", "
              + partition
              + ", "
              + startOffset);
    }
  }
}
