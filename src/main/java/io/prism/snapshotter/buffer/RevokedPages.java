package io.prism.snapshotter.buffer;

import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * What a revocation did with the revoked partitions' buffered pages: stored them, or left them to
 * the partitions' new owner (which had stored records of them already).
 *
 * @param stored pages made durable before the partitions went, those already being stored included
 * @param leftToNewOwner pages dropped instead of stored as copies ({@link
 *     PageAssembler#flushRevokedPartitions})
 * @param leftPartitions the partitions whose pages were left so
 */
public record RevokedPages(
    Pages stored, Pages leftToNewOwner, List<TopicPartition> leftPartitions) {

  public RevokedPages {
    leftPartitions = List.copyOf(leftPartitions);
  }

  /**
   * Some pages, summed.
   *
   * @param records the records (events) they hold
   * @param bytes their estimated uncompressed size ({@link PageBuffer#estimatedBytes})
   */
  public record Pages(int pages, long records, long bytes) {
    public static final Pages NONE = new Pages(0, 0, 0);

    Pages plus(PageBuffer page) {
      return new Pages(pages + 1, records + page.eventCount(), bytes + page.estimatedBytes());
    }

    public boolean isEmpty() {
      return pages == 0;
    }
  }
}
