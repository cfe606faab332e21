package io.prism.snapshotter.sink;

import io.prism.snapshotter.buffer.NewPageCheck;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.storage.KeyContext;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.ObjectKeys;
import io.prism.snapshotter.storage.StorageBackend;
import io.prism.snapshotter.util.Printable;
import org.apache.kafka.common.TopicPartition;

/**
 * The object key of a sink page: {@code storage.key.template} rendered with the page's writer,
 * Kafka coordinates and first event, and the connector's format and compression. A page's sequence
 * is its first offset, so a re-delivered page gets the same key.
 */
public final class PageKeys {
  private final KeyTemplate template;
  private final PageFormat format;
  private final Compression compression;
  private final StorageBackend backend;

  public PageKeys(
      KeyTemplate template, PageFormat format, Compression compression, StorageBackend backend) {
    this.template = template;
    this.format = format;
    this.compression = compression;
    this.backend = backend;
  }

  /**
   * A {@link NewPageCheck} that refuses a record whose page could have no valid key: such a record
   * is a bad record (dead letter queue), instead of a page that fails the task at every restart.
   */
  public NewPageCheck asNewPageCheck() {
    return (partition, writerId, offset, timestampMillis) -> {
      try {
        keyOf(writerId, partition, offset, timestampMillis);
      } catch (IllegalArgumentException invalid) {
        throw new IllegalArgumentException(
            "no valid object key for a page of writer "
                + Printable.quote(writerId)
                + " of topic "
                + Printable.quote(partition.topic())
                + " under storage.key.template "
                + Printable.quote(template.toString())
                + " on storage.backend="
                + backend.configName()
                + ": "
                + invalid.getMessage(),
            invalid);
      }
    };
  }

  /**
   * The key of the page whose first event is at {@code firstOffset} of {@code partition}, with time
   * {@code firstTimestampMillis}.
   *
   * @throws IllegalArgumentException when the template cannot form a valid key for these values (a
   *     key segment longer than 255 bytes, say, with a long writer id beside other text), or the
   *     backend cannot store it ({@link StorageBackend#keyProblem})
   */
  public String keyOf(
      String writerId, TopicPartition partition, long firstOffset, long firstTimestampMillis) {
    String key = render(writerId, partition, firstOffset, firstTimestampMillis);
    String problem = backend.keyProblem(key);
    if (problem != null) {
      throw new IllegalArgumentException(
          "invalid object key '" + ObjectKeys.printable(key) + "': " + problem);
    }
    return key;
  }

  private String render(
      String writerId, TopicPartition partition, long firstOffset, long firstTimestampMillis) {
    return template.render(
        new KeyContext(
            writerId,
            firstTimestampMillis,
            firstOffset,
            partition.topic(),
            partition.partition(),
            firstOffset,
            format.configName(),
            format.extension() + compression.extension(),
            compression.configName()));
  }
}
