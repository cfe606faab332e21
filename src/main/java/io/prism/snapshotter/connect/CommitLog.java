package io.prism.snapshotter.connect;

import io.prism.snapshotter.metrics.DurableProgress;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per partition and commit that made progress: the pages, events and bytes that
 * became durable since the last one, and the offset now committed. A partition whose offset did not
 * move logs nothing, so an idle connector is quiet.
 */
final class CommitLog {
  private static final Logger log = LoggerFactory.getLogger(CommitLog.class);

  private final DurableProgress progress;
  private final Map<TopicPartition, Long> lastLogged = new HashMap<>();

  CommitLog(DurableProgress progress) {
    this.progress = progress;
  }

  void committing(Map<TopicPartition, OffsetAndMetadata> commit) {
    for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : commit.entrySet()) {
      TopicPartition partition = entry.getKey();
      long offset = entry.getValue().offset();
      Long before = lastLogged.put(partition, offset);
      if (before != null && before == offset) {
        continue;
      }
      DurableProgress.Progress made = progress.take(partition);
      if (made.pages() == 0 && before == null) {
        continue; // first sight of a partition that delivered nothing yet
      }
      log.info(
          "Committing {} at offset {}: {} pages, {} events, {} bytes durable since the last commit",
          partition,
          offset,
          made.pages(),
          made.events(),
          made.bytes());
    }
  }

  void forget(Iterable<TopicPartition> partitions) {
    for (TopicPartition partition : partitions) {
      lastLogged.remove(partition);
      progress.take(partition);
    }
  }
}
