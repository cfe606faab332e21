package io.prism.snapshotter.replay;

import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * A located page: its key and what replay needs to order it and to decide whether it is worth
 * fetching.
 *
 * @param storedSizeBytes the object's size in the store, or -1 if unknown
 * @param span the Kafka records it holds; null when the page carries no {@code kafka.*} tags
 */
public record PageRef(
    String key,
    String writerId,
    long pageSequence,
    long startTime,
    long endTime,
    long storedSizeBytes,
    KafkaSpan span) {

  /**
   * A writer's order: pages from Kafka by topic, partition and first offset (the order the writer's
   * records were written in); pages without Kafka tags after them, by start time then page
   * sequence. The key breaks remaining ties so the order is total and repeatable.
   */
  public static final Comparator<PageRef> WRITER_ORDER =
      Comparator.comparing((PageRef p) -> p.span == null)
          .thenComparing(p -> p.span == null ? "" : p.span.topic())
          .thenComparingInt(p -> p.span == null ? 0 : p.span.partition())
          .thenComparingLong(p -> p.span == null ? 0 : p.span.firstOffset())
          .thenComparingLong(PageRef::startTime)
          .thenComparingLong(PageRef::pageSequence)
          .thenComparing(PageRef::key);

  public PageRef {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(writerId, "writerId");
  }

  public Optional<KafkaSpan> kafkaSpan() {
    return Optional.ofNullable(span);
  }
}
