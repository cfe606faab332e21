package io.prism.snapshotter.connect;

import io.prism.snapshotter.buffer.RevokedPages;
import io.prism.snapshotter.util.Counted;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.TopicPartition;

/**
 * The INFO line of a revocation, as a sentence: which partitions went, and what became of their
 * buffered pages, e.g. "Revoked 2 partitions (events-0, events-3): stored 3 pages (120 records,
 * 98304 bytes) in 0.4 s; left 1 page (40 records, 2048 bytes) of events-3 to its new owner, which
 * had stored records of it already".
 */
final class RevocationLine {
  /**
   * Partitions named at most: a rebalance can revoke hundreds, and the line stays one line (the
   * count says how many more).
   */
  static final int MAX_NAMED = 10;

  private static final Comparator<TopicPartition> BY_TOPIC_AND_NUMBER =
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

  private RevocationLine() {}

  /**
   * @param took how long storing the pages took
   */
  static String of(Collection<TopicPartition> revoked, RevokedPages pages, Duration took) {
    StringBuilder line =
        new StringBuilder("Revoked ")
            .append(Counted.of(revoked.size(), "partition"))
            .append(" (")
            .append(names(revoked))
            .append("): ");
    RevokedPages.Pages stored = pages.stored();
    RevokedPages.Pages left = pages.leftToNewOwner();
    if (stored.isEmpty() && left.isEmpty()) {
      return line.append("nothing was buffered for them").toString();
    }
    if (stored.isEmpty()) {
      line.append("stored nothing");
    } else {
      line.append("stored ")
          .append(figures(stored))
          .append(String.format(Locale.ROOT, " in %.1f s", took.toMillis() / 1000.0));
    }
    if (!left.isEmpty()) {
      boolean one = pages.leftPartitions().size() == 1;
      line.append("; left ")
          .append(figures(left))
          .append(" of ")
          .append(names(pages.leftPartitions()))
          .append(one ? " to its new owner" : " to their new owner")
          .append(", which had stored records of ")
          .append(one ? "it" : "them")
          .append(" already");
    }
    return line.toString();
  }

  /**
   * "events-0, events-3", in topic and partition order; past {@link #MAX_NAMED}, "... and 290
   * more".
   */
  static String names(Collection<TopicPartition> partitions) {
    List<TopicPartition> sorted = partitions.stream().sorted(BY_TOPIC_AND_NUMBER).toList();
    StringBuilder names = new StringBuilder();
    for (int i = 0; i < sorted.size() && i < MAX_NAMED; i++) {
      names.append(i == 0 ? "" : ", ").append(sorted.get(i));
    }
    if (sorted.size() > MAX_NAMED) {
      names.append(" and ").append(sorted.size() - MAX_NAMED).append(" more");
    }
    return names.toString();
  }

  /** "3 pages (120 records, 98304 bytes)". */
  private static String figures(RevokedPages.Pages pages) {
    return Counted.of(pages.pages(), "page")
        + " ("
        + Counted.of(pages.records(), "record")
        + ", "
        + Counted.of(pages.bytes(), "byte")
        + ")";
  }
}
